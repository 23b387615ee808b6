// Draws a backtest report's charts with TradingView's lightweight-charts (vendored), from the
// JSON the page carries in #backtest-chart-data (the CSP allows no inline script).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("backtest-chart-data");
    if (!source || !window.LightweightCharts) { return; }
    var data = JSON.parse(source.textContent);
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
    if (equityBox && data.equity.length) {
      var equityChart = LC.createChart(equityBox, common);
      var equity = equityChart.addSeries(LC.LineSeries, { color: "#0969da", lineWidth: 2, title: data.labels.equity });
      equity.setData(data.equity);
      var drawdown = equityChart.addSeries(LC.AreaSeries, {
        lineColor: "#cf222e", topColor: "rgba(207, 34, 46, 0.05)", bottomColor: "rgba(207, 34, 46, 0.35)",
        lineWidth: 1, title: data.labels.drawdown, priceScaleId: "drawdown", invertFilledArea: true
      });
      drawdown.priceScale().applyOptions({ scaleMargins: { top: 0.7, bottom: 0 } });
      drawdown.setData(data.drawdown);
      equityChart.timeScale().fitContent();
    }

    var priceBox = document.getElementById("price-chart");
    if (priceBox && data.prices.length) {
      var priceChart = LC.createChart(priceBox, common);
      var candles = priceChart.addSeries(LC.CandlestickSeries, {});
      candles.setData(data.prices);
      var markers = data.markers.map(function (m) {
        if (m.kind === "entry") {
          return m.long
            ? { time: m.time, position: "belowBar", color: "#1a7f37", shape: "arrowUp" }
            : { time: m.time, position: "aboveBar", color: "#cf222e", shape: "arrowDown" };
        }
        return { time: m.time, position: m.long ? "aboveBar" : "belowBar", color: "#6e7781", shape: "circle" };
      });
      LC.createSeriesMarkers(candles, markers);
      priceChart.timeScale().fitContent();
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
