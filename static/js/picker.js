// Filterable checkbox lists (templates/_macros/pickers.html): typing in the filter hides the
// items whose label does not contain the text; ticked items always stay in view. Without this
// script every checkbox shows, and the form works the same.
(function () {
  "use strict";

  function fold(text) {
    // Case and accents do not matter: "cote" finds "Côte d'Ivoire".
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();
  }

  function setUp(picker) {
    var wrap = picker.querySelector("[data-picker-filter-wrap]");
    var input = picker.querySelector("[data-picker-filter]");
    var empty = picker.querySelector("[data-picker-empty]");
    if (!wrap || !input) return;
    var items = Array.prototype.map.call(picker.querySelectorAll("[data-picker-item]"),
      function (item) {
        return {el: item, box: item.querySelector("input"),
                text: fold(item.querySelector("label").textContent)};
      });
    var groups = picker.querySelectorAll("[data-picker-group]");

    function apply() {
      var needle = fold(input.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var visible = !needle || item.box.checked || item.text.indexOf(needle) !== -1;
        item.el.hidden = !visible;
        if (visible) shown += 1;
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = !group.querySelector("[data-picker-item]:not([hidden])");
      });
      if (empty) empty.hidden = shown > 0;
    }

    wrap.hidden = false;
    input.addEventListener("input", apply);
    // Enter in the filter must not submit the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
