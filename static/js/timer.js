// The running clock, computed from the server's start time, and keeping tabs in step.
(function () {
  "use strict";
  var offset = 0; // server clock minus this browser's clock, in milliseconds

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }
  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    return pad(h) + ":" + pad(m) + ":" + pad(seconds % 60);
  }
  function tick() {
    document.querySelectorAll("[data-timer-start]").forEach(function (clock) {
      var started = Date.parse(clock.dataset.timerStart);
      var seconds = Math.max(0, Math.floor((Date.now() + offset - started) / 1000));
      clock.textContent = format(seconds);
    });
  }
  function state() {
    var bar = document.querySelector("[data-timer-state]");
    return bar ? bar.dataset.timerState : null;
  }
  // Reload the whole page (entries and totals too) when the server's timer differs from
  // the one shown here. Asking the server first means a stale tab's news cannot start a
  // loop of reloads: a tab that already shows the server's state stays as it is.
  var checking = false;
  function reloadIfChanged() {
    var bar = document.querySelector("[data-timer-state]");
    if (!bar || checking) return;
    checking = true;
    window
      .fetch(bar.dataset.refreshUrl, {
        credentials: "same-origin",
        headers: { "HX-Request": "true", "HX-Target": "timer-bar" },
      })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-timer-state]");
        if (fresh && fresh.dataset.timerState !== state()) window.location.reload();
      })
      .catch(function () {})
      .then(function () {
        checking = false;
      });
  }

  var serverNow = document.querySelector("[data-server-now]");
  if (serverNow) offset = Number(serverNow.dataset.serverNow) * 1000 - Date.now();
  tick();
  window.setInterval(tick, 1000);

  // Another tab started or stopped the timer: show the same state here.
  if ("BroadcastChannel" in window && state() !== null) {
    var channel = new BroadcastChannel("clockify-timer");
    channel.postMessage(state());
    channel.onmessage = function (event) {
      if (event.data !== state()) reloadIfChanged();
    };
    document.body.addEventListener("htmx:afterSettle", function () {
      channel.postMessage(state());
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") reloadIfChanged();
  });
})();
