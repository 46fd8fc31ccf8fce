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
 * Filter forms reload the page (the server applies the filters to the map, the caption, the
 * statistics, the table and the downloads); the layout select submits its form on change.
 * Nodes also carry "isolated" (drawn in the strip under the layout) and "rounds" (workshop
 * rounds attended); edges carry "weak" (only co-attendance or same proposal: dotted); the
 * payload carries "timeline": [{"until": 2023 | null, "round": 1 | null, "label": "…"}]
 * for the time control (<div data-network-time>), and the legend goes in
 * <div data-network-legend>.
 */
(function () {
  "use strict";

  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f"];
  var OTHER = "#c8c8c8";
  var ROLE_COLOURS = { coordinator: "#d62728", beneficiary: "#1f77b4", associated: "#2ca02c" };
  var MEMBER = "#9467bd";
  var LABEL_WIDTH = 190;  // px on screen before a label wraps
  var LABEL_PX = 12;  // label size on screen, whatever the zoom
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
    var stripTop = null;
    var left = null;
    data.nodes.forEach(function (n) {
      var classes = [];
      if (n.member) { classes.push("member"); }
      if (n.isolated) {
        classes.push("isolated");
        stripTop = stripTop === null ? n.y : Math.min(stripTop, n.y);
      }
      left = left === null ? n.x : Math.min(left, n.x);
      elements.push({
        group: "nodes",
        data: { id: String(n.id), label: n.label, size: n.size, colour: self.colour(n), raw: n },
        position: { x: n.x, y: n.y },
        classes: classes.join(" ")
      });
    });
    var tied = data.nodes.some(function (n) { return !n.isolated; });
    if (stripTop !== null && tied) {
      // A caption over the strip of organisations without ties (not an organisation).
      elements.push({
        group: "nodes",
        data: { id: "strip-caption", label: this.label("isolatedStrip") },
        position: { x: left, y: stripTop - 60 },
        classes: "strip-caption",
        selectable: false, grabbable: false
      });
    }
    data.edges.forEach(function (e) {
      var classes = [];
      if (e.bridge) { classes.push("bridge"); } else if (e.weak) { classes.push("weak"); }
      elements.push({
        group: "edges",
        data: {
          id: e.source + "-" + e.target, source: String(e.source), target: String(e.target),
          width: 0.8 + 4.2 * (e.weight || 1) / maxWeight, raw: e
        },
        classes: classes.join(" ")
      });
    });
    var notes = [];
    if (data.truncated) { notes.push(format(this.label("truncated"), data)); }
    if (data.approximate) { notes.push(this.label("approximate")); }
    this.status.textContent = notes.join(" ");
    this.data = data;

    if (this.cy) { this.cy.destroy(); }
    this.fallback.forEach(function (child) { if (child.parentNode) { child.parentNode.removeChild(child); } });
    this.container.classList.add("network-map--live");
    this.cy = window.cytoscape({
      container: this.container,
      elements: elements,
      layout: { name: "preset", fit: true, padding: 30 },
      minZoom: 0.05,
      maxZoom: 6,
      style: [
        { selector: "node", style: {
          width: "data(size)", height: "data(size)", "background-color": "data(colour)",
          "border-width": 1, "border-color": "#ffffff", label: "",
          "font-size": function (ele) { return LABEL_PX / ele.cy().zoom(); },
          "font-family": "system-ui, sans-serif", color: "#1a1a1a",
          "text-valign": "top", "text-halign": "center",
          "text-margin-y": function (ele) { return -3 / ele.cy().zoom(); },
          "text-background-color": "#ffffff", "text-background-opacity": 0.85,
          "text-background-padding": 1, "text-wrap": "wrap",
          "text-max-width": function (ele) { return LABEL_WIDTH / ele.cy().zoom(); } } },
        { selector: "node.member", style: { "border-width": 3, "border-color": "#000000" } },
        { selector: "node.labelled, node.highlight, node:selected", style: { label: "data(label)" } },
        { selector: "node.label-below", style: { "text-valign": "bottom",
          "text-margin-y": function (ele) { return 3 / ele.cy().zoom(); } } },
        { selector: "node.highlight", style: { "border-width": 4, "border-color": "#ffbf00" } },
        { selector: "node.attended", style: { "underlay-color": "#ffbf00", "underlay-opacity": 0.55, "underlay-padding": 6, "underlay-shape": "ellipse" } },
        { selector: "node.strip-caption", style: {
          label: "data(label)", width: 1, height: 1, "background-opacity": 0, "border-width": 0,
          "text-halign": "right", "text-valign": "center", color: "#555555",
          "text-background-opacity": 0, events: "no" } },
        { selector: "node.faded, edge.faded", style: { opacity: 0.15 } },
        { selector: "edge", style: {
          width: "data(width)", "line-color": "#8a8a8a", opacity: 0.75, "curve-style": "straight" } },
        { selector: "edge.weak", style: { "line-style": "dotted", "line-color": "#a8a8a8" } },
        { selector: "edge.bridge", style: { "line-style": "dashed", "line-color": "#444444" } },
        { selector: "edge.future, node.future", style: { display: "none" } }
      ]
    });
    this.tooltip();
    this.legend(data);
    this.timeControl(data.timeline || []);
    this.cy.on("tap", "node", function (evt) {
      if (evt.target.hasClass("strip-caption")) { return; }
      self.details(evt.target.data("raw"));
    });
    this.cy.on("tap", function (evt) { if (evt.target === self.cy) { self.clearHighlight(); } });
    var pending = false;
    this.cy.on("viewport resize", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; self.placeLabels(); });
    });
    this.labelZoom = null;
    this.placeLabels();
  };

  // Labels keep a constant size on screen (12 px) whatever the zoom, and are shown only
  // where they overlap no other label: members first, then brokers, then the best tied.
  NetworkMap.prototype.placeLabels = function () {
    var cy = this.cy;
    if (!cy) { return; }
    var zoom = cy.zoom();
    var px = LABEL_PX;
    if (zoom !== this.labelZoom) {  // sizes are functions of the zoom: recompute them
      this.labelZoom = zoom;
      cy.style().update();
    }
    var ctx = this.measure || (this.measure = document.createElement("canvas").getContext("2d"));
    ctx.font = px + "px system-ui, sans-serif";
    var width = this.container.clientWidth;
    var height = this.container.clientHeight;
    var placed = [];
    function free(box) {
      if (box.x1 < 0 || box.y1 < 0 || box.x2 > width || box.y2 > height) { return false; }
      for (var i = 0; i < placed.length; i++) {
        var o = placed[i];
        if (box.x1 < o.x2 && box.x2 > o.x1 && box.y1 < o.y2 && box.y2 > o.y1) { return false; }
      }
      return true;
    }
    cy.nodes(".strip-caption").forEach(function (caption) {  // the strip's caption first
      placed.push(caption.renderedBoundingBox({ includeLabels: true }));
    });
    var nodes = cy.nodes().not(".strip-caption").filter(function (n) { return n.visible(); });
    var order = nodes.toArray().sort(function (a, b) {
      var ra = a.data("raw"), rb = b.data("raw");
      if (ra.member !== rb.member) { return ra.member ? -1 : 1; }
      if (rb.betweenness !== ra.betweenness) { return rb.betweenness - ra.betweenness; }
      if (rb.degree !== ra.degree) { return rb.degree - ra.degree; }
      return ra.label < rb.label ? -1 : 1;
    });
    var shown = this.labelled = [];  // in the order placed (read by the browser tests)
    cy.batch(function () {
      nodes.removeClass("labelled label-below");
      order.forEach(function (node) {
        var p = node.renderedPosition();
        var r = node.renderedWidth() / 2;
        // Long names wrap on words at LABEL_WIDTH px (cytoscape's "wrap"), never cut.
        var full = ctx.measureText(node.data("label")).width;
        var lines = Math.ceil(full / LABEL_WIDTH);
        var w = Math.min(full, LABEL_WIDTH) + 6;
        var h = lines * px * 1.25 + 4;
        var above = { x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y - r - h - 2, y2: p.y - r - 1 };
        var below = { x1: above.x1, x2: above.x2, y1: p.y + r + 1, y2: p.y + r + h + 2 };
        var forced = node.hasClass("highlight") || node.selected();
        var box = forced || free(above) ? above : (free(below) ? below : null);
        if (box) {
          placed.push(box);
          // The node itself stays clear of later labels too.
          placed.push({ x1: p.x - r, x2: p.x + r, y1: p.y - r, y2: p.y + r });
          node.addClass("labelled");
          node.toggleClass("label-below", box === below);
          shown.push(node.data("raw").member);
        }
      });
    });
  };

  NetworkMap.prototype.legend = function (data) {
    var box = document.querySelector('[data-network-legend="' + this.id + '"]');
    if (!box) { return; }
    var self = this;
    box.textContent = "";
    var list = document.createElement("ul");
    list.className = "net-key";
    function entry(kind, colour, label) {
      var li = document.createElement("li");
      var mark = document.createElement("span");
      mark.className = "net-key__mark net-key__mark--" + kind;
      mark.setAttribute("aria-hidden", "true");
      if (colour) { mark.style.backgroundColor = colour; mark.style.borderColor = colour; }
      li.appendChild(mark);
      li.appendChild(text("span", label));
      list.appendChild(li);
    }
    if (this.colourBy === "role") {
      var roles = {};
      data.nodes.forEach(function (n) { if (n.member) { roles[n.role || ""] = true; } });
      Object.keys(roles).sort().forEach(function (role) {
        entry("dot", ROLE_COLOURS[role] || MEMBER, role ? self.label("role." + role, role) : self.label("member"));
      });
      entry("dot", OTHER, this.label("notMember"));
    } else {
      (data.communities || []).forEach(function (c) {
        if (c.id < PALETTE.length) { entry("dot", PALETTE[c.id], c.name + " (" + c.size + ")"); }
      });
      if ((data.communities || []).some(function (c) { return c.id >= PALETTE.length; })) {
        entry("dot", OTHER, this.label("otherClusters"));
      }
    }
    if (data.nodes.some(function (n) { return n.member; })) { entry("outline", null, this.label("legendMember")); }
    entry("sizes", null, this.label("legendSize"));
    entry("solid", null, this.label("legendSolid"));
    if (data.edges.some(function (e) { return e.weak && !e.bridge; })) { entry("dotted", null, this.label("legendWeak")); }
    if (data.edges.some(function (e) { return e.bridge; })) { entry("dashed", null, this.label("legendBridge")); }
    box.appendChild(list);
  };

  NetworkMap.prototype.timeControl = function (steps) {
    var box = document.querySelector('[data-network-time="' + this.id + '"]');
    if (!box) { return; }
    var self = this;
    var range = box.querySelector("input[type=range]");
    var output = box.querySelector("output");
    if (steps.length < 2) { box.hidden = true; return; }
    box.hidden = false;
    range.max = String(steps.length - 1);
    range.value = String(steps.length - 1);
    range.setAttribute("aria-valuetext", steps[steps.length - 1].label);
    function show() {
      var step = steps[Number(range.value)] || steps[steps.length - 1];
      var shown = 0;
      self.cy.batch(function () {
        self.cy.edges().forEach(function (edge) {
          var year = edge.data("raw").first_year;
          var later = step.until !== null && year !== null && year > step.until;
          edge.toggleClass("future", later);
          if (!later) { shown += 1; }
        });
        self.cy.nodes().not(".strip-caption").forEach(function (node) {
          var rounds = node.data("raw").rounds || [];
          node.toggleClass("attended", step.round !== null && rounds.indexOf(step.round) >= 0);
        });
      });
      output.textContent = format(self.label("timeCaption"),
        { step: step.label, ties: shown, total: self.cy.edges().length }) +
        (step.round !== null ? " " + self.label("attendedRing") : "");
      range.setAttribute("aria-valuetext", step.label);
      self.yearLinks(step.until);
      self.placeLabels();
    }
    range.oninput = show;
    show();
  };

  // The page's PNG and SVG links follow the time control (year_to = the step's year).
  NetworkMap.prototype.yearLinks = function (until) {
    document.querySelectorAll('[data-testid="download-png"], [data-testid="download-svg"]').forEach(function (a) {
      var url = new URL(a.href, window.location.href);
      if (until === null) { url.searchParams.delete("year_to"); } else { url.searchParams.set("year_to", String(until)); }
      a.href = url.pathname + url.search;
    });
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
    var ego = new URL(window.location.href);
    ego.searchParams.set("ego", String(n.id));
    ego.hash = "net-map-section";
    var link = text("a", this.label("ego"));
    link.href = ego.pathname + ego.search + ego.hash;
    link.setAttribute("data-testid", "ego-link");
    this.panel.appendChild(link);
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
    var found = this.cy.nodes().not(".strip-caption").filter(function (node) { return fold(node.data("label")).indexOf(needle) >= 0; });
    if (found.length === 0) { this.status.textContent = this.label("notFound"); return; }
    this.status.textContent = "";
    var keep = found.closedNeighborhood();
    this.cy.elements().not(keep).addClass("faded");
    found.addClass("highlight");
    this.cy.animate({ fit: { eles: keep, padding: 40 } }, { duration: 300 });
    this.placeLabels();
    if (found.length === 1) { this.details(found[0].data("raw")); }
  };

  NetworkMap.prototype.recolour = function (mode) {
    var self = this;
    this.colourBy = mode === "role" ? "role" : "community";
    if (!this.cy) { return; }
    this.cy.nodes().not(".strip-caption").forEach(function (node) { node.data("colour", self.colour(node.data("raw"))); });
    if (this.data) { this.legend(this.data); }
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
    // Filters reload the page (caption, statistics, table and downloads follow them); a new
    // layout needs no "Apply" press.
    document.querySelectorAll('[data-network-layout="' + map.id + '"]').forEach(function (select) {
      select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
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
