/* The process designer page: open a definition as JSON, save it as a new version (the API
   validates it and lists each problem by node and field), start an instance. */
(function () {
  "use strict";
  const area = document.getElementById("definition");
  const nameLabel = document.getElementById("edit-name");
  const status = document.getElementById("editor-status");
  const problems = document.getElementById("editor-problems");
  let current = null;
  const TEMPLATE = {
    name: "new-process", title: "New process", params: [{ name: "amount", type: "number", required: true }],
    nodes: [
      { id: "start", type: "start" },
      { id: "approve", type: "user_task", config: { title: "'Approve ' + string(amount)", group: "managers", outcomes: ["approve", "reject"], due_in: "P2D", escalate_to: { group: "directors" } } },
      { id: "done", type: "end" },
    ],
    edges: [{ from: "start", to: "approve" }, { from: "approve", to: "done" }],
  };
  function show(definition, name) {
    const copy = Object.assign({}, definition);
    ["version", "created_at", "created_by"].forEach((k) => delete copy[k]);
    area.value = JSON.stringify(copy, null, 2);
    current = name;
    nameLabel.textContent = name ? name + " v" + definition.version : "(new)";
    problems.replaceChildren();
    status.textContent = "";
  }
  async function open(name) {
    const result = await window.processApi.call("GET", "/api/processes/" + encodeURIComponent(name));
    if (result.ok) show(result.data, name);
  }
  function report(result) {
    problems.replaceChildren();
    const error = result.data && result.data.error;
    status.textContent = error ? error.message : "Save failed (" + result.status + ").";
    ((error && error.details) || []).forEach((d) => {
      const li = document.createElement("li");
      li.textContent = (d.node ? d.node + " · " : "") + (d.field ? d.field + ": " : "") + d.message;
      problems.append(li);
    });
  }
  document.querySelectorAll("#defs button[data-name]").forEach((b) => b.addEventListener("click", () => open(b.dataset.name)));
  document.getElementById("btn-new-process").addEventListener("click", () => show(TEMPLATE, null));
  document.getElementById("btn-save").addEventListener("click", async () => {
    let definition;
    try { definition = JSON.parse(area.value); } catch (e) { status.textContent = "The JSON does not parse: " + e.message; return; }
    const result = current
      ? await window.processApi.call("PUT", "/api/processes/" + encodeURIComponent(current), definition)
      : await window.processApi.call("POST", "/api/processes", definition);
    if (!result.ok) { report(result); return; }
    current = result.data.name;
    nameLabel.textContent = current + " v" + result.data.version;
    problems.replaceChildren();
    status.textContent = "Saved version " + result.data.version + ".";
  });
  document.getElementById("btn-start").addEventListener("click", async () => {
    if (!current) { status.textContent = "Save the process first."; return; }
    const input = window.prompt("Input (JSON)", "{}");
    if (input === null) return;
    let given;
    try { given = JSON.parse(input); } catch (e) { status.textContent = "The input does not parse."; return; }
    const result = await window.processApi.call("POST", "/api/processes/" + encodeURIComponent(current) + "/start", { input: given });
    if (!result.ok) { report(result); return; }
    status.textContent = "";
    const link = document.createElement("a");
    link.href = "/processes/instances/" + result.data.id + "/";
    link.textContent = "Started instance " + result.data.id + " (" + result.data.status + ")";
    status.append(link);
  });
  const first = document.querySelector("#defs button[data-name]");
  if (first) open(first.dataset.name); else show(TEMPLATE, null);
})();
