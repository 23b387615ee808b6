// Paged tables: <table data-page-size="50" data-pager-previous="…" data-pager-next="…"
// data-pager-status="Page {page} of {pages}"> shows its rows a page at a time, with
// Previous and Next buttons after it and the page said in a live region. A sorted table
// (sortable.js) starts again at its first page. Without JavaScript every row shows.
(function () {
  function pager(table) {
    var size = Number(table.dataset.pageSize);
    var rows = function () { return Array.prototype.slice.call(table.tBodies[0].rows); };
    var pages = Math.ceil(rows().length / size);
    if (!size || pages < 2) return;
    var nav = document.createElement("nav");
    nav.className = "pager";
    nav.setAttribute("aria-label", table.dataset.pagerLabel || "");
    var previous = document.createElement("button");
    var next = document.createElement("button");
    var status = document.createElement("span");
    previous.type = next.type = "button";
    previous.className = next.className = "button button-quiet";
    previous.textContent = table.dataset.pagerPrevious;
    next.textContent = table.dataset.pagerNext;
    status.setAttribute("aria-live", "polite");
    nav.append(previous, status, next);
    (table.closest(".table-scroll") || table).after(nav);
    var page = 0;

    function show(index) {
      page = Math.max(0, Math.min(pages - 1, index));
      rows().forEach(function (row, at) {
        row.hidden = Math.floor(at / size) !== page;
      });
      previous.disabled = page === 0;
      next.disabled = page === pages - 1;
      status.textContent = table.dataset.pagerStatus
        .replace("{page}", String(page + 1)).replace("{pages}", String(pages));
    }

    previous.addEventListener("click", function () { show(page - 1); });
    next.addEventListener("click", function () { show(page + 1); });
    table.addEventListener("table-sorted", function () { show(0); });
    show(0);
  }

  document.querySelectorAll("table[data-page-size]").forEach(pager);
})();
