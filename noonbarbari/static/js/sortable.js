// Sortable tables: <table class="sortable">. Each column header becomes a button that sorts
// the rows by the cells' data-sort values (numbers when they all are), else by their text;
// aria-sort tells screen readers the order. Without JavaScript the table keeps its order.
(function () {
  function key(cell) {
    return cell ? (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim()) : "";
  }

  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var values = rows.map(function (row) { return key(row.cells[index]); });
    var numeric = values.every(function (value) { return value === "" || !isNaN(Number(value)); });
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      var order = numeric ? (Number(x || -Infinity) - Number(y || -Infinity)) : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    // A paged table (pager.js) shows the first page of the new order.
    table.dispatchEvent(new CustomEvent("table-sorted"));
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, header); });
    });
  });
})();
