/* Workshops: live capture helpers. Progressive enhancement only: every page works without it. */
(function () {
  "use strict";

  // Organisation pickers: suggestions from the whole directory as one types. For fields that
  // take several organisations, each suggestion keeps what was typed before the last ";".
  var datalist = document.getElementById("org-suggestions");
  var timer = null;
  function lastToken(value) {
    var parts = value.split(";");
    return { head: parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean),
             tail: parts[parts.length - 1].trim() };
  }
  function suggest(input) {
    var url = input.getAttribute("data-suggest-url");
    var many = input.getAttribute("data-org-picker") === "many";
    var token = many ? lastToken(input.value) : { head: [], tail: input.value.trim() };
    if (!url || !datalist || token.tail.length < 2 || /#\d+$/.test(token.tail)) { return; }
    fetch(url + "?q=" + encodeURIComponent(token.tail), { credentials: "same-origin",
      headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        var prefix = token.head.length ? token.head.join("; ") + "; " : "";
        while (datalist.firstChild) { datalist.removeChild(datalist.firstChild); }
        items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = prefix + item.label;
          datalist.appendChild(option);
        });
      })
      .catch(function () { /* keep the server-rendered suggestions */ });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-org-picker]")) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(input); }, 200);
  });

  // Workshop form: one more organisation line.
  var addOrg = document.querySelector("[data-add-org]");
  if (addOrg) {
    addOrg.hidden = false;
    addOrg.addEventListener("click", function () {
      var lines = document.querySelectorAll(".ws-org-line");
      var last = lines[lines.length - 1];
      var copy = last.cloneNode(true);
      var input = copy.querySelector("input");
      var label = copy.querySelector("label");
      var id = "organisations-" + (lines.length + 1);
      input.id = id; input.value = "";
      if (label) { label.setAttribute("for", id); }
      last.parentNode.insertBefore(copy, last.nextSibling);
      input.focus();
    });
  }

  // Capture form: add a row (renumbering rows-<n>-*), Ctrl+Enter saves.
  var capture = document.querySelector("[data-capture]");
  if (capture) {
    var addRow = capture.querySelector("[data-add-row]");
    var rows = capture.querySelector("[data-rows]");
    addRow.hidden = false;
    addRow.addEventListener("click", function () {
      var all = rows.querySelectorAll("[data-row]");
      var last = all[all.length - 1];
      var copy = last.cloneNode(true);
      var max = -1;
      rows.querySelectorAll("[name^='rows-']").forEach(function (el) {
        var n = parseInt(el.name.split("-")[1], 10);
        if (n > max) { max = n; }
      });
      var next = max + 1;
      copy.classList.remove("ws-row-error");
      copy.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      copy.querySelectorAll("[name], label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) { el.setAttribute(attr, v.replace(/^rows-\d+-/, "rows-" + next + "-")); }
        });
        if (el.matches("input, textarea")) { el.value = ""; }
        el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
      });
      var legend = copy.querySelector("legend");
      if (legend) { legend.textContent = legend.textContent.replace(/\d+/, String(all.length + 1)); }
      rows.appendChild(copy);
      var first = copy.querySelector("select, textarea, input");
      if (first) { first.focus(); }
    });
    capture.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        capture.requestSubmit ? capture.requestSubmit() : capture.submit();
      }
    });
    var firstError = capture.querySelector("[aria-invalid=true]");
    if (firstError) { firstError.focus(); }
  }

  // Print the workshop page.
  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
