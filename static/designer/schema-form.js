// OneWeb designer: a property form generated from a node type's config JSON Schema.
//
// Handles what the pydantic node configs produce: strings (with `format` hints "cel",
// "javascript", "microflow", "connection" — a select of /api/connections names), enums, numbers, booleans, nullable anyOf, and maps of
// expressions ("cel-map"); anything else is edited as JSON. Inline validation follows
// the schema (required, pattern, minimum/maximum); CEL fields are checked by the server
// as you type, and offer the flow's variable paths (params and their business-object
// fields) as hints. Empty optional fields are left out of the config.

import { clear, el } from "./api.js";

function unwrap(schema) {
  // pydantic writes Optional[X] as anyOf [X, null]
  if (schema && Array.isArray(schema.anyOf)) {
    const real = schema.anyOf.filter((s) => s.type !== "null");
    if (real.length === 1) return { ...schema, ...real[0], anyOf: undefined, nullable: true };
  }
  return schema || {};
}

function kindOf(schema) {
  if (schema.format === "cel-map" || (schema.type === "object" && schema.additionalProperties && schema.additionalProperties.format === "cel")) return "cel-map";
  if (schema.enum) return "enum";
  if (schema.type === "string" && schema.format === "connection") return "connection";
  if (schema.type === "string" && schema.format === "cel") return "cel";
  if (schema.type === "string" && schema.format === "javascript") return "javascript";
  if (schema.type === "string" && schema.format === "microflow") return "microflow";
  if (schema.type === "string") return "string";
  if (schema.type === "number" || schema.type === "integer") return "number";
  if (schema.type === "boolean") return "boolean";
  return "json";
}

let uid = 0;

/**
 * Build the form. `options`: value (config), onChange(config), checkExpression(text) ->
 * Promise<{ok, errors}>, microflows (names for pickers), connections ([{name, kind}] for
 * "connection" fields), variables (() -> variable paths, offered as hints on CEL fields),
 * variablesList (the id of a <datalist> of those paths), serverErrors (Map field -> [messages]).
 * Returns {element, validate()} where validate() answers the number of inline problems.
 */
/** A collapsed "Variables" list under a CEL field: filled when opened (so it shows the
 * current paths); a click inserts the path at the cursor. */
function variableHints(input, variables) {
  const box = el("div", { class: "sf-vars-list" });
  const hints = el("details", { class: "sf-vars" }, el("summary", { text: "Variables" }), box);
  hints.addEventListener("toggle", () => {
    if (!hints.open) return;
    clear(box);
    const paths = variables();
    if (!paths.length) box.append(el("span", { class: "muted", text: "no params yet" }));
    for (const path of paths) {
      box.append(el("button", { type: "button", class: "sf-var", text: path, onclick: () => {
        const at = input.selectionStart ?? input.value.length;
        input.value = input.value.slice(0, at) + path + input.value.slice(input.selectionEnd ?? at);
        input.focus();
        input.dispatchEvent(new Event("input"));
        input.dispatchEvent(new Event("change"));
      } }));
    }
  });
  return hints;
}

