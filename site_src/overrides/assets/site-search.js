/* The search page: Pagefind's interface, worded from our catalogue (data-* attributes), with
   the query kept in the address (?q=…) so that a search can be shared or bookmarked. */
(function () {
  "use strict";
  var box = document.getElementById("rf-search");
  if (!box || typeof PagefindUI === "undefined") return;
  var d = box.dataset;
  var ui = new PagefindUI({
    element: "#rf-search",
    bundlePath: d.bundle,
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    translations: {
      placeholder: d.placeholder, clear_search: d.clear, zero_results: d.zero,
      many_results: d.many, one_result: d.one, load_more: d.more, search_label: d.label
    }
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
  box.addEventListener("input", function (event) {
    if (!event.target.matches("input")) return;
    var value = event.target.value.trim();
    history.replaceState(null, "", location.pathname + (value ? "?q=" + encodeURIComponent(value) : ""));
  });
})();
