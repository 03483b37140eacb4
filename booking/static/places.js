// The citizen map: hubs as clustered markers with what is free there, fed by /map/places.json.
// Works without tiles (markers and popups only) and falls back to the list below without script.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") {
    return;
  }
  var texts = JSON.parse(document.getElementById("map-texts").textContent);
  var plural = new Intl.PluralRules(box.dataset.lang || "en");
  var REFRESH_MS = 30000;

  var map = L.map(box, { scrollWheelZoom: false });
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
  }
  var cluster = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false });
  map.addLayer(cluster);
  var origin = box.dataset.origin ? box.dataset.origin.split(",").map(Number) : null;
  var lastTag = null;
  var fitted = false;
  // While a popup is open, new data waits for it to close: redrawing would close it under the
  // reader's finger (a refresh every 30 s).
  var popupOpen = false;
  var waiting = null;
  map.on("popupopen", function () { popupOpen = true; });
  // Opening a popup may pan the map to show it: say so, so that nothing (a test, a script)
  // clicks inside a popup that is still moving.
  map.on("movestart", function () { box.dataset.moving = "true"; });
  map.on("moveend", function () { delete box.dataset.moving; });
  map.on("popupclose", function () {
    popupOpen = false;
    if (waiting) {
      var doc = waiting;
      waiting = null;
      draw(doc);
    }
  });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function count(kind, n) {
    var forms = texts[kind] || ["{n} " + kind, "{n} " + kind];
    return fill(plural.select(n) === "one" ? forms[0] : forms[1], { n: n });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.href = href;
    return a;
  }

  function availability(hub) {
    var kinds = Object.keys(hub.available);
    if (!kinds.length) return texts.none;
    return kinds.map(function (k) { return count(k, hub.available[k]); }).join(" · ");
  }

  function chargerLine(c) {
    if (!c.online) return texts.offline;
    return fill(texts.connectors, { free: c.free, total: c.total });
  }

  function popup(hub) {
    var root = el("div", "map-popup");
    root.appendChild(el("h3", null)).appendChild(link(hub.url, hub.name));
    if (hub.address) root.appendChild(el("p", "muted", hub.address));
    root.appendChild(el("p", "availability", availability(hub)));
    if (hub.vehicles.length) {
      var list = root.appendChild(el("ul", "vehicles"));
      hub.vehicles.forEach(function (v) {
        var li = list.appendChild(el("li"));
        li.appendChild(link(v.url, v.code));
        li.appendChild(document.createTextNode(" " + v.model + " · " + v.soc + "% · " + v.range_km + " km"));
      });
    }
    hub.chargers.forEach(function (c) {
      var p = root.appendChild(el("p", "charger"));
      p.appendChild(link(c.url, "⚡ " + c.name));
      p.appendChild(document.createTextNode(": " + chargerLine(c)));
      if (!c.online) return;  // the states are unknown: no badges
      var states = p.appendChild(el("span", "connectors"));
      c.connectors.forEach(function (k) {
        states.appendChild(el("span", "badge s-" + k.state, k.id + ": " + (texts[k.state] || k.state)));
      });
    });
    root.appendChild(link(hub.url, texts.find, "button"));
    return root;
  }

  function label(hub) {
    var parts = [hub.name, availability(hub)];
    hub.chargers.forEach(function (c) { parts.push(c.name + ": " + chargerLine(c)); });
    return parts.join(" — ");
  }

  function icon(hub) {
    var vehicles = Object.keys(hub.available).reduce(function (n, k) { return n + hub.available[k]; }, 0);
    var free = hub.chargers.reduce(function (n, c) { return n + (c.online ? c.free : 0); }, 0);
    var html = "<span class=\"pin-count\">" + vehicles + "</span>";
    if (hub.chargers.length) html += "<span class=\"pin-charge\">⚡" + free + "</span>";
    var cls = "hub-pin" + (vehicles ? "" : " empty") + (hub.chargers.length ? " has-charger" : "");
    return L.divIcon({ className: cls, html: html, iconSize: [44, 44], iconAnchor: [22, 22], popupAnchor: [0, -18] });
  }

  function draw(doc) {
    cluster.clearLayers();
    var points = [];
    doc.hubs.forEach(function (hub) {
      var marker = L.marker([hub.lat, hub.lon], { icon: icon(hub), title: label(hub), alt: hub.name, keyboard: true });
      marker.bindPopup(function () { return popup(hub); }, { maxWidth: 300 });
      marker.hubId = hub.id;
      cluster.addLayer(marker);
      points.push([hub.lat, hub.lon]);
    });
    if (origin) {
      L.circleMarker(origin, { radius: 8, color: "#1d4ed8", fillOpacity: 0.8 })
        .bindTooltip(texts.you).addTo(map);
      points.push(origin);
    }
    if (!fitted) {
      fitted = true;
      if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
      else map.setView([45.75, 4.83], 12);
    }
  }

  function load() {
    // no-cache: revalidate with the ETag; an unchanged answer (304) leaves the markers alone.
    return fetch(box.dataset.places, { cache: "no-cache", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        var tag = r.headers.get("ETag");
        if (tag && tag === lastTag) return null;
        lastTag = tag;
        return r.json();
      })
      .then(function (doc) {
        if (doc && popupOpen) {
          waiting = doc;
        } else if (doc) {
          draw(doc);
          box.dataset.ready = "true";
        }
      })
      .catch(function () { /* the list below still shows every place */ });
  }

  load();
  window.setInterval(function () { if (!document.hidden) load(); }, REFRESH_MS);

  var near = document.getElementById("near-me");
  var status = document.getElementById("near-status");
  if (near && navigator.geolocation) {
    near.hidden = false;
    near.addEventListener("click", function () {
      status.textContent = texts.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var url = new URL(window.location.href);
        url.searchParams.set("lat", pos.coords.latitude.toFixed(5));
        url.searchParams.set("lon", pos.coords.longitude.toFixed(5));
        window.location.assign(url.toString());
      }, function () {
        status.textContent = texts.denied;
      }, { timeout: 10000, maximumAge: 60000 });
    });
  }
})();
