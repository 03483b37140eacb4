// Live tables: poll the table's data-live URL with If-None-Match and swap its body on change.
// Several web workers answer alike: the ETag comes from the database, not from a worker's memory.
(function () {
  "use strict";
  var units = [["d", 86400], ["h", 3600], ["min", 60]];

  function ago(iso) {
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) return Math.floor(seconds / units[i][1]) + " " + units[i][0] + " ago";
    }
    return seconds + " s ago";
  }

  function refreshTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      if (t.getAttribute("datetime")) t.textContent = ago(t.getAttribute("datetime"));
    });
  }

  function follow(table) {
    var body = table.tBodies[0];
    var etag = null;
    var every = Math.max(1, parseInt(table.dataset.interval, 10) || 10) * 1000;

    function poll() {
      if (document.hidden) return;
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(table.dataset.live, { headers: headers, credentials: "same-origin" })
        .then(function (r) {
          if (r.status !== 200) return null;
          etag = r.headers.get("ETag");
          return r.text();
        })
        .then(function (html) {
          if (html !== null) body.innerHTML = html;
          refreshTimes(body);
        })
        .catch(function () { /* offline for a moment: the next poll tries again */ });
    }
    setInterval(poll, every);
  }

  document.querySelectorAll("table[data-live]").forEach(follow);
})();
