/* The instance page's cancel button. */
(function () {
  "use strict";
  const button = document.getElementById("btn-cancel");
  const id = document.querySelector(".instance-page").dataset.instance;
  button.addEventListener("click", async () => {
    if (!window.confirm("Cancel this process? Its open tasks are withdrawn.")) return;
    const result = await window.processApi.call("POST", "/api/process-instances/" + id + "/cancel");
    if (result.ok) location.reload();
    else button.insertAdjacentText("afterend", " " + window.processApi.problem(result));
  });
})();
