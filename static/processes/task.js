/* The task page: outcome buttons complete the task with the comment and form data; claim/release. */
(function () {
  "use strict";
  const page = document.querySelector(".task-page");
  const form = document.getElementById("task-form");
  if (!page || !form) return;
  const id = page.dataset.task;
  const problem = document.getElementById("task-problem");
  function data() {
    const out = {};
    form.querySelectorAll("[data-type]").forEach((input) => {
      const type = input.dataset.type;
      if (type === "boolean") out[input.name] = input.checked;
      else if (input.value === "") return;
      else if (type === "number") out[input.name] = Number(input.value);
      else if (type === "integer") out[input.name] = parseInt(input.value, 10);
      else out[input.name] = input.value;
    });
    return out;
  }
  async function post(action, body) {
    problem.textContent = "";
    const result = await window.processApi.call("POST", "/api/tasks/" + id + "/" + action, body || {});
    if (!result.ok) { problem.textContent = window.processApi.problem(result); return; }
    if (action === "complete") location.assign("/inbox/");
    else location.reload();
  }
  form.querySelectorAll("button.outcome").forEach((button) => button.addEventListener("click", () => {
    if (!form.reportValidity()) return;
    post("complete", { outcome: button.dataset.outcome, comment: document.getElementById("task-comment").value, data: data() });
  }));
  const claim = document.getElementById("btn-claim");
  const release = document.getElementById("btn-release");
  if (claim) claim.addEventListener("click", () => post("claim"));
  if (release) release.addEventListener("click", () => post("release"));
})();
