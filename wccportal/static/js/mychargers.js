/* My chargers (CP-2 … CP-4): confirmation dialogs, live operation results and connector
 * states, and the QR scan of the claim page. Loaded by the templates in app/chargers/. */
(function () {
  "use strict";

  // A menu button (data-action-url, data-charger-name) opens a shared dialog: point its form
  // at that charger. The second Restart dialog keeps what the first one was given.
  let current = null;
  document.addEventListener("show.bs.modal", function (event) {
    const trigger = event.relatedTarget;
    if (trigger && trigger.dataset.actionUrl) current = trigger.dataset;
    if (!current) return;
    event.target.querySelectorAll("[data-charger-name]").forEach(function (el) {
      el.textContent = current.chargerName;
    });
    event.target.querySelectorAll("form[data-action-form]").forEach(function (form) {
      form.action = current.actionUrl;
    });
  });

  if (!window.wccLive) return;
  const labels = JSON.parse((document.getElementById("operation-labels") || {}).textContent || "{}");
  const badgeClass = {
    accepted: "text-bg-success", rejected: "text-bg-danger", failed: "text-bg-danger",
    timed_out: "text-bg-secondary", offline: "text-bg-secondary", pending: "text-bg-warning",
  };

  // An operation's answer (OPS-2): update its row in the list of last operations.
  wccLive.on("operation", showOperation);

  // Answers that came before the live subscription was in place: read them once.
  wccLive.on("subscribed", function () {
    document.querySelectorAll("[data-operation-id]").forEach(function (row) {
      const badge = row.querySelector("[data-operation-status]");
      if (!badge || badge.dataset.operationStatus !== "pending") return;
      fetch("/api/v1/operations/" + row.dataset.operationId + "/", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (operation) { if (operation && operation.status !== "pending") showOperation(operation); })
        .catch(function () { /* the live event will still come */ });
    });
  });

  function showOperation(message) {
    document.querySelectorAll('[data-operation-id="' + message.id + '"]').forEach(function (row) {
      const badge = row.querySelector("[data-operation-status]");
      if (badge) {
        badge.dataset.operationStatus = message.status;
        badge.className = "badge " + (badgeClass[message.status] || "text-bg-secondary");
        badge.textContent = labels[message.status] || message.status;
      }
      const detail = row.querySelector("[data-operation-detail]");
      const answer = message.response && message.response.status;
      if (detail) detail.textContent = answer ? (labels[answer] || answer) : (message.error || "");
    });
  }

  // A connector's new state (CP-8) on the charger page.
  wccLive.on("charger", function (message) {
    if (!message.connector || !message.status) return;
    document.querySelectorAll('[data-charger-pk="' + message.charger + '"] [data-connector="' + message.connector + '"]').forEach(function (el) {
      const badge = el.querySelector(".badge");
      if (!badge) return;
      const colours = { Available: "text-bg-success", Charging: "text-bg-primary", Faulted: "text-bg-danger", Unavailable: "text-bg-secondary", Unknown: "text-bg-secondary" };
      badge.className = "badge " + (colours[message.status] || "text-bg-warning");
      badge.textContent = labels[message.status] || message.status;
    });
  });
})();

/* Claim page: scan the charger's QR code with the camera where the browser can. */
(function () {
  "use strict";
  const button = document.querySelector("[data-qr-scan]");
  if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.classList.remove("d-none");
  const video = document.querySelector("[data-qr-video]");
  const field = document.querySelector("input[name=qr]");
  button.addEventListener("click", async function () {
    let stream;
    try {
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.classList.remove("d-none");
      await video.play();
      const deadline = Date.now() + 60000;
      while (Date.now() < deadline) {
        const codes = await detector.detect(video);
        if (codes.length) {
          field.value = codes[0].rawValue;
          field.form.requestSubmit();
          break;
        }
        await new Promise(function (resolve) { setTimeout(resolve, 250); });
      }
    } catch (error) {
      console.warn("QR scan", error);
    } finally {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      video.classList.add("d-none");
    }
  });
})();
