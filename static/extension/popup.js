// The popup: connect to a server with an API key, choose the workspace, start and stop the
// timer, and see which helpers are on. Every request goes through api.js.

import { call, instant, readHelpers, runningEntry, serverOrigin, setup } from "./api.js";

const $ = (id) => document.getElementById(id);
let ticking = null;

function showError(error) {
  $("error").textContent = error ? error.message || String(error) : "";
  $("error").hidden = !error;
}

function clock(startMs) {
  const seconds = Math.max(0, Math.floor((Date.now() - startMs) / 1000));
  const pad = (n) => String(n).padStart(2, "0");
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

async function connect(event) {
  event.preventDefault();
  showError(null);
  const form = event.target;
  try {
    const server = serverOrigin(form.server.value);
    const apiKey = form.apiKey.value.trim();
    const user = await call("GET", "/user", undefined, { server, apiKey });
    const workspaces = await call("GET", "/workspaces", undefined, { server, apiKey });
    const chosen = workspaces.find((w) => w.id === user.activeWorkspace) || workspaces[0];
    if (!chosen) throw new Error("You are not a member of any workspace on this server.");
    await chrome.storage.local.set({ server, apiKey, userId: user.id, workspaceId: chosen.id });
    await chrome.runtime.sendMessage({ type: "configured" });
    await show();
  } catch (error) {
    showError(error.status === 401 ? new Error("The server did not accept this API key.") : error);
  }
}

async function showTimer() {
  clearInterval(ticking);
  const entry = await runningEntry();
  $("start").hidden = Boolean(entry);
  $("running").hidden = !entry;
  if (entry) {
    const start = Date.parse(entry.timeInterval.start);
    $("running-description").textContent = entry.description || "(no description)";
    $("clock").textContent = clock(start);
    ticking = setInterval(() => ($("clock").textContent = clock(start)), 1000);
  }
}

async function showHelpers() {
  const helpers = await readHelpers();
  const idle = helpers.idleDetection;
  const tracker = helpers.autoTracker;
  $("idle-status").textContent = idle.enabled
    ? `Idle detection is on: asks after ${idle.thresholdMinutes} min away.`
    : "Idle detection is off.";
  $("tracker-status").textContent = tracker.enabled
    ? `Auto tracker is on: records ${tracker.recordAddresses ? "page addresses" : "domains"} and titles.`
    : "Auto tracker is off: nothing is recorded.";
  const { idleQuestions = [] } = await chrome.storage.local.get("idleQuestions");
  $("idle-pending").hidden = idleQuestions.length === 0;
}

async function showWorkspaces(workspaceId) {
  const workspaces = await call("GET", "/workspaces");
  const select = $("workspace");
  select.replaceChildren(
    ...workspaces.map((w) => new Option(w.region ? `${w.name} (${w.region.toUpperCase()})` : w.name, w.id)),
  );
  select.value = workspaceId;
}

async function show() {
  const { server, apiKey, workspaceId } = await setup();
  const connected = Boolean(server && apiKey && workspaceId);
  $("setup").hidden = connected;
  $("main").hidden = !connected;
  if (!connected) return;
  $("settings-link").href = `${server}/profile/helpers/`;
  try {
    await Promise.all([showWorkspaces(workspaceId), showTimer(), showHelpers()]);
  } catch (error) {
    showError(error);
  }
}

async function start(event) {
  event.preventDefault();
  showError(null);
  const { workspaceId } = await setup();
  try {
    await call("POST", `/workspaces/${workspaceId}/time-entries`, {
      start: instant(),
      description: event.target.description.value.trim(),
    });
    event.target.reset();
    await showTimer();
  } catch (error) {
    showError(error);
  }
}

async function stop() {
  showError(null);
  const { workspaceId, userId } = await setup();
  try {
    await call("PATCH", `/workspaces/${workspaceId}/user/${userId}/time-entries`, { end: instant() });
  } catch (error) {
    if (error.status !== 404) showError(error); // 404: it was stopped elsewhere meanwhile
  }
  await showTimer().catch(showError);
}

async function chooseWorkspace(event) {
  await chrome.storage.local.set({ workspaceId: event.target.value });
  await chrome.runtime.sendMessage({ type: "configured" });
  await show();
}

async function forget() {
  clearInterval(ticking);
  await chrome.storage.local.clear();
  await chrome.runtime.sendMessage({ type: "configured" });
  await show();
}

document.addEventListener("DOMContentLoaded", () => {
  $("setup").addEventListener("submit", connect);
  $("start").addEventListener("submit", start);
  $("stop").addEventListener("click", stop);
  $("workspace").addEventListener("change", chooseWorkspace);
  $("forget").addEventListener("click", forget);
  $("answer-idle").addEventListener("click", () => chrome.runtime.sendMessage({ type: "openIdlePage" }));
  show();
});
