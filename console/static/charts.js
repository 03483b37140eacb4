// Console charts: each figure.chart carries its data as JSON (data-chart), drawn with the
// vendored uPlot. The drawn charts are kept in window.consoleCharts by figure id (their data is
// exactly what the server computed); the same numbers are in the table under each chart.
(function () {
  "use strict";
  var HEIGHT = 220;
  window.consoleCharts = {};

  function number(v) {
    if (v === null || v === undefined) return "—";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en") : String(+v.toFixed(2));
  }

  function paths(kind) {
    if (kind === "bars") return uPlot.paths.bars({ size: [0.7, 80], align: 0 });
    if (kind === "steps") return uPlot.paths.stepped({ align: 1 });
    return undefined;
  }

  function seriesOf(spec) {
    var first = { label: spec.axis === "category" ? "Tariff" : "Time" };
    if (spec.axis === "category") {
      first.value = function (u, i) { return i === null ? "—" : spec.categories[i]; };
    }
    return [first].concat(spec.series.map(function (s) {
      var one = {
        label: s.label,
        stroke: s.colour,
        width: 2,
        value: function (u, v) { return number(v) + " " + spec.unit; },
        paths: paths(spec.kind)
      };
      if (spec.kind === "bars") {
        one.fill = s.colour + "b3";
        one.points = { show: false };
      }
      return one;
    }));
  }

  function xScale(spec) {
    if (spec.axis === "category") {
      return { time: false, range: [-0.5, spec.categories.length - 0.5] };
    }
    var half = (spec.step || 0) / 2;
    return {
      time: true,
      range: function (u, min, max) { return [min - half, max + half]; }
    };
  }

  function xAxis(spec) {
    if (spec.axis !== "category") return { stroke: "#57606a" };
    return {
      stroke: "#57606a",
      splits: function () { return spec.categories.map(function (_, i) { return i; }); },
      values: function (u, splits) { return splits.map(function (i) { return spec.categories[i] || ""; }); }
    };
  }

  function options(spec, width, tz) {
    return {
      width: width,
      height: HEIGHT,
      tzDate: tz ? function (ts) { return uPlot.tzDate(new Date(ts * 1e3), tz); } : undefined,
      scales: {
        x: xScale(spec),
        y: { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.1 : 1]; } }
      },
      axes: [
        xAxis(spec),
        { stroke: "#57606a", size: 56, label: spec.unit, values: function (u, s) { return s.map(number); } }
      ],
      series: seriesOf(spec),
      cursor: { points: { size: 7 } }
    };
  }

  function draw(figure) {
    var mount = figure.querySelector(".plot");
    if (!mount) return;
    var spec = JSON.parse(figure.dataset.chart);
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var chart = new uPlot(options(spec, mount.clientWidth || 320, figure.dataset.timezone), data, mount);
    window.consoleCharts[figure.id] = chart;
    figure.dataset.drawn = "true";
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (mount.clientWidth && mount.clientWidth !== chart.width) {
          chart.setSize({ width: mount.clientWidth, height: HEIGHT });
        }
      }).observe(mount);
    }
  }

  document.querySelectorAll("figure.chart[data-chart]").forEach(draw);
})();
