/* The home page before the month: how many days are left, counted on the visitor's own day
   (the page itself was built on another). Without this script the start date is shown. */
(function () {
  "use strict";
  var el = document.querySelector("[data-rf-countdown]");
  if (!el) return;
  var parts = el.getAttribute("data-rf-countdown").split("-").map(Number);
  var start = new Date(parts[0], parts[1] - 1, parts[2]);
  var now = new Date();
  var today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  var days = Math.round((start - today) / 86400000);
  if (days < 1) return;  // the month has begun: the dates above say when it ends
  var lang = document.documentElement.lang || "en";
  var form = new Intl.PluralRules(lang).select(days) === "one" ? "one" : "other";
  el.textContent = el.getAttribute("data-" + form)
    .replace("{count}", days.toLocaleString(lang));
})();
