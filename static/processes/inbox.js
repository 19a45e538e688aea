/* The inbox list: rendered from /api/inbox, re-read whenever a task event arrives over
   /ws/notify/ (via notify.js), so new tasks appear and taken ones leave without a reload. */
(function () {
  "use strict";
  const rows = document.getElementById("inbox-rows");
  const table = document.getElementById("inbox-table");
  const empty = document.getElementById("inbox-empty");
  const total = document.getElementById("inbox-total");
  const status = document.getElementById("inbox-status");
  const me = JSON.parse(document.getElementById("inbox-user").textContent);
  let tasks = JSON.parse(document.getElementById("inbox-data").textContent);

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function when(iso) {
    if (!iso) return "—";
    return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
  function render() {
    rows.replaceChildren();
    tasks.forEach((task) => {
      const tr = el("tr", { "data-task": String(task.id), class: "task-row" });
      const title = el("td");
      title.append(el("a", { href: "/inbox/tasks/" + task.id + "/" }, task.title));
      if (task.overdue) title.append(" ", el("span", { class: "tag overdue" }, "overdue"));
      if (task.escalated) title.append(" ", el("span", { class: "tag escalated" }, "escalated"));
      tr.append(title, el("td", {}, task.process));
      tr.append(el("td", {}, task.assignee === me ? (task.group ? "you (claimed from " + task.group + ")" : "you") : (task.group || "")));
      tr.append(el("td", { class: task.overdue ? "overdue" : "" }, when(task.due_at)));
      const actions = el("td", { class: "actions" });
      task.outcomes.forEach((outcome) => {
        const button = el("button", { type: "button", class: "outcome", "data-outcome": outcome }, outcome.charAt(0).toUpperCase() + outcome.slice(1));
        button.addEventListener("click", () => act(task, "complete", { outcome }));
        actions.append(button);
      });
      if (task.group && !task.assignee) {
        const claim = el("button", { type: "button", class: "claim" }, "Claim");
        claim.addEventListener("click", () => act(task, "claim"));
        actions.append(claim);
      } else if (task.group && task.assignee === me) {
        const release = el("button", { type: "button", class: "release" }, "Release");
        release.addEventListener("click", () => act(task, "release"));
        actions.append(release);
      }
      tr.append(actions);
      rows.append(tr);
    });
    total.textContent = String(tasks.length);
    table.hidden = tasks.length === 0;
    empty.hidden = tasks.length !== 0;
  }
  async function reload() {
    const result = await window.processApi.call("GET", "/api/inbox");
    if (result.ok) { tasks = result.data; render(); }
  }
  async function act(task, action, body) {
    status.textContent = "";
    const result = await window.processApi.call("POST", "/api/tasks/" + task.id + "/" + action, body || {});
    if (!result.ok) status.textContent = window.processApi.problem(result);
    else if (action === "complete") status.textContent = "“" + task.title + "”: " + body.outcome + ".";
    await reload();
  }
  window.addEventListener("oneweb:notify", (event) => {
    const type = event.detail && event.detail.type;
    if (type && type.startsWith("task.")) reload();
  });
  render();
})();
