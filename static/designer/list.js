// OneWeb designer: the microflow list page — search, create, duplicate, delete (with
// confirmation), import a definition file, export one. Rows are built with el() (text only).

import { ApiFailure, api, clear, el, when } from "./api.js";

const $ = (selector) => document.querySelector(selector);
let searchTimer = null;

function editorUrl(name) {
  return `/designer/microflows/${encodeURIComponent(name)}/`;
}

function status(message, kind = "info") {
  const line = $("#list-status");
  line.textContent = message;
  line.className = kind === "error" ? "error" : "";
}

async function load() {
  const q = $("#search").value.trim();
  const { body } = await api("GET", `/api/microflows${q ? `?q=${encodeURIComponent(q)}` : ""}`);
  const rows = clear($("#rows"));
  for (const flow of body.items) {
    const run = flow.last_run;
    rows.append(el("tr", { "data-name": flow.name },
      el("td", {}, el("a", { href: editorUrl(flow.name), text: flow.name })),
      el("td", { class: "flow-title", text: flow.title }),
      el("td", { text: `v${flow.version}` }),
      el("td", { text: when(flow.updated_at) }),
      el("td", {}, run ? el("a", { href: `/executions/?microflow=${encodeURIComponent(flow.name)}`, class: `status-${run.status}`, text: `${run.status} · ${when(run.at)}` }) : el("span", { class: "muted", text: "never run" })),
      el("td", {}, el("div", { class: "row" },
        el("button", { type: "button", class: "small", onclick: () => duplicate(flow), "aria-label": `Duplicate ${flow.name}` }, "Duplicate"),
        el("button", { type: "button", class: "small", onclick: () => exportFlow(flow.name), "aria-label": `Export ${flow.name}` }, "Export"),
        el("button", { type: "button", class: "small", onclick: () => remove(flow.name), "aria-label": `Delete ${flow.name}` }, "Delete")))));
  }
  if (!body.items.length) rows.append(el("tr", {}, el("td", { colspan: 6, class: "muted", text: q ? "Nothing matches." : "No microflows yet." })));
}

/** Ask for a name (and title) in the dialog; resolves with {name, title} or null. */
function askName(heading, button, title = "") {
  const dialog = $("#name-dialog");
  $("#name-dialog-title").textContent = heading;
  $("#name-ok").textContent = button;
  $("#new-name").value = "";
  $("#new-title").value = title;
  $("#name-problem").textContent = "";
  return new Promise((resolve) => {
    const form = $("#name-form");
    const done = (value) => {
      form.removeEventListener("submit", submit);
      $("#name-cancel").removeEventListener("click", cancel);
      dialog.close();
      resolve(value);
    };
    const submit = (event) => {
      event.preventDefault();
      done({ name: $("#new-name").value.trim(), title: $("#new-title").value.trim() });
    };
    const cancel = () => done(null);
    form.addEventListener("submit", submit);
    $("#name-cancel").addEventListener("click", cancel);
    dialog.addEventListener("cancel", () => done(null), { once: true });
    dialog.showModal();
    $("#new-name").focus();
  });
}

async function create() {
  const answer = await askName("New microflow", "Create");
  if (!answer) return;
  const definition = {
    name: answer.name, title: answer.title, params: [],
    nodes: [{ id: "start", type: "start", ui: { x: 60, y: 160 } }, { id: "end", type: "end", ui: { x: 360, y: 160 } }],
    edges: [{ from: "start", to: "end" }],
  };
  await post(definition);
}

async function post(definition) {
  try {
    const { body } = await api("POST", "/api/microflows", definition);
    window.location.href = editorUrl(body.name);
  } catch (error) {
    const detail = error instanceof ApiFailure && error.details.length ? ` (${error.details.map((d) => d.message).join("; ")})` : "";
    status(`Not created: ${error.message}${detail}`, "error");
  }
}

async function duplicate(flow) {
  const answer = await askName(`Duplicate ${flow.name}`, "Duplicate", flow.title ? `${flow.title} (copy)` : "");
  if (!answer) return;
  const { body } = await api("GET", `/api/microflows/${encodeURIComponent(flow.name)}`);
  const { version: _v, created_at: _c, created_by: _b, ...definition } = body;
  await post({ ...definition, name: answer.name, title: answer.title });
}

async function exportFlow(name) {
  const { body } = await api("GET", `/api/microflows/${encodeURIComponent(name)}`);
  const { version: _v, created_at: _c, created_by: _b, ...definition } = body;
  const blob = new Blob([JSON.stringify(definition, null, 2)], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `${name}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function remove(name) {
  const dialog = $("#delete-dialog");
  $("#delete-text").textContent = `“${name}” and all its versions will be deleted. This cannot be undone.`;
  dialog.returnValue = "";
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "delete") return;
    await api("DELETE", `/api/microflows/${encodeURIComponent(name)}`);
    status(`Deleted ${name}.`);
    load();
  }, { once: true });
  dialog.showModal();
  $("#delete-cancel").focus();
}

async function importFile(file) {
  let definition;
  try {
    definition = JSON.parse(await file.text());
  } catch {
    status(`${file.name} is not a JSON file.`, "error");
    return;
  }
  await post(definition);
}

$("#btn-new").addEventListener("click", create);
$("#btn-import").addEventListener("click", () => $("#import-file").click());
$("#import-file").addEventListener("change", (event) => {
  const [file] = event.target.files;
  event.target.value = "";
  if (file) importFile(file);
});
$("#search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(load, 200);
});
load().then(() => { document.body.dataset.ready = "1"; }).catch((error) => status(error.message, "error"));
