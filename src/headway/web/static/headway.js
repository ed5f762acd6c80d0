/* Headway's own browser code: charts from data-chart, tidy list URLs, errors of htmx requests.
   No build step: plain ES2020, loaded with defer after htmx (and Chart.js where a page needs it). */
(function () {
  "use strict";

  const css = (name, fallback) =>
    getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

  function moneyFormatter(currency) {
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency", currency, maximumFractionDigits: 0, notation: "standard",
      });
    } catch (error) {
      return { format: (value) => `${currency} ${Math.round(value).toLocaleString()}` };
    }
  }

  function compactMoney(currency) {
    try {
      const format = new Intl.NumberFormat(undefined, {
        style: "currency", currency, notation: "compact", maximumFractionDigits: 1,
      });
      return (value) => format.format(value);
    } catch (error) {
      return (value) => `${currency} ${value}`;
    }
  }

  function monthLabel(iso, year = "numeric") {
    const [y, month] = iso.split("-").map(Number);
    return new Date(Date.UTC(y, month - 1, 1)).toLocaleDateString(undefined, {
      month: "short", year, timeZone: "UTC",
    });
  }

  function baseOptions() {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 250 },
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12, usePointStyle: false } },
      },
    };
  }

  // Money with a currency; without one the bars count things (goals, accounts) in whole numbers.
  // Colours come from --<palette>-<key> (palette "stage" unless the spec names another).
  function stackedBar(spec) {
    const counts = !spec.currency;
    const money = counts ? { format: (value) => value.toLocaleString() } : moneyFormatter(spec.currency);
    const tick = counts ? (value) => value.toLocaleString() : (value) => compactMoney(spec.currency)(value);
    const palette = spec.palette || "stage";
    const options = baseOptions();
    options.scales = {
      x: { stacked: true, grid: { display: false } },
      y: {
        stacked: true, beginAtZero: true,
        ticks: { callback: tick, precision: counts ? 0 : undefined },
        grid: { color: css("--grid", "#eef0f3") },
      },
    };
    options.plugins.tooltip = {
      callbacks: { label: (item) => `${item.dataset.label}: ${money.format(item.parsed.y)}` },
    };
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set) => ({
          label: set.label,
          data: set.data,
          backgroundColor: css(`--${palette}-${set.key}`, css("--accent", "#2f5fd0")),
          borderRadius: 3,
          maxBarThickness: 120,
          categoryPercentage: 0.6,
        })),
      },
      options,
    };
  }

  function mrrSeries(spec) {
    const palette = [css("--accent", "#2f5fd0"), css("--series-2", "#d9730d"), css("--series-3", "#2b8a3e"), css("--series-4", "#7048e8")];
    const single = spec.datasets.length === 1;
    const options = baseOptions();
    options.plugins.legend.display = !single;
    options.scales = {
      x: {
        grid: { display: false },
        ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8, callback(value) { return monthLabel(this.getLabelForValue(value)); } },
      },
      y: {
        beginAtZero: true,
        ticks: { callback: (value) => (single ? compactMoney(spec.datasets[0].currency)(value) : value.toLocaleString()) },
        grid: { color: css("--grid", "#eef0f3") },
      },
    };
    options.plugins.tooltip = {
      callbacks: {
        title: (items) => (items.length ? monthLabel(items[0].label) : ""),
        label: (item) => `${item.dataset.label}: ${moneyFormatter(item.dataset.label).format(item.parsed.y)}`,
      },
    };
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set, index) => {
          const colour = palette[index % palette.length];
          return {
            label: set.currency,
            data: set.data,
            borderColor: colour,
            backgroundColor: single ? colour + "1f" : colour,
            fill: single,
            stepped: "before",
            borderWidth: 2,
            pointRadius: 0,
            pointHoverRadius: 4,
          };
        }),
      },
      options,
    };
  }

  // Revenue dashboard: MRR movements (stacked bars around zero, with the MRR line) and
  // retention rate lines (NRR and GRR on the left axis, logo churn on the right).
  function money(currency) {
    const format = moneyFormatter(currency);
    return (value) => format.format(value);
  }

  const shortMonthLabel = (iso) => monthLabel(iso, "2-digit");

  function xAxis() {
    return {
      grid: { display: false },
      ticks: { maxRotation: 0, autoSkip: true, callback(value) { return shortMonthLabel(this.getLabelForValue(value)); } },
    };
  }

  function mrrMovements(spec) {
    const short = compactMoney(spec.currency);
    const full = money(spec.currency);
    const settings = baseOptions();
    settings.scales = {
      x: { ...xAxis(), stacked: true },
      y: {
        stacked: true,
        ticks: { callback: (value) => short(value) },
        grid: { color: (context) => (context.tick.value === 0 ? css("--border-strong", "#c9d0d8") : css("--grid", "#eef0f3")) },
        title: { display: true, text: "Movements" },
      },
      mrr: {
        position: "right", beginAtZero: true, grid: { display: false },
        ticks: { callback: (value) => short(value) },
        title: { display: true, text: "MRR" },
      },
    };
    settings.plugins.tooltip = {
      callbacks: {
        title: (items) => (items.length ? shortMonthLabel(items[0].label) : ""),
        label: (item) => `${item.dataset.label}: ${full(item.parsed.y)}`,
      },
    };
    const bars = spec.datasets.map((set) => ({
      type: "bar",
      label: set.label,
      data: set.data,
      stack: "movements",
      backgroundColor: css(`--movement-${set.key}`, css("--accent", "#2f5fd0")),
      borderRadius: 2,
      maxBarThickness: 48,
      order: 2,
    }));
    const line = {
      type: "line",
      label: spec.line.label,
      data: spec.line.data,
      yAxisID: "mrr",
      borderColor: css("--text", "#1d2530"),
      backgroundColor: css("--text", "#1d2530"),
      borderWidth: 2,
      pointRadius: 2,
      tension: 0.2,
      order: 1,
    };
    return { type: "bar", data: { labels: spec.labels, datasets: [...bars, line] }, options: settings };
  }

  function rateLines(spec) {
    const settings = baseOptions();
    const percent = (value) => `${value}%`;
    settings.scales = {
      x: xAxis(),
      left: { position: "left", ticks: { callback: percent }, grid: { color: css("--grid", "#eef0f3") }, title: { display: true, text: "NRR · GRR" } },
      right: { position: "right", beginAtZero: true, ticks: { callback: percent }, grid: { display: false }, title: { display: true, text: "Logo churn" } },
    };
    settings.plugins.tooltip = {
      callbacks: {
        title: (items) => (items.length ? shortMonthLabel(items[0].label) : ""),
        label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(1) + "%"}`,
      },
    };
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set) => {
          const colour = css(`--rate-${set.key}`, css("--accent", "#2f5fd0"));
          return {
            label: set.label,
            data: set.data,
            yAxisID: set.axis,
            borderColor: colour,
            backgroundColor: colour,
            borderDash: set.axis === "right" ? [5, 4] : [],
            borderWidth: 2,
            pointRadius: 2,
            spanGaps: false,
            tension: 0,
          };
        }),
      },
      options: settings,
    };
  }

  // A goal's evidence over time (days since the baseline), over the dashed straight line from
  // the baseline to the target by the due date: above or below it shows at a glance.
  function sparkline(spec) {
    const start = Date.parse(`${spec.start}T00:00:00Z`);
    const dayLabel = (days) => new Date(start + days * 86400000).toLocaleDateString(undefined, {
      day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
    });
    const shown = (value) => `${value.toLocaleString(undefined, { maximumFractionDigits: 2 })}${spec.unit ? " " + spec.unit : ""}`;
    const xy = ([x, y]) => ({ x, y });
    const settings = baseOptions();
    settings.animation = false;
    settings.interaction = { mode: "nearest", intersect: false };
    settings.plugins.legend = { display: false };
    settings.plugins.tooltip = {
      displayColors: false,
      filter: (item) => item.datasetIndex === 0,
      callbacks: {
        title: (items) => (items.length ? dayLabel(items[0].parsed.x) : ""),
        label: (item) => shown(item.parsed.y),
      },
    };
    settings.layout = { padding: 4 };
    settings.scales = {
      x: { type: "linear", display: false },
      y: { display: false, grace: "8%" },
    };
    const colour = css("--accent", "#2f5fd0");
    return {
      type: "line",
      data: {
        datasets: [
          {
            label: "Evidence",
            data: spec.points.map(xy),
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: 2,
            pointRadius: spec.points.length > 12 ? 0 : 2.5,
            pointHoverRadius: 4,
            tension: 0,
          },
          {
            label: "Trajectory",
            data: spec.trajectory.map(xy),
            borderColor: css("--faint", "#8a94a3"),
            borderDash: [4, 4],
            borderWidth: 1,
            pointRadius: 0,
            pointHoverRadius: 0,
          },
        ],
      },
      options: settings,
    };
  }

  // Health and usage: a score over time between its band thresholds (dashed), events per day,
  // and a scorecard's backtest AUC per version, where the darker grid line is chance (0.5).
  const isoDay = (iso, year = "numeric") => new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, {
    day: "numeric", month: "short", year, timeZone: "UTC",
  });

  function scoreHistory(spec) {
    const settings = baseOptions();
    settings.animation = false;
    settings.interaction = { mode: "nearest", axis: "x", intersect: false };
    settings.plugins.legend = { display: false };
    settings.layout = { padding: 4 };
    settings.plugins.tooltip = {
      displayColors: false,
      filter: (item) => item.datasetIndex === 0,
      callbacks: {
        title: (items) => (items.length ? isoDay(items[0].label) : ""),
        label: (item) => `Score ${Math.round(item.parsed.y)}`,
      },
    };
    settings.scales = { x: { display: false }, y: { display: false, min: 0, max: 100 } };
    const threshold = (value, colour) => ({
      data: spec.labels.map(() => value), borderColor: colour, borderDash: [3, 3], borderWidth: 1,
      pointRadius: 0, pointHoverRadius: 0,
    });
    const colour = css("--accent", "#2f5fd0");
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [
          {
            label: "Score", data: spec.data, borderColor: colour, backgroundColor: colour,
            borderWidth: 2, pointRadius: spec.data.length > 12 ? 0 : 2.5, tension: 0, spanGaps: true,
          },
          threshold(spec.bands.green, css("--band-green", "#2f9e44")),
          threshold(spec.bands.yellow, css("--band-red", "#e03131")),
        ],
      },
      options: settings,
    };
  }

  function dailyBars(spec) {
    const settings = baseOptions();
    settings.plugins.legend = { display: false };
    settings.plugins.tooltip = {
      displayColors: false,
      callbacks: {
        title: (items) => (items.length ? isoDay(items[0].label) : ""),
        label: (item) => `${item.parsed.y.toLocaleString()} ${spec.unit}`,
      },
    };
    settings.scales = {
      x: {
        grid: { display: false },
        ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 7, callback(value) { return isoDay(this.getLabelForValue(value), undefined); } },
      },
      y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: css("--grid", "#eef0f3") } },
    };
    const colour = css("--accent", "#2f5fd0");
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: [{ label: spec.unit, data: spec.data, backgroundColor: colour, borderRadius: 2, categoryPercentage: 0.92, barPercentage: 0.9 }],
      },
      options: settings,
    };
  }

  function aucBars(spec) {
    const settings = baseOptions();
    settings.indexAxis = "y";
    settings.plugins.legend = { display: false };
    settings.plugins.tooltip = {
      displayColors: false,
      callbacks: { label: (item) => (item.raw === null ? "not measurable" : `AUC ${item.raw.toFixed(2)}`) },
    };
    settings.scales = {
      x: {
        min: 0, max: 1, ticks: { stepSize: 0.25, callback: (value) => String(value) },
        grid: { color: (context) => (context.tick.value === 0.5 ? css("--text", "#1d2530") : css("--grid", "#eef0f3")) },
      },
      y: { grid: { display: false } },
    };
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: [{
          label: "AUC",
          data: spec.data,
          backgroundColor: spec.labels.map((_, index) => (index === spec.current ? css("--accent", "#2f5fd0") : css("--stage-onboarding", "#9db7f2"))),
          borderRadius: 3,
          maxBarThickness: 22,
        }],
      },
      options: settings,
    };
  }

  // Time to first value: median, p75 and p90 days side by side per segment (bars), or over
  // cohorts of start (lines). Missing figures (nobody reached first value) leave a gap.
  function ttfvDays(spec) {
    const settings = baseOptions();
    const colours = [css("--accent", "#2f5fd0"), css("--stage-onboarding", "#9db7f2"), css("--series-2", "#d9730d")];
    settings.plugins.tooltip = {
      callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "—" : item.parsed.y.toLocaleString()} days` },
    };
    settings.scales = {
      x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
      y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: css("--grid", "#eef0f3") }, title: { display: true, text: "days" } },
    };
    const line = spec.type === "line";
    return {
      type: line ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set, index) => ({
          label: set.label,
          data: set.data,
          borderColor: colours[index % colours.length],
          backgroundColor: colours[index % colours.length],
          borderRadius: line ? 0 : 3,
          maxBarThickness: 36,
          borderWidth: line ? 2 : 0,
          pointRadius: line ? 2.5 : 0,
          spanGaps: false,
          tension: 0,
        })),
      },
      options: settings,
    };
  }

  // Surveys by month: NPS (−100…100) and CSAT % on the left axis, the CES mean (1–7) on the
  // right, the answers as faint bars behind; a month without answers leaves a gap.
  function surveyTrend(spec) {
    const settings = baseOptions();
    settings.animation = false;
    settings.scales = {
      x: xAxis(),
      left: { position: "left", min: -100, max: 100, ticks: { stepSize: 50 }, grid: { color: (context) => (context.tick.value === 0 ? css("--border-strong", "#c9d0d8") : css("--grid", "#eef0f3")) }, title: { display: true, text: "NPS · CSAT %" } },
      right: { position: "right", min: 1, max: 7, ticks: { stepSize: 1 }, grid: { display: false }, title: { display: true, text: "Effort (1–7)" } },
      answers: { display: false, beginAtZero: true, grace: "150%" },
    };
    const shown = { nps: (v) => (v > 0 ? "+" : "") + v.toFixed(1), csat: (v) => `${v.toFixed(1)}%`, ces: (v) => v.toFixed(2), responses: (v) => v.toLocaleString() };
    settings.plugins.tooltip = {
      callbacks: {
        title: (items) => (items.length ? shortMonthLabel(items[0].label) : ""),
        label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "—" : shown[item.dataset.key](item.parsed.y)}`,
      },
    };
    const line = (key, label, axis, colour, dash = []) => ({
      type: "line", key, label, data: spec[key], yAxisID: axis, borderColor: colour, backgroundColor: colour,
      borderDash: dash, borderWidth: 2, pointRadius: 2.5, spanGaps: false, tension: 0, order: 1,
    });
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: [
          line("nps", "NPS", "left", css("--accent", "#2f5fd0")),
          line("csat", "CSAT %", "left", css("--series-3", "#2b8a3e")),
          line("ces", "Effort", "right", css("--series-2", "#d9730d"), [5, 4]),
          { type: "bar", key: "responses", label: "Answers", data: spec.responses, yAxisID: "answers", backgroundColor: css("--grid", "#eef0f3"), borderRadius: 2, maxBarThickness: 40, order: 2 },
        ],
      },
      options: settings,
    };
  }

  // Support & success: tickets created beside proactive touches, month by month.
  function monthlyCounts(spec) {
    const settings = baseOptions();
    settings.scales = {
      x: xAxis(),
      y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: css("--grid", "#eef0f3") } },
    };
    settings.plugins.tooltip = {
      callbacks: {
        title: (items) => (items.length ? monthLabel(items[0].label) : ""),
        label: (item) => `${item.dataset.label}: ${item.parsed.y.toLocaleString()}`,
      },
    };
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set) => ({
          label: set.label,
          data: set.data,
          backgroundColor: css(`--${spec.palette}-${set.key}`, css("--accent", "#2f5fd0")),
          borderRadius: 3,
          maxBarThickness: 26,
          categoryPercentage: 0.7,
        })),
      },
      options: settings,
    };
  }

  const builders = {
    "stacked-bar": stackedBar,
    "mrr-series": mrrSeries,
    "mrr-movements": mrrMovements,
    "rate-lines": rateLines,
    sparkline,
    "score-history": scoreHistory,
    "daily-bars": dailyBars,
    "auc-bars": aucBars,
    "ttfv-days": ttfvDays,
    "monthly-counts": monthlyCounts,
    "survey-trend": surveyTrend,
  };

  function drawCharts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (window.Chart.getChart(canvas)) return;
      const spec = JSON.parse(canvas.dataset.chart);
      const build = builders[spec.kind];
      if (build) new window.Chart(canvas, build(spec));
    });
  }

  function destroyCharts(root) {
    if (!window.Chart || !root.querySelectorAll) return;
    const canvases = root.matches && root.matches("canvas") ? [root] : root.querySelectorAll("canvas");
    canvases.forEach((canvas) => {
      const chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  }

  function toast(message) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "alert");
    item.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = "Dismiss";
    close.addEventListener("click", () => item.remove());
    item.appendChild(close);
    box.appendChild(item);
    setTimeout(() => item.remove(), 8000);
  }

  function errorMessage(xhr) {
    // Error pages carry their reason in .detail; fall back to the status line.
    try {
      const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      const detail = page.querySelector(".error-page .detail");
      if (detail && detail.textContent.trim()) return detail.textContent.trim();
    } catch (error) { /* not HTML */ }
    return `The request failed (${xhr.status} ${xhr.statusText}).`;
  }

  if (window.Chart) {
    window.Chart.defaults.font.family = css("--font", "system-ui, sans-serif");
    window.Chart.defaults.color = css("--muted", "#5f6b7a");
  }

  if (window.htmx) {
    window.htmx.onLoad(drawCharts);
    document.body.addEventListener("htmx:beforeCleanupElement", (event) => destroyCharts(event.target));
    // Forms marked data-drop-empty leave blank fields out, so pushed URLs stay short and shareable.
    document.body.addEventListener("htmx:configRequest", (event) => {
      const form = event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
      if (!form || event.detail.verb !== "get") return;
      const data = event.detail.formData;
      for (const name of Array.from(data.keys())) {
        if (data.get(name) === "") data.delete(name);
      }
    });
    document.body.addEventListener("htmx:responseError", (event) => toast(errorMessage(event.detail.xhr)));
    document.body.addEventListener("htmx:sendError", () => toast("Headway cannot be reached: check the connection and try again."));
  } else {
    document.addEventListener("DOMContentLoaded", () => drawCharts(document));
  }
})();
