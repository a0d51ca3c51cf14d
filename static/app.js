/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // A form came back with errors: the summary at the top takes the focus, so a screen reader
  // reads it and a keyboard user starts from its links to the fields.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }
  // The navigation menu (<details>) is folded on small screens only: opened on wide ones, for
  // browsers whose CSS cannot show a closed <details>'s content.
  function openMenuWhenWide() {
    var menu = document.querySelector("details.app-menu");
    if (!menu || !window.matchMedia) return;
    var wide = window.matchMedia("(min-width: 992px)");
    var sync = function () { if (wide.matches) menu.open = true; };
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
  }
  // A form posted to "page#section" comes back with that fragment; the browser's scroll to it
  // happens after this script and drops the focus to <body>: take it back then.
  function refocusAfterLoad() {
    setTimeout(function () {
      if (document.activeElement === document.body) focusErrorSummary();
    }, 0);
  }
  function start() { openMenuWhenWide(); focusErrorSummary(); }
  window.addEventListener("load", refocusAfterLoad);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
