// Live charging pages: wait for the session to begin, then follow its energy, power and cost.
// Each poll revalidates with the ETag (no-cache), so an unchanged session costs a 304.
(function () {
  "use strict";

  function poll(node, onData) {
    var seconds = Number(node.dataset.seconds) || 5;
    var timer = null;
    function tick() {
      fetch(node.dataset.poll, { cache: "no-cache", credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { if (onData(data) !== false) timer = setTimeout(tick, seconds * 1000); })
        .catch(function () { timer = setTimeout(tick, seconds * 2000); });
    }
    timer = setTimeout(tick, seconds * 1000);
    return function () { clearTimeout(timer); };
  }

  var waiting = document.getElementById("waiting");
  if (waiting && waiting.dataset.poll) {
    poll(waiting, function (data) {
      if (data.started && data.url) {
        window.location.assign(data.url);
        return false;
      }
      return true;
    });
  }

  var live = document.getElementById("live");
  if (live && live.dataset.poll) {
    poll(live, function (data) {
      Object.keys(data).forEach(function (key) {
        var field = live.querySelector('[data-field="' + key + '"]');
        if (field && field.textContent !== String(data[key])) field.textContent = data[key];
      });
      if (!data.running) {
        window.location.reload();  // the finished page: final cost and the receipt
        return false;
      }
      return true;
    });
  }
})();
