// Bar chart of one indicator by unit, this year against last year (vendored Chart.js).
// Figures are formatted as the tables show them (Vietnamese separators, the indicator's
// decimals, "%" for rates); without any indicator there is no chart, the page says so.
(function () {
  "use strict";
  function formatter(decimals, percent) {
    var format = new Intl.NumberFormat("vi-VN", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals
    });
    return function (value) {
      if (value === null || value === undefined) { return "—"; }
      return format.format(value) + (percent ? "%" : "");
    };
  }
  function start() {
    var source = document.getElementById("chart-data");
    var canvas = document.getElementById("stats-chart");
    var picker = document.getElementById("chart-indicator");
    if (!source || !canvas || !picker || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.indicators || !data.indicators.length) { return; }
    var chart = null;
    function draw(index) {
      var indicator = data.indicators[index] || data.indicators[0];
      var show = formatter(indicator.decimals || 0, Boolean(indicator.percent));
      var config = {
        type: "bar",
        data: {
          labels: data.units,
          datasets: [
            { label: String(data.year - 1), data: indicator.before, backgroundColor: "#c9ced6" },
            { label: String(data.year), data: indicator.now, backgroundColor: "#a4161a" }
          ]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          locale: "vi-VN",
          plugins: {
            title: { display: true, text: indicator.label },
            tooltip: {
              callbacks: {
                label: function (context) {
                  return context.dataset.label + ": " + show(context.parsed.y);
                }
              }
            }
          },
          scales: { y: { beginAtZero: true } }
        }
      };
      if (chart) { chart.destroy(); }
      chart = new window.Chart(canvas, config);
    }
    picker.addEventListener("change", function () { draw(Number(picker.value)); });
    draw(Number(picker.value) || 0);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
