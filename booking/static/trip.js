// The live trip page: the running time ticks every second; the price so far is fetched from
// the server every few seconds (the billing engine prices the trip up to now), no reload.
(function () {
  "use strict";
  var box = document.getElementById("trip-live");
  if (!box) {
    return;
  }
  var elapsedNode = document.getElementById("trip-elapsed");
  var priceNode = document.getElementById("trip-price");
  var startedAt = Date.now() - Number(box.dataset.elapsed) * 1000;
  var pollMs = Math.max(1, Number(box.dataset.poll) || 10) * 1000;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tick() {
    var s = Math.max(0, Math.floor((Date.now() - startedAt) / 1000));
    elapsedNode.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (live) {
        if (!live) {
          return;
        }
        if (live.status === "ended") {
          window.location.assign(box.dataset.receipt);
          return;
        }
        // The server's clock is the reference: correct any drift of the page's own.
        startedAt = Date.now() - live.elapsed_s * 1000;
        priceNode.textContent = live.price_text;
        box.dataset.priceMinor = live.price_minor;
      })
      .catch(function () {
        // Offline for a moment (a tunnel): the next poll tries again.
      });
  }

  tick();
  setInterval(tick, 1000);
  setInterval(poll, pollMs);
})();
