// Small screens (loaded by base.html on every page).
// 1. Wide tables and charts scroll sideways on small screens; keyboard users must be able to
//    reach and scroll them too (WCAG 2.1.1, axe "scrollable-region-focusable"). Only a block
//    that actually overflows becomes a focusable, named region, so wide screens get no extra
//    tab stops. The name is the table's caption or the heading before it, else the generic
//    label given by base.html (translated there). Content fetched later announces itself with
//    a "content-inserted" event on the document.
// 2. Filter panels (<details class="fold-filters" open>) fold away on a phone, so the results
//    come first; on a wider screen they stay open (their summary is hidden by app.css).
(function () {
  "use strict";
  var script = document.currentScript;
  var fallback = (script && script.getAttribute("data-region-label")) || "";

  function nameOf(block) {
    var caption = block.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = block.previousElementSibling;
    while (node && !/^H[1-6]$/.test(node.tagName)) node = node.previousElementSibling;
    return node ? node.textContent.trim() : fallback;
  }

  function mark() {
    var blocks = document.querySelectorAll(".table-wrap, .gantt-scroll");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var scrolls = block.scrollWidth > block.clientWidth + 1;
      if (scrolls && !block.hasAttribute("tabindex")) {
        block.setAttribute("tabindex", "0");
        block.setAttribute("role", "region");
        if (!block.hasAttribute("aria-label")) block.setAttribute("aria-label", nameOf(block));
        block.setAttribute("data-scroll-region", "auto");
      } else if (!scrolls && block.getAttribute("data-scroll-region") === "auto") {
        block.removeAttribute("tabindex");
        block.removeAttribute("role");
        block.removeAttribute("aria-label");
        block.removeAttribute("data-scroll-region");
      }
    }
  }

  var phone = window.matchMedia("(max-width: 700px)");

  function fold() {
    var panels = document.querySelectorAll("details.fold-filters");
    for (var i = 0; i < panels.length; i++) panels[i].open = !phone.matches;
  }

  function start() {
    fold();
    mark();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.addEventListener("resize", mark);
  // Content fetched after the page loaded (the network's suggestions panel) is marked too.
  document.addEventListener("content-inserted", mark);
  if (phone.addEventListener) phone.addEventListener("change", fold);
})();
