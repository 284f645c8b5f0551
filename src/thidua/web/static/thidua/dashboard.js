// Dashboard charts (vendored Chart.js): ranking and turnout of a cycle, clusters side by side.
(function () {
  "use strict";
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function bar(canvasId, labels, datasets, options) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !window.Chart) { return; }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, locale: "vi-VN" }, options || {})
    });
  }
  // Labels come translated from the page (data-* attributes of the canvas), never from here.
  function label(canvasId, name) {
    var canvas = document.getElementById(canvasId);
    return (canvas && canvas.dataset[name]) || "";
  }
  var points = new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function start() {
    var data = read("dashboard-data");
    if (data) {
      bar("ranking-chart", data.ranking.units,
        [{ label: label("ranking-chart", "label"), data: data.ranking.totals, backgroundColor: "#a4161a" }],
        {
          indexAxis: "y",
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + points.format(c.parsed.x); } } }
          }
        });
      bar("turnout-chart", data.turnout.polls, [
        { label: label("turnout-chart", "voted"), data: data.turnout.voted, backgroundColor: "#a4161a" },
        { label: label("turnout-chart", "electorate"), data: data.turnout.electorate, backgroundColor: "#c9ced6" }
      ], { scales: { y: { beginAtZero: true } } });
    }
    var overview = read("overview-data");
    if (overview) {
      bar("overview-chart", overview.clusters, [
        { label: String(overview.year - 1), data: overview.before, backgroundColor: "#c9ced6" },
        { label: String(overview.year), data: overview.now, backgroundColor: "#a4161a" }
      ], { scales: { y: { beginAtZero: true } } });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
