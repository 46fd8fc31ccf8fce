// Live totals of a commitment form; the server recomputes them authoritatively on save.
(function () {
  "use strict";
  var form = document.querySelector("form[data-commitment]");
  var box = document.querySelector("[data-testid=totals]");
  if (!form || !box) { return; }
  var lang = document.documentElement.lang === "fr" ? "fr" : "en";

  function parse(text) {
    var s = (text || "").replace(/[€\s\u00a0\u202f']/g, "").replace(/eur(os?)?/i, "");
    if (!s) { return 0; }
    var last = Math.max(s.lastIndexOf(","), s.lastIndexOf("."));
    if (last >= 0) {
      var sep = s.charAt(last), tail = s.slice(last + 1), head = s.slice(0, last);
      if (head.indexOf(sep) >= 0 || (tail.length === 3 && !/[.,]/.test(head))) {
        s = s.replace(/[.,]/g, "");
      } else {
        s = head.replace(/[.,]/g, "") + "." + tail;
      }
    }
    var value = Number(s);
    return isFinite(value) && value >= 0 ? Math.round(value * 100) : 0;  // cents
  }
  function money(cents) {
    var value = cents / 100;
    if (lang === "fr") {
      return value.toLocaleString("fr-FR", {minimumFractionDigits: 2, maximumFractionDigits: 2}) + "\u00a0€";
    }
    return "€" + value.toLocaleString("en-GB", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function field(name) {
    var input = form.querySelector("[name=" + name + "]");
    return input ? input.value : "";
  }
  function show(key, text) {
    var cell = box.querySelector("[data-total=" + key + "]");
    if (cell) { cell.textContent = text; }
  }
  function update() {
    var funding = Number(box.dataset.fundingRate || "0");
    var indirectRate = Number(box.dataset.indirectRate || "0");
    var funded = box.dataset.funded === "1";
    var a = parse(field("cost_personnel")), bb = parse(field("cost_subcontracting"));
    var c1 = parse(field("cost_travel")), c2 = parse(field("cost_equipment"));
    var c3 = parse(field("cost_other_goods")), d = parse(field("cost_other"));
    var direct = a + bb + c1 + c2 + c3 + d;
    var indirect = Math.round(indirectRate * (a + c1 + c2 + c3 + d));
    var total = direct + indirect;
    var maxEu = funded ? Math.floor(funding * total) : 0;
    var requested = field("eu_requested").trim();
    var eu = requested ? parse(requested) : maxEu;
    var gap = total - eu - parse(field("own_cofinancing")) - parse(field("other_funding"));
    var pm = 0;
    form.querySelectorAll("[data-pm]").forEach(function (input) {
      var v = Number((input.value || "").replace(",", "."));
      if (isFinite(v) && v > 0) { pm += v; }
    });
    show("direct", money(direct));
    show("indirect", money(indirect));
    show("total", money(total));
    show("max_eu", money(maxEu));
    show("eu", money(eu));
    show("gap", money(gap));
    var pmText = String(Math.round(pm * 100) / 100);
    show("pm", lang === "fr" ? pmText.replace(".", ",") : pmText);
  }
  form.addEventListener("input", update);
}());
