/*
 * Cooperation map: progressive enhancement of a container such as
 *
 *   <div id="network-map" data-src="/proposals/3/network.json"
 *        data-labels='{"degree": "Ties", ...}'>  (server-rendered fallback: table or PNG)
 *   </div>
 *   <form data-network-filters="network-map"> ... <select name="kind" multiple> ... </form>
 *   <input type="search" data-network-search="network-map">
 *   <button data-network-colour="network-map" data-mode="community|role">...</button>
 *   <aside data-network-panel="network-map"></aside>
 *
 * Needs static/vendor/cytoscape-3.34.4.min.js loaded before this file. Without JavaScript,
 * or when the fetch fails, the container keeps its server-rendered content.
 *
 * JSON shape (produced by consortium.network.exports.map_payload):
 * {
 *   "nodes": [{"id": 1, "label": "…", "x": 12.5, "y": -40.0,   // preset position, px
 *              "size": 8..40,                                   // by betweenness
 *              "community": 0 | null, "role": "coordinator" | null, "member": true,
 *              "type": "association" | null, "country": "FR" | null, "themes": ["…"],
 *              "degree": 3, "betweenness": 0.12, "constraint": 0.4 | null,
 *              "articulation_point": false}],
 *   "edges": [{"source": 1, "target": 2, "weight": 2.0, "kinds": ["workshop"], "count": 1,
 *              "first_year": 2021 | null, "last_year": 2023 | null, "bridge": false}],
 *   "communities": [{"id": 0, "name": "réemploi", "size": 12}],
 *   "truncated": false, "shown": 3, "total": 3, "shown_edges": 2, "total_edges": 2,
 *   "approximate": false
 * }
 *
 * data-labels (all optional; English defaults below, the page passes translations):
 *   degree, betweenness, community, role, type, country, themes, kinds, member, notMember,
 *   cutPoint, truncated ("Showing %(shown)d of %(total)d organisations"),
 *   approximate, loading, error, notFound, close, otherClusters, ties, kind.<kind>,
 *   role.<role>, type.<type>
 * Filter forms: on change, their fields are sent as query parameters to data-src and the map
 * is redrawn from the answer (the server applies filter_graph).
 */
