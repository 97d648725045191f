// Client-side search over operations and schemas (the index is search-index.js; no network).
// Keyboard: "/" focuses the search, Enter opens the first result, arrow keys move through the results.
(function () {
  "use strict";
  if (window.matchMedia && window.matchMedia("(max-width: 800px)").matches) {
    document.querySelectorAll("nav.sidebar details.toc[open]").forEach(function (d) { d.removeAttribute("open"); });
  }
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  if (!input || !results || !window.SEARCH_INDEX) { return; }
  var here = location.pathname.split("/").pop();
  input.addEventListener("input", function () {
    var query = input.value.trim().toLowerCase();
    results.textContent = "";
    if (query.length < 2) { return; }
    var words = query.split(/\s+/);
    window.SEARCH_INDEX.filter(function (entry) {
      var text = (entry.title + " " + entry.text).toLowerCase();
      return words.every(function (word) { return text.indexOf(word) !== -1; });
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
  input.addEventListener("keydown", function (event) {
    var first = results.querySelector("a");
    if (event.key === "Enter" && first) { first.click(); }
    if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
  });
  results.addEventListener("keydown", function (event) {
    var item = event.target.closest("li");
    if (!item) { return; }
    var next = event.key === "ArrowDown" ? item.nextElementSibling : event.key === "ArrowUp" ? item.previousElementSibling : null;
    if (next) { event.preventDefault(); next.querySelector("a").focus(); }
    if (event.key === "ArrowUp" && !item.previousElementSibling) { event.preventDefault(); input.focus(); }
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); input.focus(); }
  });
})();
