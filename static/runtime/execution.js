// OneWeb execution page: the run's trace on a read-only canvas of the version it ran,
// its input, output and error, and each step's variables on click.

import { FlowCanvas } from "../designer/canvas.js";
import { api, clear, el, pageData, pretty, when } from "../designer/api.js";

const $ = (selector) => document.querySelector(selector);
const id = pageData("execution-id");
const byNode = new Map();

function showStep(nodeId) {
  const panel = clear($("#step-detail"));
  const steps = byNode.get(nodeId) || [];
  panel.append(el("h2", { text: `Node ${nodeId}` }));
  if (!steps.length) {
    panel.append(el("p", { class: "muted", text: "This node did not run." }));
    return;
  }
  steps.forEach((step, index) => {
    panel.append(el("h3", { text: `${steps.length > 1 ? `Visit ${index + 1}: ` : ""}${step.status}${step.duration_ms != null ? ` in ${Number(step.duration_ms).toFixed(1)} ms` : ""}` }));
    if (step.variables && Object.keys(step.variables).length) panel.append(el("pre", { class: "step-variables", text: pretty(step.variables) }));
    if (step.error) panel.append(el("pre", { class: "step-error", text: pretty(step.error) }));
  });
}

async function start() {
  const { body: run } = await api("GET", `/api/executions/${encodeURIComponent(id)}`);
  $("#exec-title").textContent = `${run.microflow} v${run.version}`;
  $("#exec-summary").append(
    el("span", { class: `status-${run.status}`, text: run.status }),
    ` · ${run.mode} · started ${when(run.created_at)}`,
    run.duration_ms != null ? ` · ${Number(run.duration_ms).toFixed(1)} ms` : "",
    run.created_by ? ` · by ${run.created_by}` : "",
  );
  $("#exec-input").textContent = pretty(run.input);
  $("#exec-output").textContent = run.output == null ? "—" : pretty(run.output);
  $("#exec-error").textContent = run.error == null ? "—" : pretty(run.error);
  const rows = $("#steps");
  (run.steps || []).forEach((step, index) => {
    if (!byNode.has(step.node)) byNode.set(step.node, []);
    byNode.get(step.node).push(step);
    rows.append(el("tr", { "data-node": step.node },
      el("td", { text: index + 1 }),
      el("td", {}, el("button", { type: "button", class: "small", onclick: () => showStep(step.node) }, step.node)),
      el("td", { text: step.type }),
      el("td", { class: `status-${step.status}`, text: step.status }),
      el("td", { text: step.duration_ms == null ? "" : `${Number(step.duration_ms).toFixed(1)} ms` }),
      el("td", { text: step.error ? `${step.error.code}: ${step.error.message}` : "" })));
  });

  // The diagram of the version that ran, if the microflow still exists.
  const { body: list } = await api("GET", `/api/microflows?q=${encodeURIComponent(run.microflow)}`);
  if (list.items.some((m) => m.name === run.microflow)) {
    const [{ body: types }, { body: flow }] = await Promise.all([
      api("GET", "/api/node-types"),
      api("GET", `/api/microflows/${encodeURIComponent(run.microflow)}/versions/${run.version}`),
    ]);
    const canvas = new FlowCanvas($("#exec-canvas"), { types, readOnly: true, branchPort: "branch", onNodeClick: showStep });
    canvas.load(flow);
    for (const [nodeId, steps] of byNode) {
      const last = steps[steps.length - 1];
      canvas.setNodeStatus(nodeId, last.status, steps.reduce((t, s) => t + (s.duration_ms || 0), 0));
    }
    canvas.fit();
    if (run.status === "queued" || run.status === "running") follow(canvas);
  } else {
    $("#exec-canvas").append(el("p", { class: "muted", text: "The microflow no longer exists; the steps are below." }));
  }
}

/** A run still going: light nodes as they finish, then show the final record. */
function follow(canvas) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/executions/${encodeURIComponent(id)}/`);
  socket.addEventListener("message", (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    if (event.type === "node.finished") canvas.setNodeStatus(event.node, event.status, event.duration_ms);
    const done = event.type === "execution.finished"
      || (event.type === "execution.state" && (event.status === "succeeded" || event.status === "failed"));
    if (done) {
      socket.close();
      location.reload();
    }
  });
}

start()
  .then(() => { document.body.dataset.ready = "1"; })
  .catch((error) => { $("#exec-summary").textContent = error.message; });
