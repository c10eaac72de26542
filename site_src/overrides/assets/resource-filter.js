/* Resource filters that work on any static host, and stay light at national size: the page
   holds the first page of the list, and a filter fetches only what it needs.
   - Without words: for each chosen value, the places in the list of the resources that have it
     (resources/filter/<field>/<value>.json, a few KB), intersected here; the cards of the first
     matches come from resources/filter/cards/<n>.json (40 resources each, in the list's order).
   - With words: Pagefind, as the search page does, restricted to resources and to the chosen
     values; it fetches only the pieces of the index the words need. Matches come by relevance,
     each with the passage the words were found in.
   The filter state is kept in the address (?audiences=youth&q=visits) so a view can be shared.
   Cards are built as text, never as HTML from the files. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-rf-filter]");
  if (!form) return;
  var d = form.dataset;
  var results = document.querySelector("[data-rf-results]");
  var status = form.querySelector("[data-rf-status]");
  var panel = form.querySelector("[data-rf-filters-panel]");
  // On a phone the choices fold behind one button, the count of resources stays in view.
  if (panel && window.matchMedia("(max-width: 44.9375em)").matches) panel.open = false;
  var pager = document.querySelector(".rf-pager");
  var lang = document.documentElement.lang || "en";
  var plural = new Intl.PluralRules(lang);
  var names = JSON.parse(d.languageNames || "{}");
  var fields = ["q", "audiences", "topics", "formats", "language", "state"];
  var facets = ["audiences", "topics", "formats", "language"];
  // Pagefind's names for the same filters (set on the resource pages)
  var pagefindNames = {audiences: "audience", topics: "topic", formats: "format", language: "language"};
  var perFile = parseInt(d.cardsPerFile, 10) || 40;
  // A national hub has thousands of matches: they are shown a page at a time (as many as a
  // page of the list holds), with a button for more, so that a phone is not asked to lay out
  // thousands of cards at once.
  var pageSize = parseInt(d.pageSize, 10) || 40;
  var found = null;  // {count, cards(from, to) -> Promise of card texts}
  var shown = 0;
  var more = null;
  var latest = 0;
  var loading = false;
  var files = {};
  var engine = null;

  function fetchJSON(url) {
    if (!files[url]) {
      files[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
      files[url].catch(function () { delete files[url]; });  // a later try fetches it again
    }
    return files[url];
  }

  function label(field, code) {
    var option = form.elements[field] && form.elements[field].querySelector(
      "option[value=\"" + (window.CSS && CSS.escape ? CSS.escape(code) : code) + "\"]");
    return option ? option.textContent : code;
  }

  function message(count) {
    if (count === 0) return d.msgNone;
    var template = plural.select(count) === "one" ? d.msgOne : d.msgOther;
    return template.replace("{count}", count.toLocaleString(lang));
  }

  // --- without words: the places of the matching resources in the list ---

  function places(field, value) {
    return fetchJSON(d.filter + field + "/" + encodeURIComponent(value) + ".json")
      .then(function (gaps) {
        var at = 0;
        return gaps.map(function (gap) { at += gap; return at; });
      });
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }

  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
      else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  function byValues(wanted) {
    var lists = facets.filter(function (f) { return wanted[f]; })
      .map(function (f) { return places(f, wanted[f]); });
    if (wanted.state) {
      // a state's resources and the nationwide ones
      lists.push(Promise.all([places("state", wanted.state), places("state", "national")])
        .then(function (both) { return union(both[0], both[1]); }));
    }
    return Promise.all(lists).then(function (all) {
      var matches = all.reduce(intersect);
      return {
        count: matches.length,
        cards: function (from, to) {
          var wantedPlaces = matches.slice(from, to);
          var numbers = [];
          wantedPlaces.forEach(function (p) {
            var n = Math.floor(p / perFile);
            if (numbers.indexOf(n) < 0) numbers.push(n);
          });
          return Promise.all(numbers.map(function (n) {
            return fetchJSON(d.filter + "cards/" + n + ".json");
          })).then(function (chunks) {
            return wantedPlaces.map(function (p) {
              var row = chunks[numbers.indexOf(Math.floor(p / perFile))][p % perFile];
              return {
                href: d.base + row.id + "/", title: row.title, format: label("formats", row.format),
                publisher: row.publisher, year: row.year, document: row.document,
                languages: row.languages, summary: row.summary,
                audiences: row.audiences.map(function (a) { return label("audiences", a); }).join(", "),
                english: row.english || []
              };
            });
          });
        }
      };
    });
  }

  // --- with words: Pagefind ---

  function pagefind() {
    if (!engine) {
      var root = new URL(d.root, location.href).pathname;
      engine = import(new URL(d.bundle + "pagefind.js", location.href).href).then(function (pf) {
        return pf.options({ baseUrl: root, noWorker: true })
          .then(function () { return pf.init(); })
          .then(function () { return pf; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function byWords(wanted) {
    var filters = { type: "resource" };
    facets.forEach(function (f) { if (wanted[f]) filters[pagefindNames[f]] = wanted[f]; });
    if (wanted.state) filters.state = { any: [wanted.state, "national"] };
    return pagefind().then(function (pf) { return pf.search(wanted.q, { filters: filters }); })
      .then(function (search) {
        return {
          count: search.results.length,
          cards: function (from, to) {
            return Promise.all(search.results.slice(from, to).map(function (r) { return r.data(); }))
              .then(function (items) {
                return items.map(function (item) {
                  // what the card shows is in the page's filters (Pagefind adds its metadata
                  // to the word index every search downloads; filters stay apart)
                  var f = item.filters || {};
                  var first = function (name) { return f[name] && f[name][0]; };
                  return {
                    href: item.url, title: (item.meta && item.meta.title) || item.url,
                    format: first("format") && label("formats", first("format")),
                    publisher: first("publisher"), year: first("year"), document: first("document"),
                    languages: f.language || [], excerpt: item.excerpt || "",
                    audiences: (f.audience || []).map(function (a) { return label("audiences", a); }).join(", "),
                    english: f.english || []
                  };
                });
              });
          }
        };
      });
  }

  // --- the cards, as on the list ---

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function excerpt(html) {
    // Pagefind's excerpt marks the words found with <mark>: keep those, the rest as text
    var p = element("p");
    var parsed = new DOMParser().parseFromString(html, "text/html").body.childNodes;
    Array.prototype.forEach.call(parsed, function (node) {
      p.appendChild(node.nodeName === "MARK" ? element("mark", "", node.textContent)
        : document.createTextNode(node.textContent));
    });
    return p;
  }

  function card(row) {
    var article = element("article", "rf-card rf-card--resource");
    var h = element("h2", "rf-card__title");
    var a = element("a", "", row.title);
    a.href = row.href;
    h.appendChild(a);
    var meta = element("p", "rf-card__meta");
    if (row.format) {
      meta.appendChild(element("span", "rf-badge", row.format));
      meta.appendChild(document.createTextNode(" "));
    }
    var publisher = element("span", "", row.publisher);
    meta.appendChild(publisher);
    if (row.year) meta.appendChild(document.createTextNode(", " + row.year));
    if (row.document) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "rf-file", "(" + row.document + ")"));
    }
    row.languages.forEach(function (code) {
      if (code === "en" || !names[code]) return;
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "rf-badge rf-badge--language",
        d.msgInLanguage.replace("{language}", names[code])));
    });
    var summary = row.excerpt === undefined ? element("p", "", row.summary) : excerpt(row.excerpt);
    // English text in another edition is marked, as on the pages, so screen readers switch voice
    row.english.forEach(function (field) {
      var node = {title: a, summary: summary, publisher: publisher}[field];
      if (node) node.lang = "en";
    });
    article.appendChild(h);
    article.appendChild(meta);
    article.appendChild(summary);
    if (row.audiences) article.appendChild(element("p", "rf-card__meta", d.msgFor + " " + row.audiences));
    return article;
  }

  // --- the form ---

  function wantedFromForm() {
    var wanted = {};
    fields.forEach(function (name) {
      var value = form.elements[name] ? form.elements[name].value.trim() : "";
      if (value) wanted[name] = value;
    });
    return wanted;
  }

  function failed() {
    status.textContent = d.msgFailed;
  }

  function apply(updateAddress) {
    var wanted = wantedFromForm();
    if (updateAddress) {
      var query = new URLSearchParams(wanted).toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }
    if (!Object.keys(wanted).length) { window.location.reload(); return; }
    var ticket = ++latest;
    results.setAttribute("aria-busy", "true");  // dimmed until the matches are in
    (wanted.q ? byWords(wanted) : byValues(wanted)).then(function (matches) {
      return matches.cards(0, pageSize).then(function (rows) {
        if (ticket !== latest) return;  // a newer choice is on its way
        results.removeAttribute("aria-busy");
        found = matches;
        results.textContent = "";
        shown = 0;
        add(rows, false);
        if (pager) pager.hidden = true;
        status.textContent = message(found.count);
      });
    }).catch(function () {
      if (ticket !== latest) return;
      results.removeAttribute("aria-busy");
      failed();
    });
  }

  function add(rows, moveFocus) {
    rows.forEach(function (row, i) {
      var added = results.appendChild(card(row));
      // keyboard and screen-reader users carry on from the first card the button added
      if (moveFocus && i === 0) added.querySelector("a").focus();
    });
    shown += rows.length;
    if (!more) {
      more = element("button", "md-button rf-more", d.msgMore);
      more.type = "button";
      more.addEventListener("click", showMore);
      results.parentNode.insertBefore(more, results.nextSibling);
    }
    more.hidden = shown >= found.count;
  }

  function showMore() {
    if (loading) return;  // a second press while the first one's cards are on their way
    loading = true;
    var current = found;
    current.cards(shown, shown + pageSize).then(function (rows) {
      loading = false;
      if (current === found) add(rows, true);
    }).catch(function () { loading = false; failed(); });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
  form.addEventListener("reset", function () {
    history.replaceState(null, "", location.pathname);
    setTimeout(function () { window.location.reload(); }, 0);
  });
  var params = new URLSearchParams(location.search);
  fields.forEach(function (name) {
    if (params.get(name) && form.elements[name]) form.elements[name].value = params.get(name);
  });
  // A shared address may hold a value no longer offered (a topic renamed since): the list
  // selects nothing for it. With nothing left to filter by, the page stays as it came (apply
  // would reload it, and the reloaded page would do the same again, for ever).
  if (Object.keys(wantedFromForm()).length) apply(false);
})();
