// The idle question's page: the notification can show only two buttons, and there are three
// answers. The service worker sends the answer (POST /idle-periods) and forgets the question.

const $ = (id) => document.getElementById(id);

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

async function showNext() {
  const { idleQuestions = [] } = await chrome.storage.local.get("idleQuestions");
  const question = idleQuestions[0];
  $("question").hidden = !question;
  $("done").hidden = Boolean(question);
  if (!question) return;
  $("question").dataset.id = question.id;
  $("idle-start").textContent = time(question.start);
  $("idle-end").textContent = time(question.end);
  $("idle-minutes").textContent = Math.round((Date.parse(question.end) - Date.parse(question.start)) / 60_000);
  $("idle-description").textContent = question.description ? `“${question.description}”` : "";
}

async function answer(event) {
  const action = event.target.dataset.action;
  if (!action) return;
  const id = $("question").dataset.id;
  for (const button of document.querySelectorAll(".choices button")) button.disabled = true;
  const result = await chrome.runtime.sendMessage({ type: "answerIdle", id, action });
  $("result").textContent = result.message || "";
  $("result").className = result.ok ? "" : "error";
  for (const button of document.querySelectorAll(".choices button")) button.disabled = false;
  await showNext();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelector(".choices").addEventListener("click", answer);
  $("close").addEventListener("click", () => window.close());
  // A new absence while the page is open (it is brought forward, not reloaded).
  chrome.storage.onChanged.addListener((changes) => {
    if (changes.idleQuestions && $("question").hidden) showNext();
  });
  showNext();
});
