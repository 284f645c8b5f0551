// Bar chart of one indicator by unit, this year against last year (vendored Chart.js).
(function () {
  "use strict";
  function start() {
    var source = document.getElementById("chart-data");
    var canvas = document.getElementById("stats-chart");
    var picker = document.getElementById("chart-indicator");
    if (!source || !canvas || !picker || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var chart = null;
    function draw(index) {
      var indicator = data.indicators[index];
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
          plugins: { title: { display: true, text: indicator.label } },
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