export function schemaForm(schema, options) {
  const config = { ...(options.value || {}) };
  const required = new Set(schema.required || []);
  const problems = new Map();
  const root = el("div", { class: "schema-form" });
  const emit = () => options.onChange({ ...config });

  const setProblem = (name, message, holder) => {
    if (message) problems.set(name, message); else problems.delete(name);
    holder.textContent = message || "";
    holder.hidden = !message;
  };

  for (const [name, raw] of Object.entries(schema.properties || {})) {
    const prop = unwrap(raw);
    const kind = kindOf(prop);
    const id = `sf-${++uid}`;
    const label = el("label", { for: id, class: "sf-label" }, prop.title || name, required.has(name) ? el("span", { class: "sf-req", "aria-hidden": "true", text: " *" }) : null);
    const help = prop.description ? el("div", { class: "sf-help", text: prop.description }) : null;
    const problem = el("div", { class: "sf-problem", role: "alert", hidden: true });
    const server = el("div", { class: "sf-server" });
    for (const [field, messages] of options.serverErrors || []) {
      if (field === name || field.startsWith(`${name}.`)) {
        for (const message of messages) server.append(el("div", { class: "sf-problem", text: field === name ? message : `${field}: ${message}` }));
      }
    }
    const row = el("div", { class: `sf-row sf-${kind}`, "data-field": name }, label);

    const checkRequired = (value) => (required.has(name) && (value === undefined || value === "") ? "required" : "");
    const checkPattern = (value) => (prop.pattern && value && !new RegExp(prop.pattern).test(value) ? `does not match ${prop.pattern}` : "");
    const store = (value) => {
      if (value === undefined || value === "" || (value === null && !required.has(name))) delete config[name];
      else config[name] = value;
    };

    if (kind === "cel" || kind === "javascript" || kind === "string" || kind === "microflow") {
      const multi = kind === "cel" || kind === "javascript";
      const input = multi
        ? el("textarea", { id, rows: kind === "javascript" ? 6 : 2, spellcheck: "false", class: `sf-input sf-code` })
        : el("input", { id, type: "text", class: "sf-input", spellcheck: "false", list: kind === "microflow" ? `${id}-list` : null });
      input.value = config[name] == null ? "" : String(config[name]);
      if (kind === "microflow") {
        row.append(input, el("datalist", { id: `${id}-list` }, (options.microflows || []).map((m) => el("option", { value: m }))));
      } else {
        row.append(input);
      }
      if (kind === "cel" && options.variables) row.append(variableHints(input, options.variables));
      const validate = () => {
        const value = input.value;
        const message = checkRequired(value) || checkPattern(value);
        setProblem(name, message, problem);
        if (!message && kind === "cel" && value.trim() && options.checkExpression) {
          problem.dataset.pending = "1";
          options.checkExpression(value).then((result) => {
            if (input.value !== value) return;
            delete problem.dataset.pending;
            const first = result.errors && result.errors[0];
            setProblem(name, first ? first.message : "", problem);
          });
        }
      };
      input.addEventListener("input", validate);
      input.addEventListener("change", () => { store(input.value); emit(); });
      row.append(problem, server, help || "");
      root.append(row);
      if (input.value) validate();
      continue;
    }

    if (kind === "enum") {
      const select = el("select", { id, class: "sf-input" },
        !required.has(name) && prop.default === undefined ? el("option", { value: "", text: "—" }) : null,
        prop.enum.map((v) => el("option", { value: String(v), text: String(v) })));
      select.value = config[name] != null ? String(config[name]) : prop.default != null ? String(prop.default) : "";
      select.addEventListener("change", () => { store(select.value); emit(); });
      row.append(select, problem, server, help || "");
      root.append(row);
      continue;
    }

    if (kind === "connection") {
      const known = options.connections || [];
      const current = config[name] == null ? "" : String(config[name]);
      const select = el("select", { id, class: "sf-input sf-connection" },
        el("option", { value: "", text: required.has(name) ? "— pick a connection" : "— none" }),
        known.map((c) => el("option", { value: c.name, text: c.kind ? `${c.name} (${c.kind})` : c.name })),
        current && !known.some((c) => c.name === current) ? el("option", { value: current, text: `${current} (unknown)` }) : null);
      select.value = current;
      const validate = () => setProblem(name, checkRequired(select.value), problem);
      select.addEventListener("change", () => { validate(); store(select.value); emit(); });
      row.append(select, problem, server, help || "");
      root.append(row);
      continue;
    }

    if (kind === "number") {
      const input = el("input", { id, type: "number", class: "sf-input", step: prop.type === "integer" ? "1" : "any",
        min: prop.minimum ?? null, max: prop.maximum ?? null, placeholder: prop.default != null ? String(prop.default) : null });
      input.value = config[name] == null ? "" : String(config[name]);
      const validate = () => {
        const value = input.value === "" ? undefined : Number(input.value);
        let message = checkRequired(input.value);
        if (!message && value !== undefined) {
          if (Number.isNaN(value)) message = "not a number";
          else if (prop.minimum != null && value < prop.minimum) message = `at least ${prop.minimum}`;
          else if (prop.maximum != null && value > prop.maximum) message = `at most ${prop.maximum}`;
          else if (prop.exclusiveMinimum != null && value <= prop.exclusiveMinimum) message = `more than ${prop.exclusiveMinimum}`;
        }
        setProblem(name, message, problem);
        return value;
      };
      input.addEventListener("input", validate);
      input.addEventListener("change", () => { store(validate()); emit(); });
      row.append(input, problem, server, help || "");
      root.append(row);
      continue;
    }

    if (kind === "boolean") {
      const input = el("input", { id, type: "checkbox", checked: config[name] ?? prop.default ?? false });
      input.addEventListener("change", () => { config[name] = input.checked; emit(); });
      row.classList.add("sf-inline");
      row.prepend(input);
      row.append(server, help || "");
      root.append(row);
      continue;
    }

    if (kind === "cel-map") {
      const list = el("div", { class: "sf-map" });
      const entries = Object.entries(config[name] || {});
      const sync = () => {
        const map = {};
        for (const line of list.querySelectorAll(".sf-map-row")) {
          const key = line.querySelector(".sf-key").value.trim();
          if (key) map[key] = line.querySelector(".sf-value").value;
        }
        if (Object.keys(map).length) config[name] = map; else delete config[name];
        emit();
      };
      const addRow = (key = "", value = "") => {
        const rowProblem = el("div", { class: "sf-problem", role: "alert", hidden: true });
        const keyInput = el("input", { type: "text", class: "sf-key", value: key, "aria-label": `${prop.title || name} name`, placeholder: "name", spellcheck: "false" });
        const valueInput = el("input", { type: "text", class: "sf-value sf-code", value, "aria-label": `${prop.title || name} expression`, placeholder: "expression", spellcheck: "false", list: options.variablesList || null });
        const problemKey = `${name}.${entries.length}.${uid++}`;
        const check = () => {
          const source = valueInput.value;
          if (!source.trim()) { setProblem(problemKey, keyInput.value ? "an expression is needed" : "", rowProblem); return; }
          if (!options.checkExpression) return;
          options.checkExpression(source).then((result) => {
            if (valueInput.value !== source) return;
            const first = result.errors && result.errors[0];
            setProblem(problemKey, first ? first.message : "", rowProblem);
          });
        };
        const line = el("div", { class: "sf-map-row" }, keyInput, el("span", { text: "=" }), valueInput,
          el("button", { type: "button", class: "icon", "aria-label": "Remove entry", title: "Remove entry",
            onclick: () => { problems.delete(problemKey); line.remove(); sync(); } }, "×"), rowProblem);
        valueInput.addEventListener("input", check);
        keyInput.addEventListener("change", sync);
        valueInput.addEventListener("change", sync);
        list.append(line);
        if (value) check();
        return keyInput;
      };
      entries.forEach(([k, v]) => addRow(k, v));
      const add = el("button", { type: "button", class: "sf-add", onclick: () => addRow().focus() }, `+ ${prop.title || name} entry`);
      label.removeAttribute("for");
      row.append(list, add, server, help || "");
      root.append(row);
      continue;
    }

    // Anything else: JSON
    const area = el("textarea", { id, rows: 3, class: "sf-input sf-code", spellcheck: "false" });
    area.value = config[name] === undefined ? "" : JSON.stringify(config[name]);
    area.addEventListener("change", () => {
      if (!area.value.trim()) { delete config[name]; setProblem(name, checkRequired(undefined), problem); emit(); return; }
      try {
        config[name] = JSON.parse(area.value);
        setProblem(name, "", problem);
        emit();
      } catch {
        setProblem(name, "not valid JSON", problem);
      }
    });
    row.append(area, problem, server, help || "");
    root.append(row);
  }
  if (!Object.keys(schema.properties || {}).length) root.append(el("p", { class: "muted", text: "This node has no settings." }));
  return { element: root, problems };
}
