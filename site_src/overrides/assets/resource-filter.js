/* Resource filters that work on any static host: the page holds the first page of resources;
   this script loads resources/index.json once and filters it in the browser. The filter state is
   kept in the address (?audiences=youth&q=visits) so a filtered view can be shared. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-rf-filter]");
  if (!form) return;
  var results = document.querySelector("[data-rf-results]");
  var status = form.querySelector("[data-rf-status]");
  var pager = document.querySelector(".rf-pager");
  var base = form.getAttribute("data-base");
  var plural = new Intl.PluralRules(document.documentElement.lang || "en");
  var rows = null;
  var names = JSON.parse(form.getAttribute("data-language-names") || "{}");
  var inLanguage = form.getAttribute("data-msg-in-language") || "{language}";
  var fields = ["q", "audiences", "topics", "formats", "language", "state"];
  // A national hub has thousands of matches: they are shown a page at a time (as many as a
  // page of the list holds), with a button for more, so that a phone is not asked to lay out
  // thousands of cards at once.
  var pageSize = parseInt(form.getAttribute("data-page-size"), 10) || 40;
  var found = [];
  var shown = 0;
  var more = null;

  function message(count) {
    if (count === 0) return form.getAttribute("data-msg-none");
    var template = form.getAttribute(plural.select(count) === "one" ? "data-msg-one" : "data-msg-other");
    return template.replace("{count}", count.toLocaleString(document.documentElement.lang || "en"));
  }

  function matches(row, wanted) {
    if (wanted.audiences && row.audiences.indexOf(wanted.audiences) < 0) return false;
    if (wanted.topics && row.topics.indexOf(wanted.topics) < 0) return false;
    if (wanted.formats && row.format !== wanted.formats) return false;
    if (wanted.language && row.languages.indexOf(wanted.language) < 0) return false;
    if (wanted.state && row.states.indexOf(wanted.state) < 0 && row.states.indexOf("national") < 0) return false;
    if (wanted.q) {
      var haystack = (row.title + " " + row.summary + " " + row.publisher).toLowerCase();
      var words = wanted.q.toLowerCase().split(/\s+/).filter(Boolean);
      for (var i = 0; i < words.length; i++) if (haystack.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function card(row) {
    var article = document.createElement("article");
    article.className = "rf-card rf-card--resource";
    var h = document.createElement("h2");
    h.className = "rf-card__title";
    var a = document.createElement("a");
    a.href = base + row.id + "/";
    a.textContent = row.title;
    h.appendChild(a);
    var meta = document.createElement("p");
    meta.className = "rf-card__meta";
    var publisher = document.createElement("span");
    publisher.textContent = row.publisher;
    meta.appendChild(publisher);
    if (row.year) meta.appendChild(document.createTextNode(", " + row.year));
    row.languages.forEach(function (code) {
      if (code === "en" || !names[code]) return;
      var badge = document.createElement("span");
      badge.className = "rf-badge rf-badge--language";
      badge.textContent = inLanguage.replace("{language}", names[code]);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(badge);
    });
    var p = document.createElement("p");
    p.textContent = row.summary;
    // English text in another edition is marked, as on the pages, so screen readers switch voice
    (row.english || []).forEach(function (field) {
      ({title: a, summary: p, publisher: publisher})[field].lang = "en";
    });
    article.appendChild(h);
    article.appendChild(meta);
    article.appendChild(p);
    return article;
  }

  function wantedFromForm() {
    var wanted = {};
    fields.forEach(function (name) {
      var value = form.elements[name] ? form.elements[name].value.trim() : "";
      if (value) wanted[name] = value;
    });
    return wanted;
  }

  function apply(updateAddress) {
    var wanted = wantedFromForm();
    var active = Object.keys(wanted).length > 0;
    if (updateAddress) {
      var query = new URLSearchParams(wanted).toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }
    if (!active) { window.location.reload(); return; }
    load(function () {
      found = rows.filter(function (row) { return matches(row, wanted); });
      results.textContent = "";
      shown = 0;
      showMore(false);
      if (pager) pager.hidden = true;
      status.textContent = message(found.length);
    });
  }

  function showMore(moveFocus) {
    var next = found.slice(shown, shown + pageSize);
    next.forEach(function (row, i) {
      var added = results.appendChild(card(row));
      // keyboard and screen-reader users carry on from the first card the button added
      if (moveFocus && i === 0) added.querySelector("a").focus();
    });
    shown += next.length;
    if (!more) {
      more = document.createElement("button");
      more.type = "button";
      more.className = "md-button rf-more";
      more.textContent = form.getAttribute("data-msg-more");
      more.addEventListener("click", function () { showMore(true); });
      results.parentNode.insertBefore(more, results.nextSibling);
    }
    more.hidden = shown >= found.length;
  }

  function load(done) {
    if (rows) return done();
    fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (data) { rows = data; done(); });
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
