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

  function monthLabel(iso) {
    const [year, month] = iso.split("-").map(Number);
    return new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString(undefined, {
      month: "short", year: "numeric", timeZone: "UTC",
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

  function stackedBar(spec) {
    const money = moneyFormatter(spec.currency);
    const options = baseOptions();
    options.scales = {
      x: { stacked: true, grid: { display: false } },
      y: {
        stacked: true, beginAtZero: true,
        ticks: { callback: (value) => compactMoney(spec.currency)(value) },
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
          backgroundColor: css(`--stage-${set.key}`, css("--accent", "#2f5fd0")),
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

  const builders = { "stacked-bar": stackedBar, "mrr-series": mrrSeries };

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
