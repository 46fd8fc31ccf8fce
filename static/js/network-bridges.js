/*
 * Bridging suggestions of a proposal's network, loaded after the page: they cost more than
 * the rest of the map page, so the page renders a placeholder
 *
 *   <section id="net-suggestions" data-network-bridges="/proposals/3/network/bridges?kind=…">
 *     <h2>…</h2><p>Looking for organisations… <a href="(same URL)">Show the suggestions</a></p>
 *   </section>
 *
 * and this script fetches the same URL with the header "X-Requested-With: fetch", which
 * answers with the <section id="net-suggestions"> alone, and puts it in the placeholder's
 * place. Without JavaScript, or when the fetch fails, the placeholder and its link stay (the
 * link opens the suggestions as a page of their own). No inline code: CSP-clean.
 */
(function () {
  "use strict";

  function load(placeholder) {
    var url = placeholder.getAttribute("data-network-bridges");
    if (!url || !window.fetch || !document.createElement("template").content) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch", Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (text) {
        var template = document.createElement("template");
        template.innerHTML = text;
        // A login page (expired session) or anything else without the section is a failure.
        var section = template.content.querySelector("section#net-suggestions");
        if (!section) { throw new Error("no suggestions in the response"); }
        placeholder.parentNode.replaceChild(document.importNode(section, true), placeholder);
        // Scripts that prepare blocks on load (small-screens.js) look at the new content too.
        document.dispatchEvent(new CustomEvent("content-inserted"));
      })
      .catch(function () {
        // Keep the placeholder's link: it shows the suggestions as a page.
        placeholder.removeAttribute("aria-busy");
      });
  }

  function start() {
    document.querySelectorAll("[data-network-bridges]").forEach(load);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
