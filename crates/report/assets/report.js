"use strict";
(function () {
  document.documentElement.classList.add("js");
  // Collapsed tables (records per day, the field profile) are printed open.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (details) { details.open = true; });
  });
  var table = document.getElementById("findings-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var severity = document.getElementById("severity");
  var shown = document.getElementById("shown");
  function apply() {
    var needle = filter.value.toLowerCase();
    var wanted = severity.value;
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var match = row.textContent.toLowerCase().indexOf(needle) !== -1 &&
        (wanted === "" || row.className === wanted);
      row.hidden = !match;
      if (match) { count += 1; }
    });
    shown.textContent = String(count);
  }
  filter.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, column) {
    cell.classList.add("sortable");
    cell.addEventListener("click", function () {
      var numeric = cell.hasAttribute("data-numeric");
      var ascending = cell.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
      cell.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent, y = b.cells[column].textContent;
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
