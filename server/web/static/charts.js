/* Draws every <figure class="chart"> from the JSON beside it with ECharts (served by
   this site at /vendor/echarts.min.js). The same numbers are in the table below each
   chart, so the page says everything without scripts too. */
(function () {
  "use strict";
  function draw(figure) {
    var data = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
    var box = figure.querySelector(".chart-box");
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    var horizontal = data.kind === "bars";
    var series = data.series.map(function (s) {
      return { name: s.name, type: horizontal ? "bar" : "line", data: s.data, smooth: false,
               showSymbol: false, areaStyle: horizontal ? undefined : { opacity: 0.08 } };
    });
    var category = { type: "category", data: data.labels, axisLabel: { hideOverlap: true } };
    chart.setOption({
      animation: false,
      color: ["#b8322a", "#3d7eaa", "#6a994e", "#c08a2e"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: horizontal ? 120 : 40, right: 16, top: 36, bottom: 28, containLabel: !horizontal },
      xAxis: horizontal ? { type: "value", minInterval: 1 } : category,
      yAxis: horizontal ? Object.assign({ inverse: true }, category) : { type: "value", minInterval: 1 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function start() {
    if (!window.echarts) { return; }
    document.querySelectorAll("figure.chart").forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
