/* One /ws/notify/ socket per page: keeps the header's inbox badge current and re-broadcasts
   every event as a window "oneweb:notify" CustomEvent for the page's own scripts. */
(function () {
  "use strict";
  const badge = document.getElementById("inbox-badge");
  if (!badge) return;
  badge.style.cssText = "display:inline-block;min-width:1.3em;margin-left:.25em;padding:0 .35em;border-radius:1em;" +
    "background:#dc2626;color:#fff;font-size:.75em;text-align:center;";
  async function refresh() {
    try {
      const response = await fetch("/api/inbox/count", { credentials: "same-origin" });
      if (!response.ok) return;
      const body = await response.json();
      badge.textContent = String(body.count);
      badge.style.visibility = body.count === 0 ? "hidden" : "visible";
      badge.setAttribute("aria-label", body.count + " tasks waiting");
    } catch (e) { /* offline for a moment: the next event refreshes it */ }
  }
  let delay = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/notify/");
    socket.addEventListener("open", () => { delay = 1000; document.body.dataset.notify = "open"; });
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      window.dispatchEvent(new CustomEvent("oneweb:notify", { detail: message }));
      if (message.type && message.type.startsWith("task.")) refresh();
    });
    socket.addEventListener("close", () => {
      document.body.dataset.notify = "closed";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  refresh();
  connect();
})();
