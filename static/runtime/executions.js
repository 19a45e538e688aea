// OneWeb execution history page: filters (kept in the address), paged rows from /api/executions.

import { api, clear, el, when } from "../designer/api.js";

const $ = (selector) => document.querySelector(selector);
const LIMIT = 50;
let offset = 0;

function readFilters() {
  const params = new URLSearchParams(location.search);
  $("#f-microflow").value = params.get("microflow") || "";
  $("#f-status").value = params.get("status") || "";
  $("#f-mode").value = params.get("mode") || "";
  offset = Math.max(0, Number(params.get("offset")) || 0);
}

function query() {
  const params = new URLSearchParams();
  for (const [key, input] of [["microflow", "#f-microflow"], ["status", "#f-status"], ["mode", "#f-mode"]]) {
    const value = $(input).value.trim();
    if (value) params.set(key, value);
  }
  if (offset) params.set("offset", String(offset));
  return params;
}

async function load() {
  const params = query();
  history.replaceState(null, "", `${location.pathname}${params.toString() ? `?${params}` : ""}`);
  params.set("limit", String(LIMIT));
  const { body } = await api("GET", `/api/executions?${params}`);
  const rows = clear($("#rows"));
  for (const run of body.items) {
    rows.append(el("tr", { "data-id": run.id },
      el("td", {}, el("a", { href: `/executions/${encodeURIComponent(run.id)}/`, text: when(run.created_at) })),
      el("td", {}, el("a", { href: `/designer/microflows/${encodeURIComponent(run.microflow)}/`, text: run.microflow })),
      el("td", { text: `v${run.version}` }),
      el("td", { text: run.mode }),
      el("td", { class: `status-${run.status}`, text: run.status }),
      el("td", { text: run.duration_ms == null ? "" : `${Number(run.duration_ms).toFixed(1)} ms` }),
      el("td", { class: "muted", text: run.source || "" })));
  }
  if (!body.items.length) rows.append(el("tr", {}, el("td", { colspan: 7, class: "muted", text: "No executions match." })));
  $("#page-info").textContent = body.count ? `${offset + 1}–${offset + body.items.length} of ${body.count}` : "";
  $("#btn-prev").disabled = offset === 0;
  $("#btn-next").disabled = offset + body.items.length >= body.count;
}

async function names() {
  const { body } = await api("GET", "/api/microflows");
  $("#microflow-names").replaceChildren(...body.items.map((m) => el("option", { value: m.name })));
}

$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  offset = 0;
  load();
});
for (const select of ["#f-status", "#f-mode"]) $(select).addEventListener("change", () => { offset = 0; load(); });
$("#btn-prev").addEventListener("click", () => { offset = Math.max(0, offset - LIMIT); load(); });
$("#btn-next").addEventListener("click", () => { offset += LIMIT; load(); });
readFilters();
Promise.all([load(), names()])
  .then(() => { document.body.dataset.ready = "1"; })
  .catch((error) => { $("#list-status").textContent = error.message; });
