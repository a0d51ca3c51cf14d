// Hidden inputs marked data-browser-zone get the browser's zone (the log-in form), links marked
// data-browser-zone-link carry it (single sign-on), and
// time-zone pickers marked data-default-browser-zone (the person has not chosen a zone yet):
// select the browser's zone when the list offers it, and show the note that says so.
// Without JavaScript the server's choice stays selected.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  // The log-in form sends it along: people who never chose a zone take their browser's.
  document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
    input.value = zone;
  });
  // The single sign-on link carries it the same way, as a query parameter.
  document.querySelectorAll("a[data-browser-zone-link]").forEach(function (link) {
    var url = new URL(link.href, document.baseURI);
    url.searchParams.set(link.getAttribute("data-browser-zone-link"), zone);
    link.href = url.toString();
  });
  document.querySelectorAll("select[data-default-browser-zone]").forEach(function (select) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
    if (!option || select.value === zone) return;
    select.value = zone;
    var note = document.querySelector("[data-browser-zone-note]");
    if (note) note.classList.remove("d-none");
  });
})();
