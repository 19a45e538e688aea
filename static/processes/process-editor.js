// The process canvas editor: the microflow designer's canvas adapter (FlowCanvas) and
// property forms (schemaForm), fed with the process palette from /api/process-node-types.
// Saves a new immutable version; validation problems are marked on their nodes.
import { FlowCanvas } from "/static/designer/canvas.js";
import { api, el } from "/static/designer/api.js";
import { schemaForm } from "/static/designer/schema-form.js";

const BRANCH = "branch";
const name = JSON.parse(document.getElementById("process-name-data").textContent);
const status = document.getElementById("pe-status");
const panel = document.getElementById("pe-panel");
let canvas = null;
let meta = { name, title: "", description: "", params: [] };
let types = [];
let microflows = [];
let exists = false;
let problems = new Map();

function say(text) { status.textContent = text; }

function showSelection() {
  panel.replaceChildren();
  const [selected] = canvas.selectedIds();
  const edge = canvas.selectedEdge;
  if (selected) {
    const node = canvas.node(selected);
    const type = types.find((t) => t.type === node.type);
    panel.append(el("h2", { text: (type ? type.label : node.type) + " · " + node.id }));
    if (type) panel.append(el("p", { class: "muted", text: type.help }));
    const title = el("input", { type: "text", value: node.title || "" });
    title.addEventListener("change", () => canvas.updateNode(node.id, { title: title.value }));
    panel.append(el("label", {}, "Title", title));
    (problems.get(node.id) || []).forEach((m) => panel.append(el("p", { class: "pe-problems", text: m })));
    if (type && Object.keys(type.config_schema.properties || {}).length) {
      const form = schemaForm(type.config_schema, {
        value: node.config, microflows,
        onChange: (config) => canvas.updateNode(node.id, { config }),
      });
      panel.append(el("fieldset", { class: "config" }, el("legend", { text: "Settings" }), form.element));
    }
  } else if (edge) {
    const extras = canvas.edgeExtrasOf(edge);
    panel.append(el("h2", { text: "Edge" }), el("p", { text: `${edge.from} → ${edge.to} (${edge.port})` }));
    if (edge.port === BRANCH) {
      const schema = { type: "object", properties: { condition: { type: "string", format: "cel", title: "Condition" },
        otherwise: { type: "boolean", title: "Otherwise (taken when no condition holds)" } } };
      const form = schemaForm(schema, {
        value: { condition: extras.condition, otherwise: extras.when === "otherwise" },
        onChange: (v) => canvas.updateEdge(edge.key, { condition: v.otherwise ? undefined : v.condition, when: v.otherwise ? "otherwise" : undefined }),
      });
      panel.append(form.element);
    }
  } else {
    const title = el("input", { type: "text", value: meta.title || "" });
    title.addEventListener("change", () => { meta.title = title.value; });
    const params = el("textarea", { rows: "6", spellcheck: "false" });
    params.value = JSON.stringify(meta.params || [], null, 2);
    params.addEventListener("change", () => {
      try { meta.params = JSON.parse(params.value); say(""); } catch (e) { say("Params: the JSON does not parse."); }
    });
    panel.append(el("h2", { text: "Process" }), el("label", {}, "Title", title), el("label", {}, "Params (JSON)", params));
  }
}

function definition() {
  return { ...meta, name, ...canvas.toDefinition() };
}

async function save() {
  problems = new Map();
  try {
    const result = exists ? await api("PUT", `/api/processes/${encodeURIComponent(name)}`, definition())
      : await api("POST", "/api/processes", definition());
    exists = true;
    document.getElementById("pe-version").textContent = "v" + result.body.version;
    say(`Saved version ${result.body.version}.`);
  } catch (failure) {
    (failure.details || []).forEach((d) => {
      const key = d.node || "";
      problems.set(key, [...(problems.get(key) || []), (d.field ? d.field + ": " : "") + d.message]);
    });
    const general = problems.get("") || [];
    say(failure.message + (general.length ? " " + general.join(" ") : ""));
  }
  canvas.setNodeErrors(problems);
  showSelection();
}

async function main() {
  document.getElementById("pe-name").textContent = name;
  const [palette, flows] = await Promise.all([api("GET", "/api/process-node-types"), api("GET", "/api/microflows")]);
  types = palette.body;
  microflows = flows.body.items.map((m) => m.name);
  let stored = { nodes: [{ id: "start", type: "start", ui: { x: 40, y: 120 } }, { id: "end", type: "end", ui: { x: 420, y: 120 } }],
    edges: [{ from: "start", to: "end" }] };
  const list = await api("GET", "/api/processes");
  if (list.body.items.some((p) => p.name === name)) {
    stored = (await api("GET", `/api/processes/${encodeURIComponent(name)}`)).body;
    exists = true;
    document.getElementById("pe-version").textContent = "v" + stored.version;
  }
  meta = { name, title: stored.title || "", description: stored.description || "", params: stored.params || [] };
  canvas = new FlowCanvas(document.getElementById("pe-canvas"), {
    types, branchPort: BRANCH, onSelect: showSelection, onEdgeSelect: showSelection, onChange: () => say(""),
  });
  canvas.load(stored);
  canvas.fit();
  const paletteEl = document.getElementById("pe-palette");
  types.forEach((type) => {
    const button = el("button", { type: "button", title: type.help, "data-type": type.type }, `${type.icon} ${type.label}`);
    button.style.setProperty("--node-color", type.color);
    button.addEventListener("click", () => {
      const at = canvas.centre();
      canvas.select([canvas.addNode(type.type, at.x - 75, at.y - 26)]);
    });
    paletteEl.append(button);
  });
  document.getElementById("pe-save").addEventListener("click", save);
  document.getElementById("pe-fit").addEventListener("click", () => canvas.fit());
  document.getElementById("pe-delete").addEventListener("click", () => {
    if (canvas.selectedEdge) canvas.removeSelectedEdge(); else canvas.removeNodes(canvas.selectedIds());
  });
  showSelection();
  document.body.dataset.ready = "1";
}

main().catch((error) => say("The editor could not start: " + error.message));
