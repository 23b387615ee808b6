// The market field's suggestions: <input list="ID" data-markets-url="…/exchange-slug/">
// next to an empty <datalist id="ID">. When the form's exchange is chosen (and on load), its
// markets are fetched once and put in the list, each labelled with the exchange's own names
// (XBT/USD, XXBTZUSD) so that typing those finds it too. Without JavaScript, or when the
// fetch fails, the field stays a plain text input and the server names close matches.
(function () {
  var lists = {};  // address -> the markets, fetched once per page

  function markets(url) {
    if (!lists[url]) {
      lists[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : { markets: [] }; })
        .then(function (body) { return body.markets || []; })
        .catch(function () { delete lists[url]; return []; });
    }
    return lists[url];
  }

  function fill(datalist, found) {
    var options = document.createDocumentFragment();
    found.forEach(function (market) {
      var option = document.createElement("option");
      option.value = market.symbol;
      if (market.aliases && market.aliases.length) {
        option.label = market.symbol + " (" + market.aliases.join(", ") + ")";
      }
      options.appendChild(option);
    });
    datalist.replaceChildren(options);
  }

  document.querySelectorAll("input[data-markets-url]").forEach(function (input) {
    var datalist = document.getElementById(input.getAttribute("list"));
    var exchange = input.form && input.form.elements.namedItem("exchange");
    if (!datalist || !exchange) return;
    var shown = null;
    function update() {
      var slug = exchange.value;
      if (slug === shown) return;
      shown = slug;
      if (!slug) { fill(datalist, []); return; }
      var url = input.dataset.marketsUrl.replace(input.dataset.marketsSlot, encodeURIComponent(slug));
      markets(url).then(function (found) {
        if (shown === slug) fill(datalist, found);
      });
    }
    exchange.addEventListener("change", update);
    update();
  });
})();
