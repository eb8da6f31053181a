// Idle detection on the tracker page: included only while a timer runs and the person turned
// idle detection on. When they come back after at least their threshold without input (keys,
// pointer, wheel, touch), with the page hidden, or with the computer asleep, a dialog asks
// what to do with that time; the server applies the answer (tracking/helpers/idle.py).
//
// - Tabs agree: the last input of any tab is shared in localStorage, so a tab that was
//   hidden while another was used does not count that time as idle. An absence being asked
//   about is shared too: every tab of the same entry asks about the same one, and when one
//   tab answers, the others show that answer instead of asking.
// - Sleep: a tick every 15 seconds that finds far more time gone by knows the computer
//   slept (or the page was frozen) since the tick before. The time asleep is idle; if the
//   page is visible on waking, the dialog opens at once.
// - Escape (or closing the dialog) answers nothing and changes nothing: the question comes
//   back when the page is shown or loaded again, until it is answered.
(function () {
  "use strict";
  var dialog = document.querySelector("dialog[data-idle]");
  if (!dialog || typeof dialog.showModal !== "function") return;

  var ACTIVE = "clockify-idle-active"; // last input in any tab, ms since the epoch
  var PENDING = "clockify-idle-pending"; // the absence being asked about: {entry, start, end, later}
  var ANSWERED = "clockify-idle-answered"; // the last answer: {entry, start, outcome}
  var TICK = 15000;
  var JUMP = TICK + 120000; // hidden tabs' timers may be held back a minute; sleep is more

  var threshold = Number(dialog.dataset.thresholdMinutes) * 60000;
  var entry = dialog.dataset.entryId;
  var entryStart = Date.parse(dialog.dataset.entryStart);
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var timeFormat = new Intl.DateTimeFormat([], {
    hour: "2-digit", minute: "2-digit",
    hour12: dialog.dataset.hour12 === "true",
    timeZone: dialog.dataset.timeZone || undefined,
  });
  var question = dialog.querySelector("[data-idle-question]");
  var done = dialog.querySelector("[data-idle-done]");
  var errorLine = dialog.querySelector("[data-idle-error]");
  var buttons = dialog.querySelectorAll("[data-idle-action]");

  var lastActive = Date.now(); // this tab's last input; loading the page counts
  var lastWritten = 0;
  var lastTick = Date.now();
  var asked = null; // the absence the open dialog asks about
  var sending = false;
  var reloadOnOk = false;

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
  }
  function write(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage off: this tab decides alone */ }
  }
  function lastActivity() {
    return Math.max(lastActive, Number(read(ACTIVE)) || 0);
  }
  function touch(now) {
    lastActive = now;
    if (now - lastWritten > 1000) {
      lastWritten = now;
      write(ACTIVE, now);
    }
  }
  // The absence asked about for this page's entry; one about another entry is stale.
  function pending() {
    var p = read(PENDING);
    if (p && p.entry !== entry) return null;
    return p;
  }

  function ask(p) {
    asked = p;
    var minutes = Math.round((p.end - p.start) / 60000);
    dialog.querySelector("[data-idle-since]").textContent = "You were idle since " +
      timeFormat.format(new Date(p.start)) + " (" + minutes + " minute" + (minutes === 1 ? "" : "s") + ").";
    // Idle from the entry's first second: Discard leaves nothing of it (the server deletes it).
    dialog.querySelector("[data-idle-whole]").hidden =
      Math.floor(p.start / 1000) !== Math.floor(entryStart / 1000);
    question.hidden = false;
    done.hidden = true;
    errorLine.hidden = true;
    buttons.forEach(function (b) { b.disabled = false; });
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("#idle-title").focus();
  }

  function finish(title, text, reload) {
    question.hidden = true;
    done.hidden = false;
    dialog.querySelector("[data-idle-done-title]").textContent = title;
    dialog.querySelector("[data-idle-outcome]").textContent = text;
    reloadOnOk = reload;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("[data-idle-ok]").focus();
  }

  // Any input, or coming back to the page: ask if they were away long enough.
  function activity(event) {
    if (dialog.open || sending) return;
    // Chrome sends pointer moves without movement when the page under a still mouse changes.
    if (event && event.type === "pointermove" && !event.movementX && !event.movementY) return;
    var now = Date.now();
    var p = pending();
    if (p && !p.later) { ask(p); touch(now); return; }
    var last = lastActivity();
    if (now - last >= threshold) {
      p = { entry: entry, start: last, end: now, later: false };
      write(PENDING, p);
      touch(now);
      ask(p);
      return;
    }
    touch(now);
  }

  // Shown again or loaded: a question put off with Escape comes back.
  function returning() {
    var p = pending();
    if (p && p.later) {
      p.later = false;
      write(PENDING, p);
    }
    activity(null);
  }

  function answer(action) {
    if (!asked || sending) return;
    sending = true;
    buttons.forEach(function (b) { b.disabled = true; });
    errorLine.hidden = true;
    var form = new FormData();
    form.append("start", new Date(asked.start).toISOString());
    form.append("end", new Date(asked.end).toISOString());
    form.append("action", action);
    var p = asked;
    window.fetch(dialog.dataset.idleUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: form,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        sending = false;
        if (response.ok) {
          // The answer first: a tab told that the question went reads it at once.
          write(ANSWERED, { entry: entry, start: p.start, outcome: data.outcome, action: data.actionLabel });
          write(PENDING, null);
          if (data.alreadyAnswered) {
            finish("Already answered", "This idle time was answered before (" + data.actionLabel +
              "): " + data.outcome + " This second answer changed nothing.", true);
          } else {
            var changed = data.changedEntryIds.length + data.deletedEntryIds.length > 0;
            finish(data.actionLabel, data.outcome, changed);
          }
        } else if (response.status === 400 || response.status === 403) {
          // The server will not take this absence (idle detection turned off, or times it
          // refuses): asking again would get the same answer.
          write(PENDING, null);
          finish("Not saved", data.message || "The server refused this idle time.", true);
        } else {
          throw new Error(data.message || "status " + response.status);
        }
      });
    }).catch(function () {
      sending = false;
      errorLine.textContent = "Your answer could not be sent. Check your connection and try again.";
      errorLine.hidden = false;
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () { answer(button.dataset.idleAction); });
  });
  dialog.querySelector("[data-idle-ok]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("cancel", function () {
    // Escape while asking: decide later. Nothing is sent; the question comes back.
    if (!question.hidden && asked) {
      var p = pending();
      if (p) { p.later = true; write(PENDING, p); }
    }
  });
  dialog.addEventListener("close", function () {
    var wasAsking = !question.hidden;
    asked = null;
    touch(Date.now());
    if (!wasAsking && reloadOnOk) window.location.reload();
  });

  ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"].forEach(function (type) {
    document.addEventListener(type, activity, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (!dialog.open) touch(Date.now()); // they were here until now; hidden time is idle
    } else {
      returning();
    }
  });
  // Another tab asked about an absence of this entry, or answered it.
  window.addEventListener("storage", function (event) {
    if (event.key !== PENDING || event.newValue !== null || sending) return;
    var answered = read(ANSWERED);
    if (dialog.open && !question.hidden && answered && answered.entry === entry) {
      finish("Answered in another tab", "Answered in another tab (" + answered.action + "): " +
        answered.outcome, true);
    }
  });

  window.setInterval(function () {
    var now = Date.now();
    if (now - lastTick > JUMP) {
      // Asleep (or frozen) since the last tick: no input came in between, whatever a
      // waking browser replays, so the idleness began no later than that tick.
      lastActive = Math.min(lastActive, lastTick);
      if (document.visibilityState === "visible" && now - lastTick >= threshold) activity(null);
    }
    lastTick = now;
  }, TICK);

  touch(Date.now());
  returning();
})();
