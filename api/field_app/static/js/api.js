// The tracker's HTTP API as the phone calls it: JSON or multipart in, the status and the
// parsed answer out. A request that gets no answer (offline, cut, too slow) throws
// NetworkError; every answer, error or not, is returned for the caller to judge.

export class NetworkError extends Error {}

const SLOWEST_ANSWER_MS = 90000;

export function createApi({ token = () => null, base = "", timeout = SLOWEST_ANSWER_MS } = {}) {
  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    try {
      const response = await fetch(base + path, {
        method,
        headers,
        body: payload,
        signal: controller.signal,
        cache: "no-store",
        credentials: "omit",
      });
      const text = await response.text();
      let parsed = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null; // a proxy's HTML error page, say
      }
      const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10);
      return {
        status: response.status,
        body: parsed,
        retryAfter: Number.isFinite(retryAfter) ? retryAfter : null,
      };
    } catch (error) {
      throw new NetworkError(error.message);
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
    delete: (path) => call("DELETE", path),
  };
}

// Every list page of a cursor list, items joined.
export async function allPages(api, path) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = await api.get(
      cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path,
    );
    if (page.status !== 200) return { status: page.status, body: page.body, items: null };
    items.push(...page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor);
  return { status: 200, items };
}

// What a 401 asks of the phone: a revoked token wipes it; otherwise enrol again.
export function unauthorised(body) {
  return typeof body?.type === "string" && body.type.endsWith("/token-revoked")
    ? "revoked"
    : "expired";
}
