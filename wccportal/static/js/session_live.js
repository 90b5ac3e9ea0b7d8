/* A charging session live (SES-3) and the dashboard's bar of running sessions (DASH-1).
 *
 * Live page, [data-session-live="<session id>"]: energy, power and state of charge change
 * with each "session" event pushed over /ws/live/ (static/js/live.js); the JSON live state
 * (data-state-url) brings the cost so far, the charger's state, the stop asked for and the
 * log: read a few seconds after live events (at most every FETCH_GAP ms), on (re)subscription,
 * and polled every POLL_SOCKET_DOWN ms while the socket seems down (POLL_SOCKET_UP otherwise,
 * POLL_STOPPING while a stop waits for the charger's answer).
 * Once the session has ended the page reloads to show its final, priced numbers.
 *
 * Dashboard, [data-active-sessions] (data-url: the bar's HTML): values of known sessions
 * change in place; a session starting or ending swaps the bar and its Stop dialogs.
 */
(function () {
  "use strict";

  var FETCH_GAP = 4000;
  var POLL_SOCKET_UP = 30000;
  var POLL_SOCKET_DOWN = 10000;
  var POLL_STOPPING = 5000; // the driver waits for the charger's answer to Stop
  var LIVE_QUIET = 60000; // no message for this long: the socket may be down
  var lang = document.documentElement.lang || "en";
  var formats = {};
  var lastMessage = 0;

  function now() { return Date.now(); }

  function number(value, digits) {
    if (!formats[digits]) {
      formats[digits] = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    return formats[digits].format(value);
  }

  function kwh(wh) { return number(wh / 1000, 2); }
  function kw(w) { return w === null || w === undefined ? "–" : number(w / 1000, 1); }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return Math.floor(seconds / 3600) + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function socketSeemsUp() {
    if (window.wccLive && typeof wccLive.isOpen === "function") return wccLive.isOpen();
    return now() - lastMessage < LIVE_QUIET;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  var STATE_CLASSES = {
    charging: "text-bg-success", completed: "text-bg-primary", faulted: "text-bg-danger",
    stopping: "text-bg-secondary", preparing: "text-bg-info"
  };

  // --- The live page --------------------------------------------------------------------

  function livePage(root) {
    var id = Number(root.dataset.sessionLive);
    var chargerPk = Number(root.dataset.chargerPk);
    var connector = Number(root.dataset.connector);
    var active = root.dataset.active === "1";
    var elapsed = Number(root.dataset.elapsed);
    var elapsedAt = now();
    var lastFetch = now();
    var fetching = false;
    var scheduled = null;
    var stopping = !!root.querySelector('[data-show="stopping"]:not(.d-none)');

    function all(selector) { return root.querySelectorAll(selector); }
    function set(name, text) { all('[data-live="' + name + '"]').forEach(function (node) { node.textContent = text; }); }
    function show(name, visible) {
      all('[data-show="' + name + '"]').forEach(function (node) { node.classList.toggle("d-none", !visible); });
    }

    function values(energyWh, powerW, soc) {
      if (typeof energyWh === "number") set("energy", kwh(energyWh));
      if (powerW !== undefined) set("power", kw(powerW));
      if (typeof soc === "number") {
        set("soc", number(soc, 0));
        all('[data-live="soc-bar"]').forEach(function (bar) { bar.style.width = Math.min(100, soc) + "%"; });
        show("soc", true);
      }
    }

    function renderState(state) {
      var badge = root.querySelector('[data-live="state"]');
      if (badge) {
        badge.className = "badge rounded-pill fs-6 px-3 py-2 " + (STATE_CLASSES[state.state] || "text-bg-warning");
        badge.textContent = "";
        if (state.state === "stopping") badge.appendChild(el("span", "spinner-border spinner-border-sm me-1"));
        badge.appendChild(document.createTextNode(state.state_label));
      }
      var online = root.querySelector("[data-online]");
      if (online && online.dataset.online !== (state.online ? "1" : "0") && window.wccLive) {
        // Same rendering as live.js's own charger handler.
        online.dataset.online = state.online ? "1" : "0";
        online.className = "badge rounded-pill " + (state.online ? "text-bg-success" : "text-bg-danger");
        online.textContent = "";
        online.appendChild(el("i", "bi " + (state.online ? "bi-wifi" : "bi-wifi-off")));
        online.appendChild(document.createTextNode(" " + (state.online ? document.documentElement.dataset.labelOnline
          : document.documentElement.dataset.labelOffline)));
      }
    }

    function renderStop(stop) {
      var pending = !!(stop && stop.pending);
      stopping = pending;
      show("stop-button", !pending);
      show("stopping", pending);
      set("stopping-text", pending ? stop.message : "");
      var message = root.querySelector('[data-live="stop-message"]');
      if (message) {
        message.textContent = stop && !pending ? stop.message : "";
        message.classList.toggle("d-none", !stop || pending);
      }
    }

    function renderCost(cost) {
      var list = root.querySelector("[data-cost-lines]");
      if (!cost || !list) return;
      list.textContent = "";
      cost.lines.forEach(function (line) {
        var item = el("li", "d-flex justify-content-between gap-2 py-1 border-bottom");
        var what = el("span", null, line.label);
        if (line.unit) {
          what.appendChild(el("span", "d-block text-body-secondary", line.quantity_display + " × " + line.unit_price_display));
        }
        if (line.detail) what.appendChild(el("span", "d-block text-body-secondary", line.detail));
        item.appendChild(what);
        item.appendChild(el("span", "text-nowrap", line.amount_display));
        list.appendChild(item);
      });
      set("cost-total", cost.total_display);
      set("cost-per-kwh", cost.cost_per_kwh_display);
    }

    function renderLog(log) {
      var list = root.querySelector("[data-log]");
      if (!list) return;
      list.textContent = "";
      log.forEach(function (entry) {
        var item = el("li", "d-flex gap-3 py-1");
        var time = el("span", "text-body-secondary text-nowrap", entry.time_display);
        time.style.minWidth = "4.5rem";
        item.appendChild(time);
        var what = el("span", null, entry.label);
        if (entry.detail) what.appendChild(el("span", "text-body-secondary", " · " + entry.detail));
        item.appendChild(what);
        list.appendChild(item);
      });
    }

    function apply(state) {
      if (state.status === "completed") {
        if (active) location.reload(); // the final, priced numbers come from the server
        return;
      }
      elapsed = state.elapsed_seconds;
      elapsedAt = now();
      values(state.energy_wh, state.power_kw === null ? null : state.power_kw * 1000, state.soc_percent);
      renderState(state);
      renderStop(state.stop);
      renderCost(state.cost);
      renderLog(state.log);
    }

    function fetchState() {
      if (fetching) return;
      fetching = true;
      lastFetch = now();
      fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) { if (state) apply(state); })
        .catch(function () {})
        .then(function () { fetching = false; });
    }

    // Soon, but not for every message: the cost so far takes the server some work.
    function scheduleFetch() {
      if (scheduled) return;
      scheduled = setTimeout(function () {
        scheduled = null;
        fetchState();
      }, Math.max(500, FETCH_GAP - (now() - lastFetch)));
    }

    if (!active) return;

    setInterval(function () { set("elapsed", clock(elapsed + (now() - elapsedAt) / 1000)); }, 1000);
    setInterval(function () {
      var gap = stopping ? POLL_STOPPING : socketSeemsUp() ? POLL_SOCKET_UP : POLL_SOCKET_DOWN;
      if (now() - lastFetch >= gap) fetchState();
    }, 2000);

    if (!window.wccLive) return;
    wccLive.on("session", function (message) {
      if (message.id !== id) return;
      values(message.energy_wh, message.power_w, message.soc);
      if (message.status === "completed") fetchState();
      else scheduleFetch();
    });
    wccLive.on("operation", function (message) {
      if (message.action === "RemoteStopTransaction") scheduleFetch();
    });
    wccLive.on("charger", function (message) {
      if (message.charger === chargerPk && (message.connector === connector || typeof message.online === "boolean")) {
        scheduleFetch();
      }
    });
    wccLive.on("subscribed", fetchState);
  }

  // --- The dashboard's bar ----------------------------------------------------------------

  function activeBar(bar) {
    var modals = document.querySelector("[data-stop-modals]");
    var lastSwap = now();
    var swapping = false;
    var pendingSwap = false;

    function known(id) { return bar.querySelector('[data-session-id="' + id + '"]'); }

    function swap() {
      // Not while a Stop dialog is open: it would vanish under the user's finger.
      if (document.querySelector(".modal.show")) { pendingSwap = true; return; }
      if (swapping) { pendingSwap = true; return; }
      swapping = true;
      pendingSwap = false;
      lastSwap = now();
      fetch(bar.dataset.url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var template = document.createElement("template");
          template.innerHTML = html;
          var newBar = template.content.querySelector('[data-fragment="bar"]');
          var newModals = template.content.querySelector('[data-fragment="modals"]');
          if (newBar) bar.replaceChildren.apply(bar, Array.prototype.slice.call(newBar.childNodes));
          if (newModals && modals) modals.replaceChildren.apply(modals, Array.prototype.slice.call(newModals.childNodes));
        })
        .catch(function () {})
        .then(function () { swapping = false; });
    }

    document.addEventListener("hidden.bs.modal", function () { if (pendingSwap) swap(); });

    setInterval(function () {
      if (pendingSwap || now() - lastSwap >= (socketSeemsUp() ? POLL_SOCKET_UP : POLL_SOCKET_DOWN)) swap();
    }, 2000);

    if (!window.wccLive) return;
    wccLive.on("session", function (message) {
      var item = known(message.id);
      if (!item) {
        if (message.status !== "completed") swap(); // a session started: show it
        return;
      }
      if (message.status === "completed" || message.connector_status) { swap(); return; }
      if (typeof message.energy_wh === "number") {
        item.querySelectorAll('[data-live="energy"]').forEach(function (node) { node.textContent = kwh(message.energy_wh); });
      }
      if (message.power_w !== undefined) {
        item.querySelectorAll('[data-live="power"]').forEach(function (node) { node.textContent = kw(message.power_w); });
      }
    });
    wccLive.on("operation", function (message) {
      if (message.action === "RemoteStopTransaction") swap();
    });
    wccLive.on("subscribed", swap);
  }

  if (window.wccLive) wccLive.on("*", function () { lastMessage = now(); });

  function start() {
    document.querySelectorAll("[data-session-live]").forEach(livePage);
    document.querySelectorAll("[data-active-sessions]").forEach(activeBar);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
