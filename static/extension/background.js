// The service worker: reads the person's helper settings from the server, asks about idle
// time, records and uploads the auto tracker's activity. MV3 workers sleep when unused, so
// everything that must survive lives in chrome.storage and periodic work runs on an alarm.
//
// The rule of every path here: nothing is recorded or sent while the matching setting
// (GET /api/v1/user/helpers) is off, and an upload re-reads the settings just before it.

import { call, instant, readHelpers, runningEntry, setup } from "./api.js";

const SYNC_ALARM = "sync";
const SYNC_MINUTES = 2;
const BATCH = 500;
// With only the auto tracker on, this long without input counts as away (no activity).
const AWAY_SECONDS = 300;
const APP = browserName();

// Events interleave at every await; one queue keeps each read-modify-write of the storage whole.
let chain = Promise.resolve();
function serial(task) {
  const run = chain.then(task, task);
  chain = run.catch((error) => console.warn("Time tracker:", error));
  return run;
}

function browserName() {
  const brands = (navigator.userAgentData && navigator.userAgentData.brands) || [];
  const named = brands.map((b) => b.brand).filter((b) => !/not.?a.?brand/i.test(b));
  return named.find((b) => b !== "Chromium") || named[0] || "Browser";
}

async function stored(...keys) {
  return chrome.storage.local.get(keys);
}

function detectionSeconds(helpers) {
  if (helpers && helpers.idleDetection && helpers.idleDetection.enabled) {
    return Math.max(15, helpers.idleDetection.thresholdMinutes * 60);
  }
  return AWAY_SECONDS;
}

function idleOn(helpers) {
  return Boolean(helpers && helpers.idleDetection && helpers.idleDetection.enabled);
}

function trackerOn(helpers) {
  return Boolean(helpers && helpers.autoTracker && helpers.autoTracker.enabled);
}

// --- Settings ---------------------------------------------------------------------------

/** Read the helper settings from the server and forget whatever a switched-off helper kept. */
async function refreshHelpers() {
  const { server, apiKey } = await setup();
  let helpers = null;
  if (server && apiKey) {
    try {
      helpers = await readHelpers();
    } catch (error) {
      // Offline or the server failing: keep recording on the last answer; nothing is sent
      // until a fresh one arrives. A refused key (401, 403) switches everything off.
      if (error.status === 0 || error.status >= 429) return (await stored("helpers")).helpers || null;
    }
  }
  await chrome.storage.local.set({ helpers });
  await applyHelpers(helpers);
  return helpers;
}

async function applyHelpers(helpers) {
  chrome.idle.setDetectionInterval(detectionSeconds(helpers));
  if (!idleOn(helpers)) await chrome.storage.local.remove(["idleSince", "idleQuestions"]);
  if (!trackerOn(helpers)) await chrome.storage.local.remove(["current", "activity"]);
}

// --- The auto tracker ---------------------------------------------------------------------

/** What the auto tracker records of a tab, or null for pages it never records. */
function recordOf(tab, helpers) {
  if (!tab || !tab.url || tab.incognito) return null;
  let url;
  try {
    url = new URL(tab.url);
  } catch {
    return null;
  }
  // chrome://, extension pages, file:, data: and the like are never recorded.
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const address = helpers.autoTracker.recordAddresses
    ? url.origin + url.pathname + url.search // never a #fragment or user:password@
    : url.origin; // what the server keeps when addresses are off: scheme://host[:port]
  return { app: APP, title: (tab.title || "").slice(0, 500), url: address.slice(0, 2000) };
}

async function activeRecord(helpers) {
  const session = await chrome.storage.session.get(["away", "unfocused"]);
  if (session.away || session.unfocused) return null;
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return recordOf(tab, helpers);
}

/** Close the open record at `at` (kept if it lasted a second) and open `next`, if any. */
async function closeRecord(at, next) {
  const { current, activity = [] } = await stored("current", "activity");
  if (current && at - current.start >= 1000) {
    const { id, app, title, url, start } = current;
    activity.push({ id, app, title, url, start: instant(start), end: instant(at) });
  }
  const opened = next ? { ...next, id: crypto.randomUUID(), start: at } : null;
  await chrome.storage.local.set({ activity, current: opened });
}

/** Follow the active tab: a new record when its title or address changes. */
async function noteActivity(now = Date.now()) {
  const { helpers, current } = await stored("helpers", "current");
  if (!trackerOn(helpers)) return;
  const next = await activeRecord(helpers);
  if (current && next && current.title === next.title && current.url === next.url) return;
  if (!current && !next) return;
  await closeRecord(now, next);
}

/** Send the closed records in batches; each keeps its client id, so a retry never doubles. */
async function uploadActivity(now = Date.now()) {
  const helpers = await refreshHelpers();
  if (!trackerOn(helpers)) return; // applyHelpers has just forgotten the records
  const { current } = await stored("current");
  if (current) await closeRecord(now, { app: current.app, title: current.title, url: current.url });
  const { workspaceId } = await setup();
  let { activity = [] } = await stored("activity");
  while (activity.length) {
    const batch = activity.slice(0, BATCH);
    try {
      await call("POST", `/workspaces/${workspaceId}/activity`, { samples: batch });
    } catch (error) {
      if (error.status === 0 || error.status === 429 || error.status >= 500) return; // later
      if (error.status === 403) {
        // Switched off between the two requests: keep nothing.
        await chrome.storage.local.remove(["current", "activity"]);
        return;
      }
      console.warn("Time tracker: activity refused:", error.message); // sending again won't help
    }
    const sent = new Set(batch.map((sample) => sample.id));
    activity = activity.filter((sample) => !sent.has(sample.id));
    await chrome.storage.local.set({ activity });
  }
}

// --- Idle detection -----------------------------------------------------------------------

