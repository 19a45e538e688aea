// OneWeb designer: small shared helpers for the pages — JSON fetch with the CSRF header and
// the contract's error shape, and `el()`, which builds DOM from text only (never innerHTML),
// so every user-supplied string lands in the page as text.

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiFailure extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || "http_error";
    this.details = error.details || [];
    this.body = body;
  }
}

/** Call the JSON API. Resolves with {status, body}; rejects with ApiFailure on a 4xx/5xx
 * unless `accept` lists the status (the run endpoint answers 422 for a failed run). */
export async function api(method, path, body, accept = []) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(path, init);
  let parsed = null;
  if (response.status !== 204) {
    const text = await response.text();
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  }
  if (!response.ok && !accept.includes(response.status)) throw new ApiFailure(response.status, parsed);
  return { status: response.status, body: parsed };
}

/** el("div", {class: "x", onclick: fn, "aria-label": "y"}, "text", child) — text children only. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "value") node.value = value;
    else if (key === "checked") node.checked = Boolean(value);
    else if (key === "style" && typeof value === "object") Object.assign(node.style, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

/** The page's JSON data from a json_script tag. */
export function pageData(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}
