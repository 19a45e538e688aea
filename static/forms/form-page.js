/* The end-user form page: renders the fields, and runs the buttons.
   - blocking button: busy overlay (the form is inert, keys are swallowed) until the sync run
     answers or the button's timeout passes; outputs land in fields; errors beside the button;
   - non-blocking button: answers at once; a running indicator on the button; the result
     comes as `execution.finished` over /ws/notify/, matched by execution id; pending ids are
     kept in localStorage so results are picked up after navigating away and back;
   - process button: starts the process, shows a notice with a link, never waits;
   - Save: stores the values as a record. */
(function () {
  "use strict";
  const { render, el } = window.OneWebForms;
  const definition = JSON.parse(document.getElementById("form-definition").textContent);
  const context = JSON.parse(document.getElementById("form-context").textContent);
  const fieldsBox = document.getElementById("form-fields");
  const buttonsBox = document.getElementById("form-buttons");
  const notices = document.getElementById("notices");
  const overlay = document.getElementById("busy-overlay");
  const overlayText = document.getElementById("busy-text");
  const formElement = document.getElementById("oneweb-form");
  const handle = render(definition, fieldsBox);
  const base = `/api/forms/${encodeURIComponent(context.name)}`;
  const pendingKey = `oneweb:form-pending:${context.user}:${context.name}`;
  const buttonParts = [];
  let busy = false;
  let recordId = context.record ? context.record.id : null;

  if (context.record) for (const [k, v] of Object.entries(context.record.values || {})) handle.setValue(k, v);

  // --- helpers ---------------------------------------------------------------------------
  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : context.csrf;
  }

  async function call(method, url, body, signal) {
    const response = await fetch(url, {
      method, signal, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { status: response.status, data };
  }

  function errorText(data, fallback) {
    if (data && data.error) {
      const details = (data.error.details || []).map((d) => d.message).filter(Boolean);
      return details.length ? `${data.error.message} ${details.join("; ")}` : data.error.message;
    }
    return fallback;
  }

  function notice(text, kind, link) {
    const item = el("div", { className: `notice ${kind || "info"}`, role: kind === "error" ? "alert" : "status" });
    item.appendChild(el("span", { className: "notice-text" }, text));
    if (link) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("a", { href: link.href }, link.text));
    }
    const close = el("button", { type: "button", className: "notice-close", "aria-label": "Dismiss" }, "×");
    close.addEventListener("click", () => item.remove());
    item.appendChild(close);
    notices.prepend(item);
    return item;
  }

  function say(index, text, kind) {
    const message = buttonParts[index].message;
    message.textContent = text || "";
    message.className = `button-message ${kind || ""}`;
  }

  function applyOutputs(outputs) {
    const written = [];
    for (const [name, value] of Object.entries(outputs || {})) {
      if (handle.setValue(name, value)) {
        written.push(name);
        const row = fieldsBox.querySelector(`[data-field="${CSS.escape(name)}"]`);
        if (row) { row.classList.remove("updated"); void row.offsetWidth; row.classList.add("updated"); }
      }
    }
    return written;
  }

  function unmapped(data) {
    const problems = (data && data.mapping_errors) || [];
    return problems.length ? ` Not written: ${problems.map((p) => `${p.field} (${p.message})`).join("; ")}.` : "";
  }

  function labelsOf(names) {
    return names.map((n) => (handle.specs[n] && handle.specs[n].label) || n).join(", ");
  }

  function checkFields(index) {
    const problems = handle.validate();
    if (problems.length) say(index, `Please fix: ${problems.map((p) => p.message).join("; ")}`, "error");
    return problems.length === 0;
  }

  function showServerProblems(index, data, fallback) {
    for (const d of (data && data.error && data.error.details) || []) {
      if (d.field && handle.inputs[d.field]) handle.showError(d.field, d.message);
    }
    say(index, errorText(data, fallback), "error");
  }

  // --- blocking: a busy overlay until the sync run answers --------------------------------
  function setBusy(on, label) {
    busy = on;
    overlay.hidden = !on;
    formElement.inert = on;
    formElement.setAttribute("aria-busy", on ? "true" : "false");
    overlayText.textContent = on ? `${label}: waiting for the answer…` : "";
    if (on && document.activeElement && document.activeElement.blur) document.activeElement.blur();
  }
  // Belt and braces beside `inert`: while busy, no key reaches the page.
  for (const type of ["keydown", "keypress", "beforeinput", "paste", "drop"]) {
    document.addEventListener(type, (event) => { if (busy) { event.preventDefault(); event.stopPropagation(); } }, true);
  }

  async function pressBlocking(index, button) {
    const controller = new AbortController();
    const seconds = button.timeout_s || 30;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, seconds * 1000);
    setBusy(true, button.label);
    say(index, "");
    try {
      const { status, data } = await call("POST", `${base}/buttons/${index}/press`,
        { values: handle.values(), version: context.version }, controller.signal);
      if (status === 200) {
        const written = applyOutputs(data.outputs);
        say(index, (written.length ? `Done: ${labelsOf(written)} updated.` : "Done.") + unmapped(data), "ok");
      } else if (status === 422) {
        say(index, `Failed: ${(data && data.error && data.error.message) || "the run failed"}`, "error");
      } else {
        showServerProblems(index, data, `The request failed (HTTP ${status}).`);
      }
    } catch (exc) {
      if (timedOut) {
        say(index, `No answer within ${seconds} s, so the page stopped waiting. The run may still finish; it will show in `, "error");
        const history = el("a", { href: "/executions/" }, "Executions");
        buttonParts[index].message.append(history, document.createTextNode("."));
      } else {
        say(index, "The server could not be reached.", "error");
      }
    } finally {
      clearTimeout(timer);
      setBusy(false);
    }
  }

  // --- non-blocking: pending runs, matched by execution id ---------------------------------
  const PENDING_FOR_MS = 2 * 24 * 3600 * 1000; // forget runs nobody came back for
  function readPending() {
    let pending;
    try { pending = JSON.parse(localStorage.getItem(pendingKey) || "{}") || {}; } catch (_) { return {}; }
    for (const [id, entry] of Object.entries(pending)) {
      if (!entry || Date.now() - (entry.at || 0) > PENDING_FOR_MS) delete pending[id];
    }
    return pending;
  }
  function writePending(pending) {
    if (Object.keys(pending).length) localStorage.setItem(pendingKey, JSON.stringify(pending));
    else localStorage.removeItem(pendingKey);
  }
  function refreshIndicators() {
    const pending = readPending();
    buttonParts.forEach((part, index) => {
      const count = Object.values(pending).filter((p) => p.button === index).length;
      part.button.classList.toggle("running", count > 0);
      part.indicator.hidden = count === 0;
      part.indicator.title = count ? `${count} running` : "";
      part.button.setAttribute("aria-busy", count > 0 ? "true" : "false");
    });
  }
  const finishedEarly = new Set();
  const settling = new Set();

  async function settle(id) {
    const pending = readPending();
    const entry = pending[id];
    if (!entry || settling.has(id)) return;
    settling.add(id);
    try {
      const { status, data } = await call("GET",
        `${base}/buttons/${entry.button}/result/${encodeURIComponent(id)}?version=${entry.version}`);
      if (status === 200 && (data.status === "queued" || data.status === "running")) return;
      const now = readPending();
      delete now[id];
      writePending(now);
      refreshIndicators();
      const label = entry.label || "Background run";
      if (status === 200 && data.status === "succeeded") {
        const written = applyOutputs(data.outputs);
        notice((written.length ? `${label} finished: ${labelsOf(written)} updated.` : `${label} finished.`) + unmapped(data), "ok");
        if (entry.button < buttonParts.length) say(entry.button, "Finished.", "ok");
      } else if (status === 200) {
        const message = (data.error && data.error.message) || "the run failed";
        notice(`${label} failed: ${message}`, "error");
        if (entry.button < buttonParts.length) say(entry.button, `Failed: ${message}`, "error");
      } else {
        notice(`${label}: ${errorText(data, "the result could not be read")}`, "error");
      }
    } catch (_) {
      /* the network blipped: the run stays pending and is checked again later */
    } finally {
      settling.delete(id);
    }
  }

  function settleAll() { for (const id of Object.keys(readPending())) settle(id); }

  async function pressBackground(index, button) {
    say(index, "");
    const { status, data } = await call("POST", `${base}/buttons/${index}/press`,
      { values: handle.values(), version: context.version }).catch(() => ({ status: 0, data: null }));
    if (status !== 202) {
      showServerProblems(index, data, status ? `The request failed (HTTP ${status}).` : "The server could not be reached.");
      return;
    }
    const pending = readPending();
    pending[data.execution] = { button: index, version: context.version, label: button.label, at: Date.now() };
    writePending(pending);
    refreshIndicators();
    say(index, "Running in the background — carry on.", "info");
    if (finishedEarly.has(data.execution)) settle(data.execution);
  }

  let socket = null;
  let retry = 500;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/notify/`);
    socket.addEventListener("open", () => { retry = 500; settleAll(); });
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (_) { return; }
      if (!message || message.type !== "execution.finished") return;
      if (readPending()[message.execution]) settle(message.execution);
      else finishedEarly.add(message.execution);
    });
    socket.addEventListener("close", () => {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
    socket.addEventListener("error", () => {});
  }
  // A safety net for a missed push: while runs are pending, look now and then.
  setInterval(() => { if (Object.keys(readPending()).length) settleAll(); }, 15000);
  window.addEventListener("storage", (event) => { if (event.key === pendingKey) refreshIndicators(); });

  // --- process button: start and never wait -----------------------------------------------
  async function pressProcess(index, button) {
    say(index, "");
    const { status, data } = await call("POST", `${base}/buttons/${index}/press`,
      { values: handle.values(), version: context.version }).catch(() => ({ status: 0, data: null }));
    if (status === 202) {
      notice(`${button.label}: request ${data.instance} started.`, "ok", { href: data.url, text: "See its status" });
      say(index, "Started.", "ok");
    } else {
      showServerProblems(index, data, status ? `The request failed (HTTP ${status}).` : "The server could not be reached.");
    }
  }

  // --- save as a record ------------------------------------------------------------------
  async function saveRecord(event) {
    event.preventDefault();
    if (busy) return;
    const save = document.getElementById("save-record");
    const message = document.getElementById("save-message");
    const problems = handle.validate();
    if (problems.length) {
      message.textContent = `Please fix: ${problems.map((p) => p.message).join("; ")}`;
      message.className = "button-message error";
      return;
    }
    save.disabled = true;
    const body = { values: handle.values(), version: context.version };
    const { status, data } = recordId
      ? await call("PUT", `${base}/records/${recordId}`, body).catch(() => ({ status: 0 }))
      : await call("POST", `${base}/records`, body).catch(() => ({ status: 0 }));
    save.disabled = false;
    if (status === 200 || status === 201) {
      recordId = data.id;
      history.replaceState(null, "", `?record=${recordId}`);
      message.textContent = "";
      notice(`Saved as record ${recordId}.`, "ok", { href: context.records_url, text: "All records" });
    } else {
      message.textContent = errorText(data, "The record could not be saved.");
      message.className = "button-message error";
    }
  }

  // --- buttons ---------------------------------------------------------------------------
  (definition.buttons || []).forEach((button, index) => {
    const wrap = el("div", { className: "form-button", "data-button": index });
    const kind = button.process ? "process" : button.blocking === false ? "background" : "blocking";
    const element = el("button", { type: "button", className: `btn ${kind}`, "data-kind": kind }, button.label);
    const indicator = el("span", { className: "running-indicator", "aria-hidden": "true" });
    indicator.hidden = true;
    element.appendChild(indicator);
    const message = el("span", { className: "button-message", "aria-live": "polite" });
    wrap.append(element, message);
    buttonsBox.appendChild(wrap);
    buttonParts.push({ button: element, indicator, message });
    element.addEventListener("click", () => {
      if (busy || !checkFields(index)) return;
      if (kind === "blocking") pressBlocking(index, button);
      else if (kind === "background") pressBackground(index, button);
      else pressProcess(index, button);
    });
  });
  formElement.addEventListener("submit", saveRecord);

  refreshIndicators();
  settleAll();
  connect();
  document.body.dataset.formReady = "1";
})();
