/* OneWeb forms: builds a form's fields from its JSON definition (used by the form page and
   the designer's live preview). Every user string goes through textContent or .value —
   never innerHTML — so labels, options and values are always shown as text. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function control(field, id) {
    const type = field.type || "text";
    let input;
    if (type === "textarea") {
      input = el("textarea", { id, name: field.name, rows: 3 });
    } else if (type === "select") {
      input = el("select", { id, name: field.name });
      input.appendChild(el("option", { value: "" }, "—"));
      for (const option of field.options || []) {
        input.appendChild(el("option", { value: String(option.value) }, option.label || String(option.value)));
      }
    } else if (type === "checkbox") {
      input = el("input", { id, name: field.name, type: "checkbox" });
    } else {
      const html = { number: "number", integer: "number", date: "date", email: "email" }[type] || "text";
      input = el("input", { id, name: field.name, type: html });
      if (type === "number") input.step = "any";
      if (type === "integer") input.step = "1";
      if (field.placeholder) input.placeholder = field.placeholder;
    }
    if (field.readonly) {
      if (type === "select" || type === "checkbox") input.disabled = true;
      else input.readOnly = true;
      input.classList.add("readonly");
    }
    if (field.required && !field.readonly) input.setAttribute("aria-required", "true");
    return input;
  }

  /* Renders the fields into `container`; returns a small handle to read, write and check them. */
  function render(definition, container, options) {
    const prefix = (options && options.idPrefix) || "f-";
    const inputs = {};
    const errors = {};
    const specs = {};
    container.replaceChildren();
    for (const field of definition.fields || []) {
      if (!field || !field.name) continue;
      const id = prefix + field.name;
      const row = el("div", { className: "form-field", "data-field": field.name });
      const label = el("label", { for: id }, field.label || field.name);
      if (field.required && !field.readonly) label.appendChild(el("span", { className: "required", "aria-hidden": "true" }, " *"));
      const input = control(field, id);
      row.append(label, input);
      if (field.help) row.appendChild(el("small", { className: "help" }, field.help));
      const error = el("span", { className: "field-error", role: "alert" });
      row.appendChild(error);
      container.appendChild(row);
      inputs[field.name] = input;
      errors[field.name] = error;
      specs[field.name] = field;
    }

    function setValue(name, value) {
      const input = inputs[name];
      if (!input) return false;
      const type = specs[name].type || "text";
      if (type === "checkbox") input.checked = value === true || value === "true";
      else if (value === null || value === undefined) input.value = "";
      else if (typeof value === "object") input.value = JSON.stringify(value);
      else input.value = String(value);
      return true;
    }

    function readValue(name) {
      const input = inputs[name];
      const field = specs[name];
      const type = field.type || "text";
      if (type === "checkbox") return input.checked;
      const raw = input.value;
      if (raw === "") return null;
      if (type === "number" || type === "integer") {
        const number = Number(raw);
        return Number.isFinite(number) ? number : raw;
      }
      if (type === "select") {
        const match = (field.options || []).find((o) => String(o.value) === raw);
        return match ? match.value : raw;
      }
      return raw;
    }

    function values() {
      const out = {};
      for (const name of Object.keys(inputs)) out[name] = readValue(name);
      return out;
    }

    function showError(name, message) {
      if (!errors[name]) return;
      errors[name].textContent = message || "";
      inputs[name].toggleAttribute("aria-invalid", Boolean(message));
    }

    /* Client-side checks (required, types); returns the messages and shows each by its field. */
    function validate() {
      const problems = [];
      for (const [name, input] of Object.entries(inputs)) {
        const field = specs[name];
        const type = field.type || "text";
        const label = field.label || name;
        const value = readValue(name);
        let message = "";
        if ((type === "number" || type === "integer") && input.validity && input.validity.badInput) {
          message = `${label} must be a number`;
        } else if (value === null && field.required && !field.readonly) {
          message = `${label} is required`;
        } else if (value !== null && type === "number" && typeof value !== "number") {
          message = `${label} must be a number`;
        } else if (value !== null && type === "integer" && !Number.isInteger(value)) {
          message = `${label} must be a whole number`;
        } else if (value !== null && type === "email" && !/^[^@\s]+@[^@\s]+$/.test(value)) {
          message = `${label} must be an email address`;
        } else if (value !== null && type === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
          message = `${label} must be a date`;
        }
        showError(name, message);
        if (message) problems.push({ field: name, message });
      }
      return problems;
    }

    for (const field of definition.fields || []) {
      if (field && field.name && field.default !== undefined && field.default !== null) setValue(field.name, field.default);
    }
    return { inputs, values, setValue, validate, showError, specs };
  }

  window.OneWebForms = { render, el };
})();
