// OneWeb microflow editor page: palette, canvas, properties, params, save, versions, test run.
//
// Talks to the JSON API only (/api/node-types, /api/microflows/..., /api/expressions/check,
// /api/business-objects (param types, variable-path hints), /api/connections (pickers),
// /api/executions/..., the /ws/executions/{id}/ socket) and to the canvas adapter; never to
// Drawflow. Every user string reaches the page through el()/textContent.

import { FlowCanvas } from "./canvas.js";
import { ApiFailure, api, clear, el, pageData, pretty, when } from "./api.js";
import { schemaForm } from "./schema-form.js";
import { UndoStack } from "./undo.js";

const PARAM_TYPES = ["string", "number", "integer", "boolean", "object", "array", "any"];
const BRANCH = "branch";
const VARIABLES_LIST = "oneweb-variables"; // a <datalist> of the flow's variable paths
const OBJECT_DEPTH = 5; // nested business objects expanded into variable paths
const CLIPBOARD_KEY = "oneweb.flow-clipboard";

const $ = (selector) => document.querySelector(selector);

class Editor {
  constructor(name) {
    this.name = name;
    this.flow = null; // the definition outside the canvas: name, title, description, params
    this.version = null;
    this.viewing = null; // an old version shown read-only
    this.dirty = false;
    this.errors = new Map(); // node id -> [{field, message}]
    this.flowErrors = [];
    this.steps = new Map(); // node id -> [step] of the last test run
    this.microflows = [];
    this.objects = []; // business object names
    this.connections = []; // [{name, kind}]
    this.objectDefs = new Map(); // "name@version" -> Promise of the definition (or null)
    this.variablePaths = [];
    this.variablesRun = 0;
    this.checks = new Map(); // expression text -> Promise of its check
    this.undo = new UndoStack(100);
  }

  async start() {
    const [types, flow, list, objects, connections] = await Promise.all([
      api("GET", "/api/node-types"),
      api("GET", `/api/microflows/${encodeURIComponent(this.name)}`),
      api("GET", "/api/microflows"),
      api("GET", "/api/business-objects").then((r) => r.body.items.map((o) => o.name), () => []),
      api("GET", "/api/connections").then((r) => r.body.items.map((c) => ({ name: c.name, kind: c.kind })), () => []),
    ]);
    this.types = types.body;
    this.microflows = list.body.items.map((m) => m.name);
    this.objects = objects;
    this.connections = connections;
    document.body.append(el("datalist", { id: VARIABLES_LIST }));
    this.canvas = new FlowCanvas($("#canvas"), {
      types: this.types,
      branchPort: BRANCH,
      onChange: (kind) => this.changed(kind),
      onSelect: () => this.showSelection(),
      onEdgeSelect: () => this.showSelection(),
    });
    this.buildPalette();
    this.wireToolbar();
    this.wireTabs();
    this.wireRunPanel();
    this.wireVersions();
    this.loadDefinition(flow.body);
    $("#run-input").value = pretty(this.sampleInput());
    await this.refreshVariables();
    this.undo.reset(this.snapshot());
    this.canvas.fit();
    document.body.dataset.readyAt = String(performance.now());
    document.body.dataset.ready = "1";
  }

  // --- definition ---------------------------------------------------------------------
  loadDefinition(definition) {
    const { nodes, edges, version, created_at: _c, created_by: _b, ...rest } = definition;
    this.flow = rest;
    if (!this.viewing) this.version = version;
    this.canvas.load({ nodes, edges });
    this.renderHeader();
    this.renderFlowPanel();
    this.showSelection();
  }

  definition() {
    return { ...this.flow, ...this.canvas.toDefinition() };
  }

  snapshot() {
    return JSON.stringify(this.definition());
  }

  restoreSnapshot(text) {
    const selected = this.canvas.selectedIds();
    const { nodes, edges, ...rest } = JSON.parse(text);
    this.flow = rest;
    this.canvas.load({ nodes, edges });
    this.canvas.select(selected.filter((id) => this.canvas.node(id)));
    this.applyErrors();
    this.renderHeader();
    this.renderFlowPanel();
    this.showSelection();
    this.setDirty(true);
  }

  changed(kind) {
    if (this.viewing) return;
    this.setDirty(true);
    if (kind === "remove" || kind === "paste" || kind === "add") this.showSelection();
    // One undo step per user action: removing a node also removes its edges, one event each.
    if (this.snapshotPending) return;
    this.snapshotPending = true;
    queueMicrotask(() => {
      this.snapshotPending = false;
      this.undo.push(this.snapshot());
      this.updateUndoButtons();
    });
  }

