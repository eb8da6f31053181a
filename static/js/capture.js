// Screenshots and location from the browser, while a timer runs, and only where the
// workspace's admin turned them on (the server renders the panel only then, and refuses
// uploads otherwise). The browser asks its own permission and shows its own indicators.
(function () {
  "use strict";
  var panel = document.querySelector("[data-capture]");
  if (!panel) return;
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var status = panel.querySelector("[data-capture-status]");
  var notes = {};

  function say(key, text) {
    notes[key] = text;
    status.textContent = Object.keys(notes).map(function (k) { return notes[k]; }).join(" ");
  }
  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function send(url, body, keepalive) {
    var headers = { "X-CSRFToken": csrf };
    if (!(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return window.fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers, body: body, keepalive: !!keepalive,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }
  // Tell the server the member declined: the entry then says "not shared", nothing more.
  function notShared(kind) {
    var form = new FormData();
    form.append("switch", kind);
    send(panel.dataset.notSharedUrl, form).then(null, function () {});
  }
  function clientId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // --- Screenshots: one frame at a random moment in each interval ---
  var shareButton = panel.querySelector("[data-share-screen]");
  if (shareButton) {
    var interval = 0; // read when sharing starts
    var video = null;
    var timer = null;
    var windowStart = 0;

    var stopSharing = function (message) {
      window.clearTimeout(timer);
      if (video && video.srcObject) {
        video.srcObject.getTracks().forEach(function (track) { track.stop(); });
        video.remove();
      }
      video = null;
      shareButton.hidden = false;
      say("screen", message);
    };
    var schedule = function () {
      var now = Date.now();
      while (windowStart + interval <= now) windowStart += interval;
      var at = windowStart + Math.random() * interval;
      if (at < now) { // this window's moment has passed: take the next window's
        windowStart += interval;
        at = windowStart + Math.random() * interval;
      }
      timer = window.setTimeout(capture, at - now);
    };
    var capture = function () {
      windowStart += interval;
      if (!video || !video.videoWidth) { schedule(); return; }
      var width = Math.min(1280, video.videoWidth);
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = Math.round(video.videoHeight * width / video.videoWidth);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      var takenAt = new Date();
      canvas.toBlob(function (blob) {
        if (!blob) { schedule(); return; }
        var form = new FormData();
        form.append("image", blob, "screenshot.jpg");
        form.append("capturedAt", takenAt.toISOString());
        form.append("blurred", "false");
        send(panel.dataset.screenshotUrl, form).then(function (answer) {
          if (answer.ok) {
            say("screen", "Sharing your screen. Last screenshot at " + clock(takenAt) + ".");
            schedule();
          } else if (answer.status === 403) {
            stopSharing(answer.data.message || "Screenshots are off: none are taken.");
          } else {
            say("screen", answer.data.message || "That screenshot was not kept.");
            schedule();
          }
        }, function () {
          say("screen", "A screenshot could not be sent (no connection); trying again later.");
          schedule();
        });
      }, "image/jpeg", 0.8);
    };

    shareButton.addEventListener("click", function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
        say("screen", "This browser cannot share its screen, so no screenshots are taken (not shared).");
        return;
      }
      navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
        // In the page (but not shown): a video outside the document may not decode frames.
        video = document.createElement("video");
        video.muted = true;
        video.playsInline = true;
        video.className = "capture-video";
        video.srcObject = stream;
        panel.appendChild(video);
        video.play();
        stream.getVideoTracks()[0].addEventListener("ended", function () {
          stopSharing("You stopped sharing your screen: no more screenshots are taken.");
          notShared("screenshots");
        });
        shareButton.hidden = true;
        interval = Number(panel.dataset.intervalMinutes) * 60 * 1000;
        windowStart = Date.now();
        say("screen", "Sharing your screen: one screenshot at a random moment every " +
          panel.dataset.intervalMinutes + " min.");
        schedule();
      }).catch(function () {
        say("screen", "You did not share your screen, so no screenshots are taken (not shared).");
        notShared("screenshots");
      });
    });
  }

  // --- Location: at start, every few minutes, and at stop ---
  if (panel.dataset.locationUrl && navigator.geolocation) {
    var every = Number(panel.dataset.locationMinutes || 5) * 60 * 1000;
    var sample = function (kind, keepalive) {
      return new Promise(function (resolve) {
        navigator.geolocation.getCurrentPosition(function (position) {
          var body = { samples: [{
            id: clientId(),
            latitude: position.coords.latitude,
            longitude: position.coords.longitude,
            accuracy: position.coords.accuracy,
            // Asked fresh (maximumAge 0), the position is where the member is now. Its own
            // timestamp may be older (an emulated or cached fix) and fall before the timer.
            recordedAt: new Date().toISOString(),
            kind: kind,
          }] };
          send(panel.dataset.locationUrl, body, keepalive).then(function (answer) {
            if (answer.ok) {
              say("location", answer.data.accepted ? "Location sent at " + clock(new Date()) + "." :
                "Location not kept (too inaccurate, or taken when no timer ran).");
            } else {
              say("location", answer.data.message || "Location not kept.");
            }
            resolve();
          }, resolve);
        }, function (error) {
          if (error.code === error.PERMISSION_DENIED) {
            say("location", "You did not allow your location, so none is recorded (not shared).");
            notShared("location");
          } else {
            say("location", "Your browser could not tell your location just now.");
          }
          resolve();
        }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
      });
    };
    sample(panel.dataset.startedRecently === "true" ? "START" : "MOVE");
    window.setInterval(function () { sample("MOVE"); }, every);
    var stopForm = document.querySelector("form[data-stop-timer]");
    if (stopForm) {
      stopForm.addEventListener("submit", function (event) {
        if (stopForm.dataset.sampled) return;
        event.preventDefault();
        stopForm.dataset.sampled = "true";
        var submit = function () { stopForm.submit(); };
        // At most three seconds for the position: stopping the timer never waits longer.
        Promise.race([sample("STOP", true), new Promise(function (r) { window.setTimeout(r, 3000); })])
          .then(submit, submit);
      });
    }
  }
})();
