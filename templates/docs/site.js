// Client-side search over operations and schemas (the index is search-index.js; no network).
(function () {
  "use strict";
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  if (!input || !results || !window.SEARCH_INDEX) { return; }
  var here = location.pathname.split("/").pop();
  input.addEventListener("input", function () {
    var query = input.value.trim().toLowerCase();
    results.textContent = "";
    if (query.length < 2) { return; }
    window.SEARCH_INDEX.filter(function (entry) {
      return (entry.title + " " + entry.text).toLowerCase().indexOf(query) !== -1;
    }).slice(0, 30).forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      var target = entry.href.split("#");
      link.href = target[0] === here ? "#" + target[1] : entry.href;
      link.textContent = entry.title + (entry.text ? " — " + entry.text : "");
      link.className = "result " + entry.kind;
      item.appendChild(link);
      results.appendChild(item);
    });
  });
})();
