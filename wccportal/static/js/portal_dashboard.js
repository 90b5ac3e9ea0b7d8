/* The portal dashboard (DASH-2): draws the charts from #dashboard-data and keeps the page
 * current. Live: connector status changes of the subscribed chargers ([data-live-charger])
 * update their row at once; online/offline changes and session power trigger a re-read of
 * the figures (portal:dashboard_data), which is also polled every 30 s.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  let data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const labels = config.labels;
  const charts = {};

  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;

  const lang = document.documentElement.lang || undefined;
  // Short day labels (the tooltip gives the weekday and full date).
  function days(rows) {
    return rows.map(function (r) {
      return new Date(r.day + "T12:00:00").toLocaleDateString(lang, { day: "2-digit", month: "2-digit" });
    });
  }
  function fullDay(rows, index) {
    return new Date(rows[index].day + "T12:00:00").toLocaleDateString(lang, { weekday: "short", day: "numeric", month: "long", year: "numeric" });
  }
  function counts(rows) { return rows.map(function (r) { return r.count; }); }
  function total(rows) { return rows.reduce(function (sum, r) { return sum + r.count; }, 0); }
  function statusValues(s) { return [s.online, s.offline, s.unknown]; }

  function barChart(id, label, key, colour) {
    return new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels: days(data[key].days), datasets: [{ label: label, data: counts(data[key].days), backgroundColor: colour }] },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function (items) { return fullDay(data[key].days, items[0].dataIndex); } } },
        },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 16 } } },
      },
    });
  }

  // The ring is drawn once there is a charger to count (no empty canvas before that).
  function statusChart() {
    if (charts.status) return charts.status;
    let canvas = document.getElementById("statusChart");
    if (!canvas) {
      const slot = document.querySelector("[data-status-chart-slot]");
      canvas = document.createElement("canvas");
      canvas.id = "statusChart";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", slot.dataset.label);
      slot.appendChild(canvas);
    }
    charts.status = new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: [labels.online, labels.offline, labels.unknown],
        // No segment border: with a single status it would show as a notch in the ring.
        datasets: [{ data: statusValues(data.status), borderWidth: 0, backgroundColor: ["#198754", "#dc3545", "#6c757d"] }],
      },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } } },
    });
    return charts.status;
  }
  function anyCharger() { return data.status.online + data.status.offline + data.status.unknown > 0; }
  if (anyCharger()) statusChart();
  charts.sessions = barChart("sessionsChart", labels.sessions, "sessions", "#0a7d4f");
  charts.reservations = barChart("reservationsChart", labels.reservations, "reservations", "#0d6efd");
  charts.power = new Chart(document.getElementById("powerChart"), {
    type: "line",
    data: {
      labels: data.power_day.points.map(function (p) { return p.t; }),
      datasets: [{ label: labels.power, data: data.power_day.points.map(function (p) { return p.kw; }),
                   borderColor: "#0a7d4f", backgroundColor: "rgba(10,125,79,.15)", fill: true,
                   pointRadius: 0, stepped: true, spanGaps: false }],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "kW" } }, x: { ticks: { maxTicksLimit: 13 } } },
    },
  });

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  function badge(status) {
    const span = document.createElement("span");
    const colour = { Available: "success", Charging: "primary", Faulted: "danger", Unavailable: "secondary", Unknown: "secondary" };
    span.className = "badge text-bg-" + (colour[status] || "warning");
    span.textContent = config.status_labels[status] || status;
    return span;
  }

  function errorCell(cell, code) {
    cell.replaceChildren();
    const span = document.createElement("span");
    if (code && code !== "NoError") {
      span.className = "text-danger";
      span.textContent = config.error_labels[code] || code;
    } else {
      span.className = "text-muted";
      span.textContent = labels.no_error;
    }
    cell.appendChild(span);
  }

  function sinceCell(cell, iso) {
    cell.replaceChildren();
    if (!iso) { const dash = document.createElement("span"); dash.className = "text-muted"; dash.textContent = "–"; cell.appendChild(dash); return; }
    const time = document.createElement("time");
    time.setAttribute("datetime", iso);
    time.textContent = new Date(iso).toLocaleString(lang,
      { dateStyle: "short", timeStyle: "short" });
    cell.appendChild(time);
  }

  function connectorRow(c) {
    const row = document.createElement("tr");
    row.setAttribute("data-testid", "connector-row");
    row.dataset.connectorRow = c.charger + "-" + c.connector;
    const name = document.createElement("td");
    const link = document.createElement("a");
    link.href = config.detail_url.replace("__id__", encodeURIComponent(c.charge_point_id));
    link.textContent = c.name;
    const id = document.createElement("div");
    id.className = "small text-muted";
    id.textContent = c.charge_point_id;
    name.append(link, id);
    const number = document.createElement("td");
    number.textContent = c.connector;
    const status = document.createElement("td");
    status.dataset.cell = "status";
    status.appendChild(badge(c.status));
    const error = document.createElement("td");
    error.dataset.cell = "error";
    errorCell(error, c.error_code);
    const since = document.createElement("td");
    since.dataset.cell = "since";
    since.className = "small";
    sinceCell(since, c.since);
    row.append(name, number, status, error, since);
    return row;
  }

  function render(next) {
    data = next;
    const any = anyCharger();
    if (any) {
      const chart = statusChart();
      chart.data.datasets[0].data = statusValues(data.status);
      chart.update();
    }
    document.querySelector("[data-status-chart-box]").classList.toggle("d-none", !any);
    document.querySelector("[data-status-empty]").classList.toggle("d-none", any);
    ["online", "offline", "unknown"].forEach(function (key) {
      setText('[data-status-count="' + key + '"]', String(data.status[key]));
    });
    setText("[data-current-power]", (data.power_w / 1000).toFixed(1));
    [["sessions", "[data-sessions-total]"], ["reservations", "[data-reservations-total]"]].forEach(function (pair) {
      const chart = charts[pair[0]];
      chart.data.labels = days(data[pair[0]].days);
      chart.data.datasets[0].data = counts(data[pair[0]].days);
      chart.update();
      setText(pair[1], String(total(data[pair[0]].days)));
    });
    charts.power.data.labels = data.power_day.points.map(function (p) { return p.t; });
    charts.power.data.datasets[0].data = data.power_day.points.map(function (p) { return p.kw; });
    charts.power.update();
    const body = document.querySelector("[data-connector-rows]");
    body.replaceChildren.apply(body, data.connectors.map(connectorRow));
    document.querySelector("[data-connectors-box]").classList.toggle("d-none", !data.connectors.length);
    document.querySelector("[data-connectors-empty]").classList.toggle("d-none", !!data.connectors.length);
    const more = document.querySelector("[data-connectors-more]");
    more.classList.toggle("d-none", data.connector_total <= data.connectors.length);
    setText("[data-connectors-more-text]", labels.showing.replace("%(shown)s", data.connectors.length)
      .replace("%(total)s", data.connector_total));
    setText("[data-dashboard-updated]", new Date(data.updated_at).toLocaleTimeString(lang));
    data.connectors.forEach(function (c) { if (window.wccLive) wccLive.subscribeCharger(c.charge_point_id); });
  }

  // The ranges shown now (bad input in the address was replaced by the defaults).
  function query() {
    return new URLSearchParams({
      sessions_from: data.sessions.from, sessions_to: data.sessions.to,
      reservations_from: data.reservations.from, reservations_to: data.reservations.to,
      power_day: data.power_day.day,
    }).toString();
  }

  let loading = false;
  function refresh() {
    if (loading) return;
    loading = true;
    fetch(config.data_url + "?" + query(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (next) { if (next) render(next); })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .finally(function () { loading = false; });
  }

  let pending = null;
  function refreshSoon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; refresh(); }, 2000);
  }

  // Times in the browser's words, as the updates will write them.
  document.querySelectorAll('[data-cell="since"] time').forEach(function (time) {
    sinceCell(time.parentElement, time.getAttribute("datetime"));
  });
  setText("[data-dashboard-updated]", new Date(data.updated_at).toLocaleTimeString(lang));

  setInterval(function () { if (!document.hidden) refresh(); }, config.poll_ms);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshSoon(); });

  if (window.wccLive) {
    wccLive.on("charger", function (message) {
      if (message.connector !== undefined && message.status) {
        const row = document.querySelector('[data-connector-row="' + message.charger + "-" + message.connector + '"]');
        if (row) {
          const status = row.querySelector('[data-cell="status"]');
          status.replaceChildren(badge(message.status));
          errorCell(row.querySelector('[data-cell="error"]'), message.error_code);
          sinceCell(row.querySelector('[data-cell="since"]'), new Date().toISOString());
        }
      }
      if (typeof message.online === "boolean" || message.status) refreshSoon();
    });
    wccLive.on("session", function (message) {
      if (message.power_w !== undefined || message.status) refreshSoon();
    });
    wccLive.on("subscribed", refreshSoon);
  }
})();
