/* The form designer: edits a form definition (fields, buttons, input/output maps) with
   pickers for the target's params and outputs and for the form's fields, shows a live
   preview (render.js), and saves through the forms API (POST new, PUT a new version).
   Text from the definition is only ever set through .value / textContent. */
(function () {
  "use strict";
  const { render, el } = window.OneWebForms;
  const context = JSON.parse(document.getElementById("fd-context").textContent);
  const loaded = JSON.parse(document.getElementById("fd-definition").textContent);
  const TYPES = ["text", "number", "integer", "date", "select", "checkbox", "textarea", "email"];
  const state = loaded
    ? { name: loaded.name, title: loaded.title || "", description: loaded.description || "",
        fields: loaded.fields || [], buttons: loaded.buttons || [] }
    : { name: "", title: "", description: "", fields: [], buttons: [] };
  const targets = { microflows: [], processes: [] };
  const outlines = {}; // "microflow:name" / "process:name" -> {params: [...], outputs: [...]}
  const $ = (id) => document.getElementById(id);

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : context.csrf;
  }
  async function call(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { status: response.status, data };
  }

  // --- small builders --------------------------------------------------------------------
  function labelled(text, input) { const label = el("label", {}, text); label.appendChild(input); return label; }
  function textInput(value, onInput, attrs) {
    const input = el("input", { type: "text", ...(attrs || {}) });
    input.value = value === undefined || value === null ? "" : String(value);
    input.addEventListener("input", () => { onInput(input.value); changed(); });
    return input;
  }
  function checkbox(text, checked, onChange) {
    const input = el("input", { type: "checkbox" });
    input.checked = Boolean(checked);
    input.addEventListener("change", () => { onChange(input.checked); changed(); });
    const label = el("label", { className: "inline" });
    label.append(input, document.createTextNode(text));
    return label;
  }
  function select(values, current, onChange, attrs) {
    const input = el("select", attrs || {});
    for (const item of values) {
      const [value, text] = Array.isArray(item) ? item : [item, item];
      input.appendChild(el("option", { value }, text));
    }
    input.value = current === undefined || current === null ? "" : String(current);
    input.addEventListener("change", () => onChange(input.value));
    return input;
  }
  function tools(list, index, rebuild) {
    const box = el("div", { className: "tools" });
    const up = el("button", { type: "button", className: "btn small", "aria-label": "Move up" }, "↑");
    const down = el("button", { type: "button", className: "btn small", "aria-label": "Move down" }, "↓");
    const remove = el("button", { type: "button", className: "btn small", "aria-label": "Remove" }, "✕");
    up.disabled = index === 0;
    down.disabled = index === list.length - 1;
    up.addEventListener("click", () => { [list[index - 1], list[index]] = [list[index], list[index - 1]]; rebuild(); });
    down.addEventListener("click", () => { [list[index + 1], list[index]] = [list[index], list[index + 1]]; rebuild(); });
    remove.addEventListener("click", () => { list.splice(index, 1); rebuild(); });
    box.append(up, down, remove);
    return box;
  }

  // --- fields ----------------------------------------------------------------------------
  function optionsText(options) {
    return (options || []).map((o) => (o.label && o.label !== String(o.value) ? `${o.value}|${o.label}` : String(o.value))).join("\n");
  }
  function parseOptions(text) {
    return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [value, ...rest] = line.split("|");
      return rest.length ? { value: value.trim(), label: rest.join("|").trim() } : { value: value.trim() };
    });
  }

  function fieldCard(field, index) {
    const card = el("fieldset", { className: "fd-card fd-field", "data-index": index });
    card.appendChild(el("legend", {}, `Field ${index + 1}`));
    const grid = el("div", { className: "grid2" });
    const name = textInput(field.name, (v) => { field.name = v; }, { "data-prop": "name", spellcheck: "false" });
    name.addEventListener("change", rebuildButtons); // the mapping pickers list the fields by name
    grid.append(
      labelled("Name", name),
      labelled("Label", textInput(field.label, (v) => { field.label = v; }, { "data-prop": "label" })),
    );
    const type = select(TYPES, field.type || "text", (v) => { field.type = v; rebuildFields(); }, { "data-prop": "type" });
    grid.append(labelled("Type", type),
      labelled("Default", textInput(field.default, (v) => { field.default = v === "" ? undefined : v; }, { "data-prop": "default" })));
    card.appendChild(grid);
    const flags = el("div", { className: "inline" });
    flags.append(checkbox("Required", field.required, (v) => { field.required = v; }),
      checkbox("Read-only", field.readonly, (v) => { field.readonly = v; }));
    card.appendChild(flags);
    if ((field.type || "text") === "select") {
      const options = el("textarea", { rows: 3, "data-prop": "options", placeholder: "one per line: value|label" });
      options.value = optionsText(field.options);
      options.addEventListener("input", () => { field.options = parseOptions(options.value); changed(); });
      card.appendChild(labelled("Options (value|label, one per line)", options));
    }
    card.appendChild(tools(state.fields, index, rebuildFields));
    return card;
  }

  function rebuildFields() {
    const box = $("fd-fields");
    box.replaceChildren(...state.fields.map(fieldCard));
    rebuildButtons();
  }

  // --- buttons ---------------------------------------------------------------------------
  async function outline(kind, name) {
    const key = `${kind}:${name}`;
    if (!name) return null;
    if (outlines[key]) return outlines[key];
    let found = null;
    if (kind === "microflow") {
      const { status, data } = await call("GET", `/api/form-targets/microflows/${encodeURIComponent(name)}`);
      if (status === 200) found = { params: data.params, outputs: data.outputs };
    } else {
      const { status, data } = await call("GET", `/api/processes/${encodeURIComponent(name)}`);
      if (status === 200) found = { params: data.params || [], outputs: [] };
    }
    outlines[key] = found;
    return found;
  }

  function fieldNames() { return state.fields.map((f) => f.name).filter(Boolean); }

  function mapRow(key, mapping, pickValues, pickText, keyLabel) {
    const row = el("div", { className: "fd-map-row", "data-key": key });
    const expr = textInput(mapping[key] || "", (v) => { if (v) mapping[key] = v; else delete mapping[key]; },
      { className: "expr", "aria-label": `Expression for ${key}`, spellcheck: "false" });
    const picker = select([["", pickText], ...pickValues.map((v) => [v, v])], "", (v) => {
      if (!v) return;
      expr.value = v;
      mapping[key] = v;
      picker.value = "";
      changed();
    }, { "aria-label": `${pickText} for ${key}`, className: "picker" });
    row.append(el("span", { className: "key" }, keyLabel || key), expr, picker);
    return row;
  }

  function buttonCard(button, index) {
    const card = el("fieldset", { className: "fd-card fd-button", "data-index": index });
    card.appendChild(el("legend", {}, `Button ${index + 1}`));
    const kind = button.process !== undefined ? "process" : "microflow";
    const grid = el("div", { className: "grid2" });
    grid.appendChild(labelled("Label", textInput(button.label, (v) => { button.label = v; }, { "data-prop": "label" })));
    grid.appendChild(labelled("Calls", select([["microflow", "a microflow"], ["process", "a process"]], kind, (v) => {
      const name = "";
      delete button.microflow; delete button.process; delete button.blocking; delete button.timeout_s;
      button[v] = name;
      button.input = {}; button.output = {};
      rebuildButtons(); changed();
    }, { "data-prop": "kind" })));
    const names = kind === "process" ? targets.processes : targets.microflows;
    grid.appendChild(labelled(kind === "process" ? "Process" : "Microflow",
      select([["", "— choose —"], ...names.map((n) => [n, n])], button[kind] || "", (v) => {
        button[kind] = v;
        button.input = {};
        if (kind === "microflow") button.output = {};
        rebuildButtons(); changed();
      }, { "data-prop": "target" })));
    if (kind === "microflow") {
      const timeout = el("input", { type: "number", min: "1", step: "1", "data-prop": "timeout_s" });
      timeout.value = button.timeout_s || 30;
      timeout.addEventListener("input", () => { button.timeout_s = Number(timeout.value) || 30; changed(); });
      grid.appendChild(labelled("Timeout (s)", timeout));
    }
    card.appendChild(grid);
    if (kind === "microflow") {
      card.appendChild(checkbox("Blocking (the screen waits for the answer)", button.blocking !== false,
        (v) => { button.blocking = v; }));
    }
    const inputBox = el("div", { className: "fd-map fd-input" });
    const outputBox = el("div", { className: "fd-map fd-output" });
    card.append(el("h4", {}, "Input: params ← expressions over the form's fields"), inputBox);
    if (kind === "microflow") card.append(el("h4", {}, "Output: fields ← expressions over the microflow's output"), outputBox);
    card.appendChild(tools(state.buttons, index, rebuildButtons));
    button.input = button.input || {};
    button.output = button.output || {};
    outline(kind, button[kind]).then((found) => {
      const params = found ? found.params.map((p) => p.name) : [];
      const keys = [...new Set([...params, ...Object.keys(button.input)])];
      if (!keys.length) inputBox.appendChild(el("span", { className: "help" }, button[kind] ? "No params." : "Choose a target first."));
      for (const key of keys) {
        const param = found && found.params.find((p) => p.name === key);
        const text = param ? `${key}${param.required ? " *" : ""}` : `${key} (unknown)`;
        inputBox.append(...mapRow(key, button.input, fieldNames(), "⟵ field", text).children);
      }
      if (kind === "microflow") {
        const outputs = found ? [...found.outputs] : [];
        for (const name of fieldNames()) {
          outputBox.append(...mapRow(name, button.output, outputs, "⟵ output").children);
        }
      }
    });
    return card;
  }

  function rebuildButtons() {
    $("fd-buttons").replaceChildren(...state.buttons.map(buttonCard));
    changed();
  }

  // --- preview and saving ------------------------------------------------------------------
  function definition() {
    const fields = state.fields.map((f) => {
      const out = { ...f };
      if (out.type !== "select") delete out.options;
      if (out.default === undefined || out.default === "") delete out.default;
      else if ((out.type === "number" || out.type === "integer") && !Number.isNaN(Number(out.default))) out.default = Number(out.default);
      else if (out.type === "checkbox") out.default = out.default === true || out.default === "true";
      return out;
    });
    return { name: state.name, title: state.title, description: state.description, fields, buttons: state.buttons };
  }

  function changed() {
    const current = definition();
    $("pv-title").textContent = current.title || current.name || "Untitled form";
    try {
      render(current, $("pv-fields"), { idPrefix: "pv-" });
    } catch (_) { /* a half-typed definition: the preview catches up on the next change */ }
    const buttons = $("pv-buttons");
    buttons.replaceChildren(...current.buttons.map((b) => {
      const kind = b.process !== undefined ? "process" : b.blocking === false ? "background" : "blocking";
      const wrap = el("div", { className: "form-button" });
      wrap.appendChild(el("button", { type: "button", className: `btn ${kind}`, disabled: true }, b.label || "(no label)"));
      wrap.appendChild(el("span", { className: "button-message info" },
        kind === "process" ? "starts a process" : kind === "background" ? "runs in the background" : "blocks until it answers"));
      return wrap;
    }));
  }

  function showProblems(problems) {
    const list = $("fd-problems");
    list.replaceChildren(...problems.map((p) => el("li", {}, p.field ? `${p.field}: ${p.message}` : p.message)));
  }

  async function save() {
    const body = definition();
    const url = context.name ? `/api/forms/${encodeURIComponent(context.name)}` : "/api/forms";
    $("fd-status").textContent = "Saving…";
    const { status, data } = await call(context.name ? "PUT" : "POST", url, body)
      .catch(() => ({ status: 0, data: null }));
    if (status === 200 || status === 201) {
      showProblems([]);
      $("fd-status").textContent = `Saved version ${data.version}.`;
      if (!context.name) location.assign(`/designer/forms/${encodeURIComponent(data.name)}/`);
    } else {
      $("fd-status").textContent = "Not saved.";
      showProblems(data && data.error ? (data.error.details.length ? data.error.details : [data.error]) : [{ message: "The server could not be reached." }]);
    }
  }

  // --- start -------------------------------------------------------------------------------
  $("fd-name").value = state.name;
  $("fd-name").readOnly = Boolean(context.name);
  $("fd-title").value = state.title;
  $("fd-description").value = state.description;
  $("fd-name").addEventListener("input", () => { state.name = $("fd-name").value; changed(); });
  $("fd-title").addEventListener("input", () => { state.title = $("fd-title").value; changed(); });
  $("fd-description").addEventListener("input", () => { state.description = $("fd-description").value; changed(); });
  $("fd-add-field").addEventListener("click", () => {
    state.fields.push({ name: `field${state.fields.length + 1}`, label: "", type: "text" });
    rebuildFields();
  });
  $("fd-add-button").addEventListener("click", () => {
    state.buttons.push({ label: "Run", microflow: "", blocking: true, input: {}, output: {} });
    rebuildButtons();
  });
  $("fd-save").addEventListener("click", save);

  Promise.all([call("GET", "/api/microflows"), call("GET", "/api/processes")]).then(([flows, processes]) => {
    targets.microflows = flows.status === 200 ? flows.data.items.map((i) => i.name) : [];
    targets.processes = processes.status === 200 ? processes.data.items.map((i) => i.name) : [];
    rebuildFields();
    document.body.dataset.designerReady = "1";
  });
})();