(function () {
  "use strict";

  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f"];
  var OTHER = "#c8c8c8";
  var ROLE_COLOURS = { coordinator: "#d62728", beneficiary: "#1f77b4", associated: "#2ca02c" };
  var MEMBER = "#9467bd";
  var DEFAULT_LABELS = {
    degree: "Ties",
    betweenness: "Brokerage (betweenness)",
    community: "Cluster",
    role: "Role",
    type: "Type",
    country: "Country",
    themes: "Themes",
    kinds: "Kinds of tie",
    member: "Consortium member",
    notMember: "Not in the consortium",
    cutPoint: "Single point of failure: removing it cuts the network",
    truncated: "Showing %(shown)d of %(total)d organisations (the best connected and all members).",
    approximate: "Brokerage is estimated from a sample on this large network.",
    loading: "Loading the map…",
    error: "The map could not be loaded.",
    notFound: "No organisation matches.",
    close: "Close",
    otherClusters: "Smaller clusters",
    ties: "%(count)d ties"
  };

  function format(template, params) {
    return String(template).replace(/%\((\w+)\)[sd]/g, function (_, key) {
      return params[key] === undefined ? "" : String(params[key]);
    });
  }

  function text(tag, value, className) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    el.textContent = value == null ? "" : String(value);  // never innerHTML: labels are data
    return el;
  }

  function NetworkMap(container) {
    this.container = container;
    this.src = container.getAttribute("data-src");
    var given = {};
    try { given = JSON.parse(container.getAttribute("data-labels") || "{}"); } catch (e) { given = {}; }
    this.labels = Object.assign({}, DEFAULT_LABELS, given);
    this.colourBy = container.getAttribute("data-colour-by") === "role" ? "role" : "community";
    this.id = container.id;
    this.panel = document.querySelector('[data-network-panel="' + this.id + '"]');
    this.status = text("p", "", "network-map__status");
    this.status.setAttribute("role", "status");
    this.cy = null;
    this.fallback = Array.prototype.slice.call(container.childNodes);
  }

  NetworkMap.prototype.label = function (key, fallback) {
    return Object.prototype.hasOwnProperty.call(this.labels, key) ? this.labels[key] : fallback;
  };

  NetworkMap.prototype.colour = function (node) {
    if (this.colourBy === "role") {
      if (!node.member) { return OTHER; }
      return ROLE_COLOURS[node.role] || MEMBER;
    }
    var c = node.community;
    return c !== null && c !== undefined && c < PALETTE.length ? PALETTE[c] : OTHER;
  };

  NetworkMap.prototype.load = function (query) {
    var self = this;
    var url = this.src + (query ? (this.src.indexOf("?") >= 0 ? "&" : "?") + query : "");
    this.status.textContent = this.label("loading");
    if (!this.status.parentNode) { this.container.parentNode.insertBefore(this.status, this.container); }
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { self.draw(data); })
      .catch(function () { self.status.textContent = self.label("error"); });
  };

  NetworkMap.prototype.draw = function (data) {
    var self = this;
    var maxWeight = 1;
    data.edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.weight || 1); });
    var elements = [];
    data.nodes.forEach(function (n) {
      elements.push({
        group: "nodes",
        data: { id: String(n.id), label: n.label, size: n.size, colour: self.colour(n), raw: n },
        position: { x: n.x, y: n.y },
        classes: n.member ? "member" : ""
      });
    });
    data.edges.forEach(function (e) {
      elements.push({
        group: "edges",
        data: {
          id: e.source + "-" + e.target, source: String(e.source), target: String(e.target),
          width: 0.5 + 4.5 * (e.weight || 1) / maxWeight, raw: e
        },
        classes: e.bridge ? "bridge" : ""
      });
    });
    var notes = [];
    if (data.truncated) { notes.push(format(this.label("truncated"), data)); }
    if (data.approximate) { notes.push(this.label("approximate")); }
    this.status.textContent = notes.join(" ");

    if (this.cy) { this.cy.destroy(); }
    this.fallback.forEach(function (child) { if (child.parentNode) { child.parentNode.removeChild(child); } });
    this.container.classList.add("network-map--live");
    if (!this.container.style.height) { this.container.style.height = "32rem"; }
    this.cy = window.cytoscape({
      container: this.container,
      elements: elements,
      layout: { name: "preset", fit: true, padding: 20 },
      minZoom: 0.1,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          width: "data(size)", height: "data(size)", "background-color": "data(colour)",
          "border-width": 1, "border-color": "#ffffff", label: "", "font-size": 10 } },
        { selector: "node.member", style: { "border-width": 2.5, "border-color": "#000000" } },
        { selector: "node.labelled, node.highlight, node:selected", style: {
          label: "data(label)", "text-valign": "top", "text-margin-y": -3,
          "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
        { selector: "node.highlight", style: { "border-width": 4, "border-color": "#ffbf00" } },
        { selector: "node.faded, edge.faded", style: { opacity: 0.15 } },
        { selector: "edge", style: {
          width: "data(width)", "line-color": "#999999", opacity: 0.6, "curve-style": "haystack" } },
        { selector: "edge.bridge", style: { "line-style": "dashed", "line-color": "#555555" } }
      ]
    });
    // Label the largest nodes so the map reads like the PNG figure.
    this.cy.nodes().sort(function (a, b) { return b.data("size") - a.data("size"); })
      .slice(0, 12).addClass("labelled");
    this.tooltip();
    this.cy.on("tap", "node", function (evt) { self.details(evt.target.data("raw")); });
    this.cy.on("tap", function (evt) { if (evt.target === self.cy) { self.clearHighlight(); } });
  };

  NetworkMap.prototype.tooltip = function () {
    var self = this;
    var tip = this.tip || text("div", "", "network-map__tooltip");
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    tip.style.position = "absolute";
    tip.style.pointerEvents = "none";
    tip.style.zIndex = 10;
    if (!tip.parentNode) { document.body.appendChild(tip); }
    this.tip = tip;
    this.cy.on("mouseover", "node", function (evt) {
      var n = evt.target.data("raw");
      var pos = evt.renderedPosition || evt.target.renderedPosition();
      var box = self.container.getBoundingClientRect();
      tip.textContent = n.label + " · " + format(self.label("ties"), { count: n.degree });
      tip.style.left = (window.scrollX + box.left + pos.x + 12) + "px";
      tip.style.top = (window.scrollY + box.top + pos.y + 12) + "px";
      tip.hidden = false;
    });
    this.cy.on("mouseout", "node", function () { tip.hidden = true; });
  };

  NetworkMap.prototype.details = function (n) {
    if (!this.panel) { return; }
    var self = this;
    this.panel.textContent = "";
    this.panel.appendChild(text("h3", n.label));
    var dl = document.createElement("dl");
    function row(key, value) {
      if (value === null || value === undefined || value === "") { return; }
      dl.appendChild(text("dt", self.label(key)));
      dl.appendChild(text("dd", value));
    }
    row("member", n.member ? self.label("member") : self.label("notMember"));
    row("role", n.role ? self.label("role." + n.role, n.role) : null);
    row("type", n.type ? self.label("type." + n.type, n.type) : null);
    row("country", n.country);
    row("themes", (n.themes || []).join(", "));
    row("degree", n.degree);
    row("betweenness", Number(n.betweenness).toFixed(3));
    if (n.community !== null && n.community !== undefined && this.cy) {
      var name = (this.cy.scratch("communities") || {})[n.community];
      row("community", name || String(n.community + 1));
    }
    var kinds = {};
    this.cy.getElementById(String(n.id)).connectedEdges().forEach(function (e) {
      (e.data("raw").kinds || []).forEach(function (k) { kinds[k] = true; });
    });
    row("kinds", Object.keys(kinds).sort().map(function (k) { return self.label("kind." + k, k); }).join(", "));
    this.panel.appendChild(dl);
    if (n.articulation_point) { this.panel.appendChild(text("p", this.label("cutPoint"), "network-map__warning")); }
    this.panel.hidden = false;
  };

  NetworkMap.prototype.clearHighlight = function () {
    if (!this.cy) { return; }
    this.cy.elements().removeClass("faded highlight");
  };

  NetworkMap.prototype.search = function (query) {
    if (!this.cy) { return; }
    this.clearHighlight();
    var needle = fold(query);
    if (!needle) { return; }
    var found = this.cy.nodes().filter(function (node) { return fold(node.data("label")).indexOf(needle) >= 0; });
    if (found.length === 0) { this.status.textContent = this.label("notFound"); return; }
    this.status.textContent = "";
    var keep = found.closedNeighborhood();
    this.cy.elements().not(keep).addClass("faded");
    found.addClass("highlight");
    this.cy.animate({ fit: { eles: keep, padding: 40 } }, { duration: 300 });
    if (found.length === 1) { this.details(found[0].data("raw")); }
  };

  NetworkMap.prototype.recolour = function (mode) {
    var self = this;
    this.colourBy = mode === "role" ? "role" : "community";
    if (!this.cy) { return; }
    this.cy.nodes().forEach(function (node) { node.data("colour", self.colour(node.data("raw"))); });
  };

  function fold(value) {
    return String(value || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function init(container) {
    if (!window.cytoscape || !window.fetch || !container.getAttribute("data-src")) { return null; }
    var map = new NetworkMap(container);
    var originalDraw = map.draw;
    map.draw = function (data) {
      originalDraw.call(map, data);
      var names = {};
      (data.communities || []).forEach(function (c) { names[c.id] = c.name; });
      map.cy.scratch("communities", names);
    };
    document.querySelectorAll('[data-network-filters="' + map.id + '"]').forEach(function (form) {
      function refetch(evt) {
        if (evt) { evt.preventDefault(); }
        var params = new URLSearchParams(new FormData(form));
        map.load(params.toString());
      }
      form.addEventListener("change", refetch);
      form.addEventListener("submit", refetch);
    });
    document.querySelectorAll('[data-network-search="' + map.id + '"]').forEach(function (input) {
      input.addEventListener("input", function () { map.search(input.value); });
    });
    document.querySelectorAll('[data-network-colour="' + map.id + '"]').forEach(function (button) {
      button.addEventListener("click", function () {
        map.recolour(button.getAttribute("data-mode"));
        document.querySelectorAll('[data-network-colour="' + map.id + '"]').forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      });
    });
    map.load("");
    container.networkMap = map;
    return map;
  }

  function start() {
    document.querySelectorAll("[data-src].network-map, #network-map").forEach(init);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  window.ConsortiumNetworkMap = { init: init, format: format };
}());
