/* Firmware card (CP-5): follows an update live.
 *
 * Cards are [data-firmware-card] elements (templates/app/chargers/includes/firmware_card.html).
 * Events from /ws/live/ (static/js/live.js):
 *   {event: "charger", charger: <pk>, firmware_status: "Downloading"}   progress
 *   {event: "charger", charger: <pk>, firmware_version: "1.1.0", …}     after a boot
 *   {event: "operation", id: <operation pk>, status: "accepted"}         the UpdateFirmware answer
 * The stepper mirrors chargers.firmware.progress_steps.
 */
(function () {
  "use strict";
  if (window.wccFirmware || !window.wccLive) return;

  const STEPS = ["Sent", "Downloading", "Downloaded", "Installing", "Installed"];
  const PERCENT = { Downloading: 35, Downloaded: 55, Installing: 80, Installed: 100 };
  const OPERATION_FAILED = ["rejected", "failed", "timed_out", "offline"];
  const FAILED = ["DownloadFailed", "InstallationFailed"];
  const ICONS = {
    done: '<i class="bi bi-check-circle-fill text-success"></i>',
    current: '<span class="spinner-border spinner-border-sm text-primary"></span>',
    failed: '<i class="bi bi-x-circle-fill text-danger"></i>',
    todo: '<i class="bi bi-circle text-body-tertiary"></i>',
  };

  function labels() {
    const node = document.getElementById("firmware-labels");
    try { return JSON.parse(node.textContent); } catch (error) { return { steps: {}, messages: {} }; }
  }

  function steps(status, opStatus) {
    let failed = null;
    if (OPERATION_FAILED.includes(opStatus)) failed = "Sent";
    else if (status === "DownloadFailed") failed = "Downloading";
    else if (status === "InstallationFailed") failed = "Installing";
    const reached = failed ? STEPS.indexOf(failed) : Math.max(STEPS.indexOf(status), 0);
    return STEPS.map(function (step, index) {
      if (step === failed) return "failed";
      if (index < reached) return "done";
      if (index > reached) return "todo";
      if (step === "Downloading" || step === "Installing" || (step === "Sent" && opStatus === "pending")) return "current";
      return "done";
    });
  }

  function render(card) {
    const status = card.dataset.status || "";
    const opStatus = card.dataset.opStatus || "";
    const progress = card.querySelector("[data-firmware-progress]");
    if (!progress || !card.dataset.operationId) return;
    const text = labels().messages || {};
    const failed = OPERATION_FAILED.includes(opStatus) || FAILED.includes(status);
    const installed = !failed && status === "Installed";
    const percent = PERCENT[status] || (opStatus === "accepted" ? 20 : 10);

    progress.classList.remove("d-none");
    const bar = progress.querySelector("[data-firmware-bar]");
    bar.style.width = percent + "%";
    bar.className = "progress-bar" + (failed ? " bg-danger" : installed ? " bg-success" : " progress-bar-striped progress-bar-animated");
    progress.querySelector("[role=progressbar]").setAttribute("aria-valuenow", String(percent));
    const message = progress.querySelector("[data-firmware-message]");
    message.textContent = OPERATION_FAILED.includes(opStatus) ? text[opStatus] : (text[status] || text[opStatus] || "");
    message.classList.toggle("text-danger", failed);

    const states = steps(status, opStatus);
    progress.querySelectorAll("[data-step]").forEach(function (item) {
      const state = states[STEPS.indexOf(item.dataset.step)];
      item.dataset.state = state;
      item.querySelector(".wcc-fw-icon").innerHTML = ICONS[state];
      const label = item.lastElementChild;
      label.className = state === "todo" ? "text-body-secondary" : state === "failed" ? "text-danger" : "";
    });
  }

  function refresh(card) {
    const url = card.dataset.refreshUrl;
    if (!url) return;
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html) swap(card, html);
      })
      .catch(function () { /* the next event tries again */ });
  }

  // The latest report per charger since the page loaded: a card swapped in after an
  // install catches up on what arrived while its request was on the way.
  const latest = {};
  let submittedAt = 0;

  function catchUp(card) {
    const seen = latest[card.dataset.chargerPk];
    if (!seen) return;
    if (seen.statusAt >= submittedAt && card.dataset.operationId) {
      card.dataset.status = seen.status;
      render(card);
    }
    if (seen.versionAt >= submittedAt && seen.version !== card.dataset.version && seen.refreshed !== seen.version) {
      seen.refreshed = seen.version; // once per version, whatever the server says
      refresh(card);
    }
  }

  function swap(card, html) {
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("[data-firmware-card]");
    if (!fresh || !card.isConnected) return;
    card.replaceWith(fresh);
    catchUp(fresh);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("[data-firmware-install-form]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    const card = form.closest("[data-firmware-card]");
    const modal = form.closest(".modal");
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    submittedAt = Date.now();
    const hidden = new Promise(function (resolve) {
      if (!modal || !window.bootstrap) return resolve();
      modal.addEventListener("hidden.bs.modal", function () { resolve(); }, { once: true });
      const dialog = bootstrap.Modal.getOrCreateInstance(modal);
      // Confirmed while still opening: Bootstrap ignores a hide during the transition, so
      // hide once it is shown.
      modal.addEventListener("shown.bs.modal", function () { dialog.hide(); }, { once: true });
      dialog.hide();
    });
    const sent = fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Firmware-Card": "1" },
    }).then(function (response) { return response.text(); });
    Promise.all([sent, hidden]).then(function (results) { swap(card, results[0]); })
      .catch(function () { form.submit(); });
  });

  function cards(pk) {
    return document.querySelectorAll('[data-firmware-card][data-charger-pk="' + pk + '"]');
  }

  wccLive.on("charger", function (message) {
    const seen = latest[message.charger] = latest[message.charger] || {};
    if (typeof message.firmware_status === "string") {
      seen.status = message.firmware_status;
      seen.statusAt = Date.now();
    }
    if (typeof message.firmware_version === "string") {
      seen.version = message.firmware_version;
      seen.versionAt = Date.now();
    }
    cards(message.charger).forEach(function (card) {
      if (typeof message.firmware_status === "string" && card.dataset.operationId) {
        card.dataset.status = message.firmware_status;
        render(card);
        if (FAILED.includes(message.firmware_status)) refresh(card); // offers to try again
      }
      if (typeof message.firmware_version === "string" && message.firmware_version !== card.dataset.version) {
        refresh(card); // rebooted with another version: the badge and version change
      }
    });
  });

  wccLive.on("operation", function (message) {
    if (message.action !== "UpdateFirmware") return;
    document.querySelectorAll('[data-firmware-card][data-operation-id="' + message.id + '"]').forEach(function (card) {
      // A late answer must not undo progress the charger already reported.
      if (card.dataset.opStatus !== "accepted" || message.status !== "pending") card.dataset.opStatus = message.status;
      render(card);
      if (OPERATION_FAILED.includes(message.status)) refresh(card);
    });
  });

  document.querySelectorAll("[data-firmware-card]").forEach(function (card) {
    wccLive.subscribeCharger(card.dataset.chargePointId);
  });
  window.wccFirmware = true;
})();
