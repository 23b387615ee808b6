// Draws a report's charts with TradingView's lightweight-charts (vendored), from columns of
// numbers: a backtest's fetched from the URL its #charts section names (kept apart from the
// page, and cached), a run's carried by the page in #backtest-chart-data (the CSP allows no
// inline script).
(function () {
  "use strict";
  // {time: [...], value: [...]} -> [{time, value}, ...], the library's points.
  function points(columns, names) {
    return columns.time.map(function (time, i) {
      var point = { time: time };
      names.forEach(function (name) { point[name] = columns[name][i]; });
      return point;
    });
  }
  // The strategy's indicators: levels over the candles, oscillators in a pane under them.
  var PALETTE = ["#8250df", "#bf8700", "#1b7c83", "#cf222e", "#0550ae", "#6e7781"];
  function drawIndicators(LC, chart, data) {
    (data.indicators || []).forEach(function (line, index) {
      var series = chart.addSeries(LC.LineSeries, {
        color: PALETTE[index % PALETTE.length], lineWidth: 1, title: line.label,
        priceLineVisible: false, lastValueVisible: false
      }, line.pane ? 1 : 0);
      series.setData(data.prices.time.map(function (time, i) {
        var value = line.values[i];
        return value === null ? { time: time } : { time: time, value: value };
      }));
    });
  }
  // The ledger's "on the chart" buttons (hidden until a chart is drawn): the price chart
  // zoomed on the trade, with as much again on each side, and brought into view and focus.
  function showTradesOnTheChart(chart, box, times) {
    var step = times.length > 1 ? times[1] - times[0] : 3600;
    document.querySelectorAll("[data-chart-from]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var from = Number(button.dataset.chartFrom), to = Number(button.dataset.chartTo);
        var margin = Math.max(to - from, 10 * step);
        chart.timeScale().setVisibleRange({ from: from - margin, to: to + margin });
        box.scrollIntoView({ block: "center" });
        box.focus({ preventScroll: true });
      });
    });
  }
  function start() {
    var source = document.getElementById("backtest-chart-data");
    if (source) { draw(JSON.parse(source.textContent)); return; }
    var section = document.getElementById("charts");
    if (!section || !section.dataset.chartUrl) { return; }
    fetch(section.dataset.chartUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      // No chart without its data; the figures and the ledger stand on the page.
      .catch(function () {});
  }
  function draw(data) {
    if (!window.LightweightCharts) { return; }
    var LC = window.LightweightCharts;
    // No attribution logo: the library adds it with an inline <style> element, which the CSP
    // (style-src 'self') refuses; the page prints the licence's notice and link instead.
    var common = {
      autoSize: true,
      layout: { attributionLogo: false },
      timeScale: { timeVisible: true },
      localization: { locale: document.documentElement.lang || "en" }
    };

    var equityBox = document.getElementById("equity-chart");
    if (equityBox && data.equity.time.length) {
      var equityChart = LC.createChart(equityBox, common);
      var equity = equityChart.addSeries(LC.LineSeries, { color: "#0969da", lineWidth: 2, title: data.labels.equity });
      equity.setData(points(data.equity, ["value"]));
      if (data.equity.hold) {
        // The same capital bought at the first open and held: what the strategy has to beat.
        var hold = equityChart.addSeries(LC.LineSeries, {
          color: "#6e7781", lineWidth: 1, lineStyle: LC.LineStyle.Dashed, title: data.labels.hold
        });
        hold.setData(data.equity.time.map(function (time, i) {
          return { time: time, value: data.equity.hold[i] };
        }));
      }
      var drawdown = equityChart.addSeries(LC.AreaSeries, {
        lineColor: "#cf222e", topColor: "rgba(207, 34, 46, 0.05)", bottomColor: "rgba(207, 34, 46, 0.35)",
        lineWidth: 1, title: data.labels.drawdown, priceScaleId: "drawdown", invertFilledArea: true
      });
      drawdown.priceScale().applyOptions({ scaleMargins: { top: 0.7, bottom: 0 } });
      drawdown.setData(data.equity.time.map(function (time, i) {
        return { time: time, value: data.equity.drawdown[i] };
      }));
      equityChart.timeScale().fitContent();
    }

    var priceBox = document.getElementById("price-chart");
    if (priceBox && data.prices.time.length) {
      var priceChart = LC.createChart(priceBox, common);
      var candles = priceChart.addSeries(LC.CandlestickSeries, {});
      candles.setData(points(data.prices, ["open", "high", "low", "close"]));
      var markers = points(data.markers, ["entry", "long"]).map(function (m) {
        if (m.entry) {
          return m.long
            ? { time: m.time, position: "belowBar", color: "#1a7f37", shape: "arrowUp" }
            : { time: m.time, position: "aboveBar", color: "#cf222e", shape: "arrowDown" };
        }
        return { time: m.time, position: m.long ? "aboveBar" : "belowBar", color: "#6e7781", shape: "circle" };
      });
      LC.createSeriesMarkers(candles, markers);
      drawIndicators(LC, priceChart, data);
      priceChart.timeScale().fitContent();
      showTradesOnTheChart(priceChart, priceBox, data.prices.time);
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
