// The server's API v1, called with the person's API key. Shared by the service worker and
// the extension's pages. Requests carry no cookies (`credentials: "omit"`): the key is the
// only credential, and the server answers CORS for extension origins on /api/v1/ only.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status; // 0: the server could not be reached
  }
}

/** The setup kept in the extension's own storage (never synced to other computers). */
export async function setup() {
  return chrome.storage.local.get(["server", "apiKey", "workspaceId", "userId"]);
}

/** Turn what the person typed into an origin such as https://time.example.com. */
export function serverOrigin(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ApiError(0, "Type the server's address, such as https://time.example.com.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApiError(0, "The address must start with https:// (or http:// on your own network).");
  }
  return url.origin;
}

/** Now, as the API writes instants: ISO 8601 UTC to the second. */
export function instant(ms = Date.now()) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Call `method path` (under /api/v1) and answer the parsed JSON, or throw ApiError. */
export async function call(method, path, body, { server, apiKey } = {}) {
  if (!server || !apiKey) ({ server, apiKey } = await setup());
  if (!server || !apiKey) throw new ApiError(0, "Set the server's address and your API key first.");
  const headers = { "X-Api-Key": apiKey };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`${server}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, `The server at ${server} cannot be reached.`);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data && data.message ? data.message : `The server answered ${response.status}.`;
    throw new ApiError(response.status, message);
  }
  return data;
}

/** The person's helper settings: {idleDetection: {enabled, thresholdMinutes}, autoTracker: ...}. */
export async function readHelpers() {
  return call("GET", "/user/helpers");
}

/** The person's running timer in the chosen workspace, or null. */
export async function runningEntry() {
  const { workspaceId, userId } = await setup();
  const entries = await call("GET", `/workspaces/${workspaceId}/time-entries/status/in-progress`);
  // Admins are answered with everyone's running timers: keep one's own.
  return entries.find((entry) => entry.userId === userId) || null;
}
