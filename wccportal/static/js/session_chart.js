/* The charging-power curve of a session's detail page (SES-4), drawn with Chart.js.
 *
 * Data: the JSON script #power-data {points: [{t: epoch ms, kw}], source: "power" | "energy"}.
 * The x axis is linear over epoch milliseconds (no date adapter is vendored); ticks and
 * tooltips show the time in the page's time zone (data-time-zone on the canvas), the one the
 * page prints its times in. "energy" points are averages over the interval before each
 * reading (the first repeats at the session's start): drawn as steps, each over its interval.
 */
(function () {
  "use strict";
  const canvas = document.getElementById("power-chart");
  const source = document.getElementById("power-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const points = data.points.map(function (p) { return { x: p.t, y: p.kw }; });
  if (!points.length) return;

  const lang = document.documentElement.lang || undefined;
  const zone = canvas.dataset.timeZone || undefined;
  const first = points[0].x;
  const last = points[points.length - 1].x;
  // Round steps (5 min … 1 day) giving at most about six ticks over the session.
  const MINUTE = 60000;
  const steps = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
  const wanted = Math.max(last - first, 10 * MINUTE) / 5;
  const step = (steps.find(function (m) { return m * MINUTE >= wanted; }) || 2880) * MINUTE;
  // The axis runs from the whole time before the first point to the one after the last.
  const low = Math.floor(first / step) * step;
  const high = Math.max(Math.ceil(last / step) * step, low + step);
  const clock = { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  const time = new Intl.DateTimeFormat(lang, step >= 720 * MINUTE
    ? Object.assign({ day: "numeric", month: "short" }, clock) : clock);
  const full = new Intl.DateTimeFormat(lang, {
    timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hourCycle: "h23",
  });
  const kw = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const style = getComputedStyle(document.documentElement);
  const colour = (style.getPropertyValue("--bs-primary") || "#0a7d4f").trim();
  const grid = (style.getPropertyValue("--bs-border-color-translucent") || "rgba(0,0,0,.1)").trim();

  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }
  new Chart(canvas, {
    type: "line",
    data: {
      datasets: [{
        label: "kW",
        data: points,
        borderColor: colour,
        backgroundColor: colour + "33",
        borderWidth: 2,
        fill: "origin",
        pointRadius: points.length > 60 ? 0 : 2,
        pointHitRadius: 6,
        stepped: data.source === "energy" ? "before" : false,
        tension: 0,
      }],
    },
    options: {
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: function (items) { return items.length ? full.format(new Date(items[0].parsed.x)) : ""; },
            label: function (item) { return kw.format(item.parsed.y) + " kW"; },
          },
        },
      },
      scales: {
        x: {
          type: "linear",
          min: low,
          max: high,
          grid: { color: grid },
          ticks: {
            stepSize: step,
            maxRotation: 0,
            callback: function (value) { return time.format(new Date(value)); },
          },
        },
        y: {
          beginAtZero: true,
          grid: { color: grid },
          title: { display: true, text: "kW" },
          ticks: { callback: function (value) { return kw.format(value); } },
        },
      },
    },
  });
})();
