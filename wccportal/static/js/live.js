/* Live updates for signed-in pages over /ws/live/ (one socket per page).
 *
 * Elements with data-live-charger="<charge point id>" subscribe the page to that charger;
 * elements inside [data-charger-pk="<pk>"] are updated by the built-in handlers:
 *   [data-online]         online / offline badge
 *   [data-unread-count]   the bell's unread count
 * Pages add their own: wccLive.on("operation", fn), wccLive.on("charger", fn), …
 * "subscribed" fires once a charger subscription is in place (again after a reconnect):
 * what changed before it was not pushed to this page, so pages re-read what they follow.
 */
(function () {
  "use strict";
  const handlers = {};
  const chargers = new Set();
  let socket = null;
  let retry = 1000;

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function dispatch(message) {
    (handlers[message.event] || []).concat(handlers["*"] || []).forEach(function (fn) {
      try { fn(message); } catch (error) { console.warn("live handler", error); }
    });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(scheme + "://" + location.host + "/ws/live/");
    socket.addEventListener("open", function () {
      retry = 1000;
      chargers.forEach(function (id) { send({ subscribe: "charger", id: id }); });
    });
    socket.addEventListener("message", function (event) {
      let message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.event) dispatch(message);
      // Updates sent before this subscription were missed: pages catch up on this event.
      else if (message.subscribed) dispatch({ event: "subscribed", charger: message.subscribed });
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401) return; // signed out
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  window.wccLive = {
    isOpen: function () { return !!socket && socket.readyState === WebSocket.OPEN; },
    on: function (event, fn) { (handlers[event] = handlers[event] || []).push(fn); },
    subscribeCharger: function (id) {
      if (!id || chargers.has(id)) return;
      chargers.add(id);
      send({ subscribe: "charger", id: id });
    },
  };

  const labels = document.documentElement.dataset;
  wccLive.on("charger", function (message) {
    if (typeof message.online !== "boolean") return;
    document.querySelectorAll('[data-charger-pk="' + message.charger + '"] [data-online]').forEach(function (badge) {
      badge.dataset.online = message.online ? "1" : "0";
      badge.className = "badge rounded-pill " + (message.online ? "text-bg-success" : "text-bg-danger");
      badge.innerHTML = '<i class="bi ' + (message.online ? "bi-wifi" : "bi-wifi-off") + '"></i> ' +
        (message.online ? labels.labelOnline : labels.labelOffline);
    });
  });
  wccLive.on("notification", function (message) {
    document.querySelectorAll("[data-unread-count]").forEach(function (el) {
      el.textContent = message.unread > 99 ? "99+" : String(message.unread);
      el.classList.toggle("d-none", !message.unread);
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-charger]").forEach(function (el) {
      wccLive.subscribeCharger(el.dataset.liveCharger);
    });
    connect();
  });
})();
