// A text filter over a long list of checkboxes (the attendance sheet), and live counts.
// Progressive: without JavaScript the filter box stays hidden and every row shows.
//   <div data-filter-box hidden><input data-filter="#list"> <div data-filter-count data-template="{shown} of {total}"></div></div>
//   #list > [data-filter-group data-filter-text="Ghana GHA"] > [data-filter-item data-filter-text="Kwame Mensah"]
// A group whose own text matches shows all its items; otherwise only the matching items show.
// Case and accents are ignored ("lucia" finds "Lucía").
(function () {
  "use strict";
  function fold(text) {
    return (text || "").normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();
  }
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var list = document.querySelector(input.getAttribute("data-filter"));
    if (!list) return;
    var box = input.closest("[data-filter-box]");
    var counter = box && box.querySelector("[data-filter-count]");
    var empty = document.querySelector("[data-filter-empty]");
    var groups = Array.prototype.map.call(list.querySelectorAll("[data-filter-group]"), function (g) {
      return {
        el: g,
        text: fold(g.getAttribute("data-filter-text")),
        items: Array.prototype.map.call(g.querySelectorAll("[data-filter-item]"), function (i) {
          return { el: i, text: fold(i.getAttribute("data-filter-text")) };
        }),
      };
    });
    var total = groups.reduce(function (n, g) { return n + g.items.length; }, 0);

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      groups.forEach(function (g) {
        var groupHit = words.every(function (w) { return g.text.indexOf(w) >= 0; });
        var visible = 0;
        g.items.forEach(function (item) {
          var hit = groupHit || words.every(function (w) {
            return item.text.indexOf(w) >= 0 || g.text.indexOf(w) >= 0;
          });
          item.el.hidden = !hit;
          if (hit) visible += 1;
        });
        g.el.hidden = !groupHit && visible === 0;
        shown += visible;
      });
      if (counter) {
        counter.textContent = words.length ? counter.getAttribute("data-template")
          .replace("{shown}", numbers.format(shown)).replace("{total}", numbers.format(total)) : "";
      }
      if (empty) empty.hidden = !(words.length && shown === 0 && groups.every(function (g) { return g.el.hidden; }));
    }
    input.addEventListener("input", apply);
    if (box) box.hidden = false;
    apply();
  });

  // Live counts beside the Save button: people ticked, and countries represented (ticked on
  // their own or through one of their people).
  document.querySelectorAll("form[data-attendance]").forEach(function (form) {
    var people = form.querySelector('[data-count="person"]');
    var parts = form.querySelector('[data-count="participant"]');
    function count() {
      if (people) people.textContent = numbers.format(form.querySelectorAll('input[name="person"]:checked').length);
      if (parts) {
        var n = 0;
        form.querySelectorAll("[data-filter-group]").forEach(function (g) {
          if (g.querySelector('input[name="participant"]:checked, input[name="person"]:checked')) n += 1;
        });
        parts.textContent = numbers.format(n);
      }
    }
    form.addEventListener("change", count);
  });
})();