/** chrome.idle's state changed (at `now`, a parameter so the tests can replay it). */
async function handleIdleState(state, now = Date.now()) {
  const { helpers, idleSince } = await stored("helpers", "idleSince");
  if (state === "idle" || state === "locked") {
    // "idle" arrives once the threshold has passed without input: the absence began then.
    // "locked" arrives at once.
    const since = state === "idle" ? now - detectionSeconds(helpers) * 1000 : now;
    await chrome.storage.session.set({ away: true });
    if (idleOn(helpers) && idleSince === undefined) await chrome.storage.local.set({ idleSince: since });
    if (trackerOn(helpers)) {
      const { current } = await stored("current");
      if (current) await closeRecord(Math.max(since, current.start), null);
      await uploadActivity(now);
    }
    return;
  }
  await chrome.storage.session.set({ away: false });
  if (idleSince !== undefined) {
    await chrome.storage.local.remove("idleSince");
    if (idleOn(helpers)) await askAboutIdle(idleSince, now);
  }
  await noteActivity(now);
}

/** With a timer running since before the absence, keep the question and notify the person. */
async function askAboutIdle(start, end) {
  if (end - start < 60_000) return; // the server's shortest idle period
  const { workspaceId } = await setup();
  let entry;
  try {
    entry = await runningEntry();
  } catch (error) {
    console.warn("Time tracker: cannot check the timer:", error.message);
    return;
  }
  if (!entry || Date.parse(entry.timeInterval.start) > start) return;
  const question = {
    id: crypto.randomUUID(),
    workspaceId,
    start: instant(start),
    end: instant(end),
    description: entry.description || "",
  };
  const { idleQuestions = [] } = await stored("idleQuestions");
  idleQuestions.push(question);
  await chrome.storage.local.set({ idleQuestions });
  const minutes = Math.round((end - start) / 60_000);
  await chrome.notifications.create(`idle:${question.id}`, {
    type: "basic",
    iconUrl: "icons/128.png",
    title: `You were away for ${minutes} min`,
    message: `Your timer${question.description ? ` “${question.description}”` : ""} kept running. Choose what to do with that time.`,
    // Chrome shows at most two buttons, and there are three answers: both open the page.
    buttons: [{ title: "Choose…" }],
    requireInteraction: true,
    priority: 2,
  });
}

/** Open the page with the three answers (or bring it forward). */
async function openIdlePage() {
  const url = chrome.runtime.getURL("idle.html");
  const [open] = await chrome.tabs.query({ url });
  if (open) {
    await chrome.tabs.update(open.id, { active: true });
    await chrome.windows.update(open.windowId, { focused: true });
    return;
  }
  try {
    await chrome.windows.create({ url, type: "popup", width: 440, height: 420, focused: true });
  } catch {
    await chrome.tabs.create({ url });
  }
}

async function answerIdle(id, action) {
  const { idleQuestions = [] } = await stored("idleQuestions");
  const question = idleQuestions.find((q) => q.id === id);
  if (!question) return { ok: false, message: "This question was answered already." };
  let result;
  try {
    const { start, end } = question;
    const period = await call("POST", `/workspaces/${question.workspaceId}/idle-periods`, {
      start,
      end,
      action,
    });
    result = { ok: true, message: period.outcome };
  } catch (error) {
    // Offline or failing: keep the question to answer again. Refused: it can never succeed.
    if (error.status === 0 || error.status === 429 || error.status >= 500) {
      return { ok: false, message: error.message };
    }
    result = { ok: false, message: error.message };
  }
  const left = (await stored("idleQuestions")).idleQuestions.filter((q) => q.id !== id);
  await chrome.storage.local.set({ idleQuestions: left });
  chrome.notifications.clear(`idle:${id}`);
  return result;
}

// --- Wiring -------------------------------------------------------------------------------

async function sync(now = Date.now()) {
  await refreshHelpers();
  await noteActivity(now);
  await uploadActivity(now);
}

async function begin() {
  await chrome.alarms.create(SYNC_ALARM, { periodInMinutes: SYNC_MINUTES });
  await sync();
}

chrome.runtime.onInstalled.addListener(() => serial(begin));
chrome.runtime.onStartup.addListener(() => serial(begin));
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === SYNC_ALARM) serial(() => sync());
});
chrome.idle.onStateChanged.addListener((state) => serial(() => handleIdleState(state)));
chrome.tabs.onActivated.addListener(() => serial(() => noteActivity()));
chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (tab.active && (change.url || change.title)) serial(() => noteActivity());
});
chrome.windows.onFocusChanged.addListener((windowId) => serial(() => focusChanged(windowId)));
chrome.notifications.onClicked.addListener((id) => {
  if (id.startsWith("idle:")) openIdlePage();
});
chrome.notifications.onButtonClicked.addListener((id) => {
  if (id.startsWith("idle:")) openIdlePage();
});

async function focusChanged(windowId) {
  await chrome.storage.session.set({ unfocused: windowId === chrome.windows.WINDOW_ID_NONE });
  await noteActivity();
}

const handlers = {
  configured: () => serial(begin),
  sync: () => serial(() => sync()),
  answerIdle: (message) => serial(() => answerIdle(message.id, message.action)),
  openIdlePage: () => openIdlePage(),
};

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const handler = sender.id === chrome.runtime.id && handlers[message && message.type];
  if (!handler) return false;
  handler(message).then(
    (result) => reply(result === undefined ? { ok: true } : result),
    (error) => reply({ ok: false, message: String(error.message || error) }),
  );
  return true; // the answer comes asynchronously
});

// For the browser tests, which cannot make the computer idle: the handlers, by name.
self.timeTracker = { handleIdleState, sync, noteActivity, focusChanged, openIdlePage, serial };
