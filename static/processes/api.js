/* Tiny JSON helpers for the process pages: session auth plus Django's CSRF header. */
window.processApi = (function () {
  "use strict";
  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  async function call(method, path, body) {
    const response = await fetch(path, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }
  function problem(result) {
    const error = result.data && result.data.error;
    if (!error) return "Something went wrong (" + result.status + ").";
    const details = (error.details || []).map((d) => (d.field ? d.field + ": " : "") + d.message);
    return [error.message].concat(details).join(" ");
  }
  return { call, problem };
})();