  setDirty(dirty) {
    this.dirty = dirty;
    $("#dirty").hidden = !dirty;
  }

  renderHeader() {
    $("#flow-title").textContent = this.flow.title || this.name;
    $("#flow-name").textContent = this.name;
    $("#flow-version").textContent = this.viewing ? `version ${this.viewing} (read-only)` : `version ${this.version}`;
    document.title = `${this.flow.title || this.name} · OneWeb designer`;
  }

  status(message, kind = "info") {
    const node = $("#status");
    node.textContent = message;
    node.dataset.kind = kind;
  }

  // --- palette ------------------------------------------------------------------------
  buildPalette() {
    const palette = $("#palette-items");
    const help = $("#palette-help");
    const groups = new Map();
    for (const type of this.types) {
      if (!groups.has(type.category)) groups.set(type.category, []);
      groups.get(type.category).push(type);
    }
    for (const [category, types] of groups) {
      palette.append(el("h3", { text: category }));
      for (const type of types) {
        const item = el("button", {
          type: "button", class: "pal-item", draggable: "true", "data-type": type.type, title: type.help,
          style: { "--node-color": type.color },
          onclick: () => this.addFromPalette(type.type),
          onfocus: () => { help.textContent = type.help; },
          onmouseenter: () => { help.textContent = type.help; },
          ondragstart: (event) => {
            event.dataTransfer.setData("application/x-oneweb-node", type.type);
            event.dataTransfer.effectAllowed = "copy";
          },
        }, el("span", { class: "pal-icon", "aria-hidden": "true", text: type.icon }), el("span", { text: type.label }));
        palette.append(item);
      }
    }
    const canvas = $("#canvas");
    canvas.addEventListener("dragover", (event) => {
      if (event.dataTransfer.types.includes("application/x-oneweb-node")) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }
    });
    canvas.addEventListener("drop", (event) => {
      const type = event.dataTransfer.getData("application/x-oneweb-node");
      if (!type || this.viewing) return;
      event.preventDefault();
      const at = this.canvas.toCanvas(event.clientX, event.clientY);
      const id = this.canvas.addNode(type, at.x - 80, at.y - 24);
      this.canvas.select([id]);
    });
  }

  /** Keyboard path: add beside the selected node and wire it from its free port. */
  addFromPalette(type) {
    if (this.viewing) return;
    const [selected] = this.canvas.selectedIds();
    const from = selected && this.canvas.node(selected);
    let at = this.canvas.centre();
    if (from && from.ui) {
      const element = this.canvas.elementFor(selected);
      const placed = this.canvas.df.drawflow.drawflow.Home.data[element.id.slice(5)];
      at = { x: placed.pos_x + 260, y: placed.pos_y + 24 };
    }
    const id = this.canvas.addNode(type, at.x - 80, at.y - 24);
    if (from && type !== "start") {
      const data = this.canvas.toDefinition();
      const port = this.canvas.portsOf(from.type).find((p) => p !== "error" && p !== BRANCH
        && !data.edges.some((e) => e.from === from.id && (e.when || "out") === p));
      if (port) this.canvas.connect(from.id, port, id);
    }
    this.canvas.select([id]);
    this.canvas.elementFor(id).scrollIntoView({ block: "nearest" });
  }

  // --- toolbar and keys -----------------------------------------------------------------
  wireToolbar() {
    $("#btn-save").addEventListener("click", () => this.save());
    $("#btn-undo").addEventListener("click", () => this.doUndo());
    $("#btn-redo").addEventListener("click", () => this.doRedo());
    $("#btn-copy").addEventListener("click", () => this.copy());
    $("#btn-paste").addEventListener("click", () => this.paste());
    $("#btn-delete").addEventListener("click", () => this.deleteSelection());
    $("#btn-zoom-in").addEventListener("click", () => this.canvas.zoomIn());
    $("#btn-zoom-out").addEventListener("click", () => this.canvas.zoomOut());
    $("#btn-fit").addEventListener("click", () => this.canvas.fit());
    $("#btn-export").addEventListener("click", () => this.exportFile());
    document.addEventListener("keydown", (event) => this.onKey(event));
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    this.updateUndoButtons();
  }

  onKey(event) {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === "s") {
      event.preventDefault();
      this.save();
      return;
    }
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (typing) return;
    if (mod && key === "z" && !event.shiftKey) { event.preventDefault(); this.doUndo(); }
    else if (mod && (key === "y" || (key === "z" && event.shiftKey))) { event.preventDefault(); this.doRedo(); }
    else if (mod && key === "c") { this.copy(); }
    else if (mod && key === "v") { event.preventDefault(); this.paste(); }
    else if (mod && key === "a") { event.preventDefault(); this.canvas.selectAll(); }
    else if (key === "delete" || key === "backspace") { event.preventDefault(); this.deleteSelection(); }
    else if (key === "escape") { this.canvas.select([]); }
  }

  updateUndoButtons() {
    $("#btn-undo").disabled = !this.undo.canUndo() || Boolean(this.viewing);
    $("#btn-redo").disabled = !this.undo.canRedo() || Boolean(this.viewing);
  }

  doUndo() {
    if (this.viewing || !this.undo.canUndo()) return;
    this.restoreSnapshot(this.undo.undo());
    this.updateUndoButtons();
    this.status("Undone.");
  }

  doRedo() {
    if (this.viewing || !this.undo.canRedo()) return;
    this.restoreSnapshot(this.undo.redo());
    this.updateUndoButtons();
    this.status("Redone.");
  }

  copy() {
    const fragment = this.canvas.copySelection();
    if (!fragment.nodes.length) return;
    this.clipboard = fragment;
    try { localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(fragment)); } catch { /* private mode */ }
    this.status(`Copied ${fragment.nodes.length} node(s).`);
  }

  paste() {
    if (this.viewing) return;
    let fragment = this.clipboard;
    try { fragment = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) || "null") || fragment; } catch { /* keep */ }
    const pasted = this.canvas.paste(fragment);
    if (pasted.length) this.status(`Pasted ${pasted.length} node(s).`);
  }

  deleteSelection() {
    if (this.viewing) return;
    if (this.canvas.selectedEdge) {
      this.canvas.removeSelectedEdge();
      this.showSelection();
      return;
    }
    const ids = this.canvas.selectedIds();
    if (ids.length) this.canvas.removeNodes(ids);
  }

  exportFile() {
    const blob = new Blob([JSON.stringify(this.definition(), null, 2)], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: `${this.name}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // --- save and validation errors -------------------------------------------------------
  async save() {
    if (this.viewing) return;
    // Let a field being edited commit its value first.
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    const body = this.definition();
    $("#btn-save").disabled = true;
    this.status("Saving…");
    try {
      // A dry validation first: an invalid draft is a normal state, not a failed request.
      const { body: check } = await api("POST", "/api/microflows/validate", body);
      if (!check.ok) {
        this.showProblems(check.details);
        return;
      }
      const { body: saved } = await api("PUT", `/api/microflows/${encodeURIComponent(this.name)}`, body);
      this.version = saved.version;
      this.errors = new Map();
      this.flowErrors = [];
      this.applyErrors();
      this.setDirty(false);
      this.renderHeader();
      this.status(`Saved as version ${saved.version}.`, "ok");
      if ($("#tab-versions").getAttribute("aria-selected") === "true") this.loadVersions();
    } catch (error) {
      if (error instanceof ApiFailure && error.code === "invalid_flow") this.showProblems(error.details);
      else this.status(`Not saved: ${error.message}`, "error");
    } finally {
      $("#btn-save").disabled = Boolean(this.viewing);
    }
  }

  showProblems(details) {
    this.errors = new Map();
    this.flowErrors = [];
    for (const detail of details) {
      if (detail.node && this.canvas.node(detail.node)) {
        if (!this.errors.has(detail.node)) this.errors.set(detail.node, []);
        this.errors.get(detail.node).push(detail);
      } else {
        this.flowErrors.push(detail);
      }
    }
    this.applyErrors();
    this.status(`Not saved: ${details.length} problem(s) — see the marked nodes.`, "error");
    const first = details.find((d) => d.node && this.canvas.node(d.node));
    if (first) this.canvas.select([first.node]);
    this.showTab("tab-properties");
    this.showSelection();
  }

  applyErrors() {
    const byNode = new Map();
    for (const [id, details] of this.errors) {
      byNode.set(id, details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)));
    }
    this.canvas.setNodeErrors(byNode);
    const list = clear($("#flow-errors"));
    list.hidden = !this.flowErrors.length;
    for (const detail of this.flowErrors) {
      list.append(el("li", { text: detail.field ? `${detail.field}: ${detail.message}` : detail.message }));
    }
  }

  checkExpression(text) {
    if (!this.checks.has(text)) {
      if (this.checks.size > 500) this.checks.clear();
      this.checks.set(text, new Promise((resolve) => {
        setTimeout(() => {
          api("POST", "/api/expressions/check", { expression: text })
            .then((r) => resolve(r.body))
            .catch(() => resolve({ ok: true, errors: [] }));
        }, 250);
      }));
    }
    return this.checks.get(text);
  }

  // --- side panel -------------------------------------------------------------------------
  wireTabs() {
    const tabs = [...document.querySelectorAll("[role=tab]")];
    const show = (tab) => {
      for (const other of tabs) {
        const selected = other === tab;
        other.setAttribute("aria-selected", String(selected));
        other.tabIndex = selected ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
      }
      if (tab.id === "tab-versions") this.loadVersions();
    };
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", () => show(tab));
      tab.addEventListener("keydown", (event) => {
        const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        const next = tabs[(index + step + tabs.length) % tabs.length];
        show(next);
        next.focus();
      });
    });
    this.showTab = (id) => show(document.getElementById(id));
  }

  showSelection() {
    const panel = clear($("#panel-properties"));
    const edge = this.canvas.selectedEdge;
    if (edge) return this.renderEdge(panel, edge);
    const ids = this.canvas.selectedIds();
    if (ids.length > 1) {
      panel.append(el("p", { text: `${ids.length} nodes selected.` }),
        el("p", { class: "muted", text: "Copy (Ctrl+C), paste (Ctrl+V), delete (Del), or drag them together." }));
      return undefined;
    }
    if (!ids.length) {
      panel.append(el("p", { class: "muted", text: "Select a node to edit it, or drag one in from the palette." }));
      return undefined;
    }
    return this.renderNode(panel, this.canvas.node(ids[0]));
  }

  renderNode(panel, node) {
    const type = this.types.find((t) => t.type === node.type);
    const readOnly = Boolean(this.viewing);
    const details = this.errors.get(node.id) || [];
    const general = details.filter((d) => !d.field || !(type && type.config_schema.properties && d.field.split(".")[0] in type.config_schema.properties));
    const serverErrors = new Map();
    for (const d of details) {
      if (!general.includes(d)) {
        if (!serverErrors.has(d.field)) serverErrors.set(d.field, []);
        serverErrors.get(d.field).push(d.message);
      }
    }
    panel.append(el("h2", { class: "prop-type" }, el("span", { "aria-hidden": "true", text: type ? type.icon : "?" }), ` ${type ? type.label : node.type}`));
    if (type) panel.append(el("p", { class: "muted", text: type.help }));
    if (type && type.example && Object.keys(type.example).length) {
      panel.append(el("details", { class: "example" }, el("summary", { text: "Example settings" }), el("pre", { text: pretty(type.example) })));
    }
    if (general.length) {
      panel.append(el("ul", { class: "node-problems", role: "alert" }, general.map((d) => el("li", { text: d.field ? `${d.field}: ${d.message}` : d.message }))));
    }
    const idProblem = el("div", { class: "sf-problem", role: "alert", hidden: true });
    const idInput = el("input", { id: "prop-id", type: "text", value: node.id, class: "sf-input", spellcheck: "false", disabled: readOnly });
    idInput.addEventListener("change", () => {
      const problem = this.canvas.updateNode(node.id, { id: idInput.value.trim() });
      idProblem.textContent = problem || "";
      idProblem.hidden = !problem;
      if (problem) idInput.value = node.id;
    });
    const titleInput = el("input", { id: "prop-title", type: "text", value: node.title || "", class: "sf-input", maxlength: 200, disabled: readOnly });
    titleInput.addEventListener("change", () => this.canvas.updateNode(node.id, { title: titleInput.value }));
    panel.append(
      el("div", { class: "sf-row" }, el("label", { for: "prop-id", class: "sf-label", text: "Id" }), idInput, idProblem),
      el("div", { class: "sf-row" }, el("label", { for: "prop-title", class: "sf-label", text: "Title" }), titleInput),
    );
    if (type) {
      const form = schemaForm(type.config_schema, {
        value: node.config,
        microflows: this.microflows,
        connections: this.connections,
        variables: () => this.variablePaths,
        variablesList: VARIABLES_LIST,
        serverErrors,
        checkExpression: (text) => this.checkExpression(text),
        onChange: (config) => this.canvas.updateNode(node.id, { config }),
      });
      if (readOnly) form.element.querySelectorAll("input, textarea, select, button").forEach((c) => { c.disabled = true; });
      panel.append(el("fieldset", { class: "config" }, el("legend", { text: "Settings" }), form.element));
    }
    this.renderStep(panel, node.id);
    if (!readOnly) {
      panel.append(el("button", { type: "button", class: "danger", onclick: () => this.canvas.removeNodes([node.id]) }, "Delete node"));
    }
  }

  renderEdge(panel, edge) {
    const extras = this.canvas.edgeExtrasOf(edge);
    panel.append(el("h2", { text: "Edge" }), el("p", { text: `${edge.from} → ${edge.to}` }),
      el("p", { class: "muted", text: `leaves by the '${edge.port}' port` }));
    if (edge.port === BRANCH) {
      const schema = { type: "object", properties: { condition: { type: "string", format: "cel", title: "Condition", description: "tried in edge order; the first true one is taken" }, otherwise: { type: "boolean", title: "Otherwise (taken when no condition holds)" } } };
      const form = schemaForm(schema, {
        value: { condition: extras.condition, otherwise: extras.when === "otherwise" },
        checkExpression: (text) => this.checkExpression(text),
        onChange: (value) => this.canvas.updateEdge(edge.key, { condition: value.otherwise ? undefined : value.condition, when: value.otherwise ? "otherwise" : undefined }),
      });
      panel.append(form.element);
    }
    const label = el("input", { id: "edge-label", type: "text", class: "sf-input", value: extras.label || "", maxlength: 200, disabled: Boolean(this.viewing) });
    label.addEventListener("change", () => this.canvas.updateEdge(edge.key, { label: label.value }));
    panel.append(el("div", { class: "sf-row" }, el("label", { for: "edge-label", class: "sf-label", text: "Label" }), label));
    if (!this.viewing) panel.append(el("button", { type: "button", class: "danger", onclick: () => this.deleteSelection() }, "Delete edge"));
  }

  renderStep(panel, nodeId) {
    const steps = this.steps.get(nodeId);
    if (!steps || !steps.length) return;
    const step = steps[steps.length - 1];
    const box = el("section", { class: "step", "aria-label": "Last test run of this node" },
      el("h3", { text: `Last run: ${step.status}${step.duration_ms != null ? ` in ${Number(step.duration_ms).toFixed(1)} ms` : ""}${steps.length > 1 ? ` (visited ${steps.length}×)` : ""}` }));
    if (step.variables && Object.keys(step.variables).length) box.append(el("h4", { text: "Variables it set" }), el("pre", { class: "step-variables", text: pretty(step.variables) }));
    if (step.error) box.append(el("h4", { text: "Error" }), el("pre", { class: "step-error", text: pretty(step.error) }));
    panel.append(box);
  }

  // --- flow tab: title, description, params -------------------------------------------------
  renderFlowPanel() {
    const readOnly = Boolean(this.viewing);
    const panel = clear($("#flow-fields"));
    const title = el("input", { id: "flow-title-input", type: "text", class: "sf-input", value: this.flow.title || "", maxlength: 200, disabled: readOnly });
    title.addEventListener("change", () => { this.flow.title = title.value; this.renderHeader(); this.changed("flow"); });
    const description = el("textarea", { id: "flow-description", class: "sf-input", rows: 3, disabled: readOnly });
    description.value = this.flow.description || "";
    description.addEventListener("change", () => { this.flow.description = description.value || undefined; this.changed("flow"); });
    panel.append(
      el("div", { class: "sf-row" }, el("label", { for: "flow-title-input", class: "sf-label", text: "Title" }), title),
      el("div", { class: "sf-row" }, el("label", { for: "flow-description", class: "sf-label", text: "Description" }), description),
    );
    const params = clear($("#params"));
    const list = this.flow.params || [];
    list.forEach((param, index) => {
      const update = (patch) => {
        // read the current list: earlier edits of this row replaced it
        this.flow.params = (this.flow.params || []).map((p, i) => (i === index ? { ...p, ...patch } : p));
        for (const [k, v] of Object.entries(patch)) if (v === undefined) delete this.flow.params[index][k];
        this.changed("params");
      };
      const name = el("input", { type: "text", class: "param-name", value: param.name, "aria-label": `Param ${index + 1} name`, spellcheck: "false", disabled: readOnly });
      name.addEventListener("change", () => { update({ name: name.value.trim() }); this.refreshVariables(); });
      const type = el("select", { class: "param-type", "aria-label": `Param ${index + 1} type`, disabled: readOnly },
        PARAM_TYPES.map((t) => el("option", { value: t, text: t })));
      type.value = param.type || "any";
      const objectNames = [...new Set([...this.objects, ...(param.object ? [param.object] : [])])];
      const objectSelect = el("select", { class: "param-object", "aria-label": `Param ${index + 1} business object`, disabled: readOnly },
        el("option", { value: "", text: "— no business object" }),
        objectNames.map((n) => el("option", { value: n, text: n })));
      objectSelect.value = param.object || "";
      type.addEventListener("change", () => {
        const typed = type.value === "object" || type.value === "array";
        if (!typed) objectSelect.value = "";
        update(typed ? { type: type.value } : { type: type.value, object: undefined, object_version: undefined });
        this.refreshVariables();
      });
      objectSelect.addEventListener("change", () => {
        if (!objectSelect.value) {
          update({ object: undefined, object_version: undefined });
        } else {
          type.value = type.value === "array" ? "array" : "object";
          update({ type: type.value, object: objectSelect.value, object_version: undefined });
        }
        this.refreshVariables();
      });
      const required = el("input", { type: "checkbox", class: "param-required", checked: param.required, "aria-label": `Param ${index + 1} required`, disabled: readOnly });
      required.addEventListener("change", () => update({ required: required.checked }));
      const fallback = el("input", { type: "text", class: "param-default", value: param.default === undefined || param.default === null ? "" : JSON.stringify(param.default), placeholder: "default (JSON)", "aria-label": `Param ${index + 1} default`, disabled: readOnly });
      fallback.addEventListener("change", () => {
        if (!fallback.value.trim()) return update({ default: undefined });
        try { return update({ default: JSON.parse(fallback.value) }); } catch { fallback.setCustomValidity("not JSON"); fallback.reportValidity(); return undefined; }
      });
      const remove = el("button", { type: "button", class: "icon", "aria-label": `Remove param ${param.name}`, title: "Remove", disabled: readOnly,
        onclick: () => { this.flow.params = (this.flow.params || []).filter((_, i) => i !== index); this.renderFlowPanel(); this.changed("params"); } }, "×");
      params.append(el("div", { class: "param-row" }, name, type, el("label", { class: "inline" }, required, " required"), objectSelect, fallback, remove));
    });
    $("#btn-add-param").disabled = readOnly;
    this.refreshVariables();
  }

  // --- variable paths: the params and the fields of their business objects ----------------
  async refreshVariables() {
    const run = ++this.variablesRun;
    const paths = [];
    for (const param of this.flow.params || []) {
      if (!param.name) continue;
      paths.push(param.name);
      if (param.object) {
        const prefix = param.type === "array" ? `${param.name}[0]` : param.name;
        await this.objectPaths(param.object, param.object_version, prefix, paths, 0);
      }
    }
    if (run !== this.variablesRun) return; // a later refresh is under way
    this.variablePaths = paths;
    const list = document.getElementById(VARIABLES_LIST);
    if (list) clear(list).append(...paths.map((path) => el("option", { value: path })));
  }

  objectDefinition(name, version) {
    const key = `${name}@${version || ""}`;
    if (!this.objectDefs.has(key)) {
      const path = `/api/business-objects/${encodeURIComponent(name)}${version ? `/versions/${Number(version)}` : ""}`;
      this.objectDefs.set(key, api("GET", path).then((r) => r.body, () => null));
    }
    return this.objectDefs.get(key);
  }

  async objectPaths(name, version, prefix, paths, depth) {
    if (depth >= OBJECT_DEPTH) return;
    const definition = await this.objectDefinition(name, version);
    if (definition) await this.fieldPaths(definition.fields || [], prefix, paths, depth);
  }

  async fieldPaths(fields, prefix, paths, depth) {
    for (const field of fields) {
      const path = `${prefix}.${field.name}`;
      paths.push(path);
      const inner = field.type === "array" ? field.items || {} : field;
      const at = field.type === "array" ? `${path}[0]` : path;
      if (inner.object) await this.objectPaths(inner.object, inner.object_version, at, paths, depth + 1);
      else if (Array.isArray(inner.fields) && depth + 1 < OBJECT_DEPTH) await this.fieldPaths(inner.fields, at, paths, depth + 1);
    }
  }

  addParam() {
    const params = this.flow.params || [];
    let n = params.length + 1;
    while (params.some((p) => p.name === `param${n}`)) n += 1;
    this.flow.params = [...params, { name: `param${n}`, type: "string" }];
    this.renderFlowPanel();
    this.changed("params");
    const inputs = document.querySelectorAll("#params .param-name");
    inputs[inputs.length - 1].focus();
    inputs[inputs.length - 1].select();
  }

  // --- test run -------------------------------------------------------------------------
  wireRunPanel() {
    $("#btn-add-param").addEventListener("click", () => this.addParam());
    $("#btn-run").addEventListener("click", () => this.run());
    $("#btn-sample").addEventListener("click", () => { $("#run-input").value = pretty(this.sampleInput()); });
  }

  sampleInput() {
    const params = this.flow.params || [];
    const samples = { string: "", number: 0, integer: 0, boolean: false, object: {}, array: [], any: null };
    const input = {};
    for (const p of params) input[p.name] = p.default !== undefined && p.default !== null ? p.default : samples[p.type || "any"];
    return input;
  }

  async run() {
    let input;
    const problem = $("#run-problem");
    try {
      input = JSON.parse($("#run-input").value || "{}");
      if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("an object");
      problem.hidden = true;
    } catch {
      problem.textContent = "The input must be a JSON object.";
      problem.hidden = false;
      return;
    }
    const mode = document.querySelector("input[name=run-mode]:checked").value;
    if (this.socket) this.socket.close();
    this.steps = new Map();
    this.canvas.clearRunState();
    const output = $("#run-output");
    output.textContent = "";
    $("#run-status").textContent = this.dirty ? `Running saved version ${this.version} (unsaved changes are not included)…` : "Running…";
    $("#run-status").dataset.status = "running";
    try {
      const { status, body } = await api("POST", `/api/microflows/${encodeURIComponent(this.name)}/test-run`, { input, mode });
      $("#run-id").textContent = body.id || "";
      if (status === 202) {
        this.watch(body.id);
        return;
      }
      if (body.status === "invalid_input") {
        $("#run-status").textContent = `Not run: ${body.error.message}`;
        $("#run-status").dataset.status = "failed";
        output.textContent = pretty(body.error.details);
        return;
      }
      this.applySteps(body.steps);
      this.finishRun(body.status, body.output, body.error, body.duration_ms);
    } catch (error) {
      $("#run-status").textContent = `Not run: ${error.message}`;
      $("#run-status").dataset.status = "failed";
    }
  }

  watch(id) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/executions/${encodeURIComponent(id)}/`);
    this.socket = socket;
    $("#run-status").textContent = "Queued…";
    socket.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event.type === "execution.state") {
        this.applySteps(event.steps || []);
        if (event.status === "succeeded" || event.status === "failed") {
          this.finishRun(event.status, event.output, event.error, event.duration_ms);
          socket.close();
        } else {
          $("#run-status").textContent = event.status === "running" ? "Running…" : "Queued…";
        }
      } else if (event.type === "node.finished") {
        $("#run-status").textContent = "Running…";
        this.canvas.setNodeStatus(event.node, event.status, event.duration_ms);
        this.addStep({ node: event.node, status: event.status, duration_ms: event.duration_ms });
      } else if (event.type === "execution.finished") {
        this.finishRun(event.status, event.output, event.error);
        socket.close();
        api("GET", `/api/executions/${encodeURIComponent(id)}`).then(({ body }) => this.applySteps(body.steps)).catch(() => {});
      }
    });
    socket.addEventListener("error", () => { $("#run-status").textContent = "Lost the live connection; see Executions for the result."; });
  }

  addStep(step) {
    if (!this.steps.has(step.node)) this.steps.set(step.node, []);
    this.steps.get(step.node).push(step);
  }

  applySteps(steps) {
    this.steps = new Map();
    for (const step of steps || []) {
      this.addStep(step);
      this.canvas.setNodeStatus(step.node, step.status, step.duration_ms);
    }
    this.showSelection();
  }

  finishRun(status, output, error, durationMs) {
    const line = $("#run-status");
    line.dataset.status = status;
    line.textContent = `${status === "succeeded" ? "Succeeded" : "Failed"}${durationMs != null ? ` in ${Number(durationMs).toFixed(1)} ms` : ""}. Click a node to see what it did.`;
    $("#run-output").textContent = status === "succeeded" ? pretty(output) : pretty(error);
  }

  // --- versions ---------------------------------------------------------------------------
  wireVersions() {
    $("#btn-diff").addEventListener("click", () => this.diff());
    $("#btn-back").addEventListener("click", () => this.leaveVersion());
    $("#btn-restore").addEventListener("click", () => this.restoreVersion(this.viewing));
  }

  async loadVersions() {
    const { body } = await api("GET", `/api/microflows/${encodeURIComponent(this.name)}/versions`);
    const list = clear($("#versions"));
    const from = clear($("#diff-from"));
    const to = clear($("#diff-to"));
    for (const v of body) {
      list.append(el("li", { "data-version": v.version },
        el("strong", { text: `v${v.version}` }), " ",
        el("span", { class: "muted", text: `${when(v.created_at)}${v.created_by ? ` · ${v.created_by}` : ""}` }),
        v.comment ? el("div", { class: "muted", text: v.comment }) : null,
        el("div", { class: "row" },
          el("button", { type: "button", class: "small", onclick: () => this.viewVersion(v.version) }, "View"),
          v.version !== this.version ? el("button", { type: "button", class: "small", onclick: () => this.restoreVersion(v.version) }, "Restore") : null)));
      from.append(el("option", { value: v.version, text: `v${v.version}` }));
      to.append(el("option", { value: v.version, text: `v${v.version}` }));
    }
    if (body.length > 1) from.value = String(body[1].version);
  }

  async viewVersion(version) {
    if (this.dirty && !window.confirm("Viewing an old version leaves your unsaved changes. Continue?")) return;
    const { body } = await api("GET", `/api/microflows/${encodeURIComponent(this.name)}/versions/${version}`);
    this.latest = this.latest || this.snapshot();
    this.viewing = version;
    this.canvas.setReadOnly(true);
    this.loadDefinition(body);
    this.canvas.fit();
    $("#viewing").hidden = false;
    $("#viewing-text").textContent = `You are viewing version ${version}, read-only.`;
    $("#btn-save").disabled = true;
    this.updateUndoButtons();
  }

  leaveVersion() {
    if (!this.viewing) return;
    this.viewing = null;
    this.canvas.setReadOnly(false);
    const latest = this.latest;
    this.latest = null;
    const { nodes, edges, ...rest } = JSON.parse(latest);
    this.flow = rest;
    this.canvas.load({ nodes, edges });
    $("#viewing").hidden = true;
    $("#btn-save").disabled = false;
    this.renderHeader();
    this.renderFlowPanel();
    this.showSelection();
    this.updateUndoButtons();
  }

  async restoreVersion(version) {
    if (!version) return;
    if (this.dirty && !this.viewing && !window.confirm("Restoring discards your unsaved changes. Continue?")) return;
    const { body } = await api("POST", `/api/microflows/${encodeURIComponent(this.name)}/versions/${version}/restore`);
    this.viewing = null;
    this.latest = null;
    this.canvas.setReadOnly(false);
    $("#viewing").hidden = true;
    $("#btn-save").disabled = false;
    this.version = body.version;
    this.loadDefinition(body);
    this.undo.reset(this.snapshot());
    this.updateUndoButtons();
    this.setDirty(false);
    this.status(`Version ${version} restored as version ${body.version}.`, "ok");
    this.loadVersions();
  }

  async diff() {
    const from = $("#diff-from").value;
    const to = $("#diff-to").value;
    const out = clear($("#diff"));
    const { body } = await api("GET", `/api/microflows/${encodeURIComponent(this.name)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const lines = [];
    const edgeText = (e) => `${e.from} → ${e.to}${e.when ? ` (${e.when})` : ""}${e.condition ? ` if ${e.condition}` : ""}`;
    for (const n of body.nodes.added) lines.push(["added", `node ${n.id} (${n.type})`]);
    for (const n of body.nodes.removed) lines.push(["removed", `node ${n.id} (${n.type})`]);
    for (const n of body.nodes.changed) lines.push(["changed", `node ${n.id}: ${n.fields.join(", ")}`]);
    for (const id of body.nodes.moved) lines.push(["moved", `node ${id} moved`]);
    for (const e of body.edges.added) lines.push(["added", `edge ${edgeText(e)}`]);
    for (const e of body.edges.removed) lines.push(["removed", `edge ${edgeText(e)}`]);
    for (const c of body.edges.changed) lines.push(["changed", `edge ${edgeText(c.edge)}: ${c.fields.join(", ")}`]);
    for (const p of body.params.added) lines.push(["added", `param ${p.name} (${p.type})`]);
    for (const p of body.params.removed) lines.push(["removed", `param ${p.name}`]);
    for (const p of body.params.changed) lines.push(["changed", `param ${p.name}`]);
    for (const f of body.flow) lines.push(["changed", `flow ${f}`]);
    out.append(el("h3", { text: `v${body.from} → v${body.to}` }));
    if (!lines.length) out.append(el("p", { class: "muted", text: "No differences." }));
    const marks = { added: "+", removed: "−", changed: "~", moved: "↔" };
    out.append(el("ul", { class: "diff-list" }, lines.map(([kind, line]) => el("li", { class: `diff-${kind}` }, el("span", { class: "diff-mark", "aria-label": kind, text: marks[kind] }), ` ${line}`))));
  }
}

const name = pageData("flow-name-data");
const editor = new Editor(name);
window.onewebEditor = editor;
editor.start().catch((error) => {
  const message = error instanceof ApiFailure && error.status === 404 ? `There is no microflow named '${name}'.` : `The editor could not start: ${error.message}`;
  document.getElementById("status").textContent = message;
  document.getElementById("status").dataset.kind = "error";
  document.body.dataset.ready = "failed";
});
