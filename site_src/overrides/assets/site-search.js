/* The search page, over Pagefind's chunked index: pagefind.js fetches only the pieces of the
   index a query needs. Results are built as text (never as HTML from the index), the count is
   announced in a live region, and the query is kept in the address (?q=…) to share. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-rf-search]");
  if (!form) return;
  var d = form.dataset;
  var input = form.querySelector("input[name=q]");
  var status = document.querySelector("[data-rf-search-status]");
  var list = document.querySelector("[data-rf-search-results]");
  var more = document.querySelector("[data-rf-search-more]");
  var kinds = JSON.parse(d.kinds || "{}");
  // Results fetched at a time, each one small fragment file: five first (a phone's screen,
  // and Pagefind's own interface's first page), so that a first search on a slow connection
  // waits for five fragments, not ten; then ten at each press of the button.
  var FIRST = 5;
  var PAGE = 10;
  var pending = [];  // the results not shown yet
  var engine = null;
  var latest = 0;
  var timer = null;
  var shown = null;  // the words whose results are on the page

  function load() {
    if (!engine) {
      var root = new URL(d.root, location.href).pathname;
      engine = import(new URL(d.bundle + "pagefind.js", location.href).href).then(function (pf) {
        // noWorker: search on the page itself rather than in a Web Worker, which would be one
        // more download (12 KB) before the first result, on phones on slow connections
        return pf.options({ baseUrl: root, noWorker: true })
          .then(function () { return pf.init(); })
          .then(function () { return pf; });
      });
    }
    return engine;
  }

  function say(template, count, term) {
    return template.replace("[COUNT]", count.toLocaleString(document.documentElement.lang))
      .replace("[SEARCH_TERM]", "“" + term + "”");
  }

  function excerpt(html) {
    // The excerpt marks the matched words with <mark>; keep those, everything else as text.
    var p = document.createElement("p");
    var parsed = new DOMParser().parseFromString(html, "text/html").body.childNodes;
    Array.prototype.forEach.call(parsed, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function kind(url) {
    // what a result is, from its address: /stories/…/, /es/resources/…/ and so on
    var parts = new URL(url, location.href).pathname.slice(new URL(d.root, location.href)
      .pathname.length).split("/").filter(Boolean);
    return kinds[parts.length > 1 && kinds[parts[0]] ? parts[0] : ""];
  }

  function append(items) {
    var first = null;
    items.forEach(function (item) {
      var li = document.createElement("li");
      var label = document.createElement("span");
      label.className = "rf-search__kind";
      label.textContent = kind(item.url);
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = (item.meta && item.meta.title) || item.url;
      li.appendChild(label);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      li.appendChild(excerpt(item.excerpt || ""));
      list.appendChild(li);
      first = first || a;
    });
    more.hidden = pending.length === 0;
    return first;
  }

  function next(count) {
    return Promise.all(pending.splice(0, count).map(function (r) { return r.data(); }));
  }

  function show(term, count, items) {
    list.textContent = "";
    append(items);
    status.textContent = count === 0 ? say(d.zero, 0, term)
      : say(count === 1 ? d.one : d.many, count, term);
  }

  function run(term) {
    // The same words again (a pause after Enter, say) would redraw the results under a
    // keyboard user's focus: keep them.
    if (term === shown) return;
    shown = term;
    var ticket = ++latest;
    history.replaceState(null, "", location.pathname + (term ? "?q=" + encodeURIComponent(term) : ""));
    if (!term) {
      list.textContent = ""; status.textContent = ""; pending = []; more.hidden = true;
      return;
    }
    load().then(function (pf) { return pf.search(term); }).then(function (search) {
      if (ticket !== latest) return;
      pending = search.results.slice();
      return next(FIRST).then(function (items) {
        if (ticket === latest) show(term, search.results.length, items);
      });
    });
  }

  more.addEventListener("click", function () {
    var ticket = latest;
    next(PAGE).then(function (items) {
      if (ticket !== latest) return;
      var first = append(items);
      if (first) first.focus();  // a keyboard user carries on from the first new result
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);  // Enter searches now; the typing pause must not search again
    run(input.value.trim());
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value.trim()); }, 250);
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) { input.value = query; run(query.trim()); }
})();
