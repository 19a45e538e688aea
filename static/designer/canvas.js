// OneWeb flow canvas: our adapter between the editors and the vendored Drawflow library.
//
// The rest of the editor never touches Drawflow. It hands this adapter node types (the
// server's registry: type, label, icon, colour, ports) and flow definitions (nodes with
// type, config, ui {x, y}; edges with from/to/when/condition), and gets definitions back.
// Only type + config + wiring + position are stored: node HTML is rebuilt from the
// registry on every load, and every label goes in with textContent, never innerHTML.
// It is generic on purpose (a process designer can reuse it with another registry).

/* global Drawflow */

const GRID = 20;
const NODE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const SAFE_CLASS = /[^a-z0-9_-]/gi;

function snap(value) {
  return Math.round(value / GRID) * GRID;
}

function text(tag, className, value) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = value == null ? "" : String(value);
  return node;
}

export class FlowCanvas {
  /**
   * @param {HTMLElement} container
   * @param {object} options
   *   types: array of node-type descriptions (from a registry URL such as /api/node-types)
   *   readOnly: view only (pan, zoom, click)
   *   branchPort: name of an extra port on decisions whose edges carry `condition`/`otherwise`
   *   onChange(kind), onSelect(nodeIds), onEdgeSelect(edge|null), onNodeClick(nodeId)
   */
  constructor(container, options = {}) {
    this.container = container;
    this.options = options;
    this.types = new Map((options.types || []).map((t) => [t.type, t]));
    this.nodes = new Map(); // drawflow id -> our node object {id, type, title, config, ...}
    this.byId = new Map(); // our id -> drawflow id
    this.edgeExtras = new Map(); // "from|port|to" (drawflow ids) -> {condition, label, when, ui}
    this.edgeOrder = [];
    this.selected = new Set();
    this.selectedEdge = null;
    this.loading = false;
    this.pointerShift = false;
    this.groupDrag = null;

    const df = new Drawflow(container);
    // Our own key handling (multi-select delete); Drawflow only re-dispatches the event.
    df.key = (event) => df.dispatch("keydown", event);
    df.reroute = false;
    df.zoom_max = 2;
    df.zoom_min = 0.2;
    df.editor_mode = options.readOnly ? "view" : "edit";
    df.start();
    this.df = df;
    container.classList.add("fc-canvas");
    if (options.readOnly) container.classList.add("fc-readonly");
    this._wire();
  }

  // --- registry and ports -------------------------------------------------------------
  portsOf(type) {
    const described = this.types.get(type);
    const ports = described ? [...described.ports] : ["out"];
    if (type === "decision" && this.options.branchPort) ports.push(this.options.branchPort);
    if (described && described.error_port !== false && type !== "start") ports.push("error");
    if (!described) ports.push("error");
    return ports;
  }

  hasInput(type) {
    return type !== "start";
  }

  // --- loading and exporting ------------------------------------------------------------
  /** Replace the canvas content with a definition's nodes and edges. */
  load(definition) {
    this.loading = true;
    // Draw every connection once at the end: Drawflow redraws (and re-measures layout)
    // on each addConnection, which makes a big flow's load quadratic.
    const redraw = this.df.updateConnectionNodes;
    this.df.updateConnectionNodes = () => {};
    try {
      this.df.clear();
      this.nodes.clear();
      this.byId.clear();
      this.edgeExtras.clear();
      this.edgeOrder = [];
      this.selected.clear();
      this.selectedEdge = null;
      const nodes = (definition && definition.nodes) || [];
      nodes.forEach((node, index) => {
        const ui = node.ui || {};
        const x = Number.isFinite(ui.x) ? ui.x : 60 + (index % 6) * 200;
        const y = Number.isFinite(ui.y) ? ui.y : 60 + Math.floor(index / 6) * 140;
        this._addNode(node, x, y);
      });
      for (const edge of (definition && definition.edges) || []) this._addEdge(edge);
    } finally {
      this.df.updateConnectionNodes = redraw;
      this.loading = false;
    }
    this.redrawAll();
    this.titleEdges();
  }

  /** A tooltip on every connection saying how it is taken (port, condition, otherwise). */
  titleEdges() {
    for (const svg of this.container.querySelectorAll("svg.connection")) {
      const to = svg.classList[1].replace("node_in_node-", "");
      const from = svg.classList[2].replace("node_out_node-", "");
      const fromNode = this.nodes.get(from);
      if (!fromNode) continue;
      const port = this.portsOf(fromNode.type)[Number(svg.classList[3].split("_")[1]) - 1];
      const extras = this.edgeExtras.get(`${from}|${port}|${to}`) || {};
      let text = port === "out" ? "" : port;
      if (port === this.options.branchPort) text = extras.when === "otherwise" ? "otherwise" : extras.condition ? `if ${extras.condition}` : "no condition yet";
      if (extras.label) text = text ? `${extras.label} (${text})` : extras.label;
      let title = svg.querySelector("title");
      if (!title) {
        title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        svg.prepend(title);
      }
      title.textContent = text;
      svg.classList.toggle("fc-edge-otherwise", extras.when === "otherwise");
      svg.classList.toggle("fc-edge-error", port === "error");
    }
  }

  /** Recompute every connection path: all layout reads first, then all writes. */
  redrawAll() {
    const all = { dfId: null, others: [] };
    const data = this.df.drawflow.drawflow.Home.data;
    this._measureGroupPaths(all, () => true);
    for (const link of all.paths) {
      const from = data[link.from]; const to = data[link.to];
      link.path.setAttribute("d", this.df.createCurvature(from.pos_x + link.ox, from.pos_y + link.oy,
        to.pos_x + link.ix, to.pos_y + link.iy, this.df.curvature, "openclose"));
    }
  }

  /** {nodes, edges} as stored: type + config + wiring + position. */
  toDefinition() {
    const data = this.df.drawflow.drawflow.Home.data;
    const nodes = [];
    for (const [dfId, node] of this.nodes) {
      const placed = data[dfId];
      const out = { ...node, ui: { ...(node.ui || {}), x: Math.round(placed.pos_x), y: Math.round(placed.pos_y) } };
      if (!out.title) delete out.title;
      if (out.config && Object.keys(out.config).length === 0) delete out.config;
      nodes.push(out);
    }
    const found = [];
    for (const [dfId, node] of this.nodes) {
      const ports = this.portsOf(node.type);
      const outputs = data[dfId].outputs || {};
      ports.forEach((port, index) => {
        const output = outputs[`output_${index + 1}`];
        for (const connection of (output && output.connections) || []) {
          const target = this.nodes.get(String(connection.node));
          if (!target) continue;
          const key = `${dfId}|${port}|${connection.node}`;
          found.push({ key, edge: this._edgeFor(node.id, port, target.id, this.edgeExtras.get(key) || {}) });
        }
      });
    }
    const rank = (key) => {
      const at = this.edgeOrder.indexOf(key);
      return at === -1 ? Number.MAX_SAFE_INTEGER : at;
    };
    found.sort((a, b) => rank(a.key) - rank(b.key));
    return { nodes, edges: found.map((f) => f.edge) };
  }

  _edgeFor(from, port, to, extras) {
    const edge = { from, to };
    if (port === this.options.branchPort) {
      if (extras.when === "otherwise") edge.when = "otherwise";
      else if (extras.condition) edge.condition = extras.condition;
    } else if (port !== "out") {
      edge.when = port;
    }
    if (extras.label) edge.label = extras.label;
    if (extras.ui && Object.keys(extras.ui).length) edge.ui = extras.ui;
    return edge;
  }

  _portFor(edge, ports) {
    if (edge.when && ports.includes(edge.when)) return edge.when;
    if ((edge.condition != null || edge.when === "otherwise") && ports.includes(this.options.branchPort)) {
      return this.options.branchPort;
    }
    return ports.find((p) => p !== "error") || ports[0];
  }

  // --- nodes ----------------------------------------------------------------------------
  _addNode(node, x, y) {
    const type = String(node.type || "");
    const ports = this.portsOf(type);
    const className = `fc-node fc-type-${type.replace(SAFE_CLASS, "")}`;
    const dfId = String(this.df.addNode(type, this.hasInput(type) ? 1 : 0, ports.length, x, y, className, {}, "", false));
    const stored = { ...node, type, config: { ...(node.config || {}) }, ui: { ...(node.ui || {}) } };
    this.nodes.set(dfId, stored);
    this.byId.set(stored.id, dfId);
    this._render(dfId);
    return dfId;
  }

  /** Rebuild a node's box from the registry and its own fields, as text only. */
  _render(dfId) {
    const node = this.nodes.get(dfId);
    const element = this.elementOf(dfId);
    if (!node || !element) return;
    const described = this.types.get(node.type);
    element.dataset.nodeId = node.id;
    element.tabIndex = 0; // keyboard: Tab to a node, Enter selects, arrows move the selection
    element.dataset.type = node.type;
    element.style.setProperty("--node-color", (described && described.color) || "#64748b");
    element.setAttribute("aria-label", `${node.title || (described ? described.label : node.type)} (${node.id})`);
    const content = element.querySelector(".drawflow_content_node");
    content.replaceChildren();
    const head = document.createElement("div");
    head.className = "fc-head";
    head.append(text("span", "fc-icon", described ? described.icon : "?"),
      text("span", "fc-title", node.title || (described ? described.label : `unknown type ${node.type}`)));
    content.append(head, text("div", "fc-sub", `${node.id} · ${described ? described.label : node.type}`));
    const summary = this._summary(node);
    if (summary) content.append(text("div", "fc-summary", summary));
    content.append(text("div", "fc-badge", ""), text("div", "fc-errors", ""));
    const ports = this.portsOf(node.type);
    element.querySelectorAll(".outputs .output").forEach((output, index) => {
      output.dataset.port = ports[index] || "";
      output.title = ports[index] === this.options.branchPort ? "edges with their own condition" : `${ports[index]} port`;
      output.classList.toggle("fc-port-error", ports[index] === "error");
      output.classList.toggle("fc-port-named", ports.length > 1 || ports[index] !== "out");
    });
  }

  _summary(node) {
    const config = node.config || {};
    if (typeof config.condition === "string") return config.condition;
    if (typeof config.microflow === "string") return `→ ${config.microflow}`;
    if (typeof config.url === "string") return `${config.method || "GET"} ${config.url}`;
    const map = config.set || config.output;
    if (map && typeof map === "object") return Object.keys(map).join(", ");
    return "";
  }

  elementOf(dfId) {
    return this.container.querySelector(`#node-${CSS.escape(String(dfId))}`);
  }

  elementFor(nodeId) {
    const dfId = this.byId.get(nodeId);
    return dfId ? this.elementOf(dfId) : null;
  }

  node(nodeId) {
    const dfId = this.byId.get(nodeId);
    return dfId ? this.nodes.get(dfId) : null;
  }

  nodeIds() {
    return [...this.nodes.values()].map((n) => n.id);
  }

  uniqueId(base) {
    const stem = String(base || "node").replace(/[^A-Za-z0-9_]/g, "") || "node";
    let n = 1;
    while (this.byId.has(`${stem}${n}`)) n += 1;
    return `${stem}${n}`;
  }

  /** Add a node of a registry type at canvas coordinates; returns its id. */
  addNode(type, x, y, extra = {}) {
    const config = extra.config || {};
    const node = { id: extra.id || this.uniqueId(type), type, config };
    if (extra.title) node.title = extra.title;
    this._addNode(node, snap(x), snap(y));
    this._changed("add");
    return node.id;
  }

  /** Change a node's id, title or config; returns an error sentence or null. */
  updateNode(nodeId, patch) {
    const dfId = this.byId.get(nodeId);
    if (!dfId) return "no such node";
    const node = this.nodes.get(dfId);
    if (patch.id !== undefined && patch.id !== node.id) {
      if (!NODE_ID.test(patch.id)) return "an id is letters, digits, _ . - (at most 64)";
      if (this.byId.has(patch.id)) return `the id '${patch.id}' is taken`;
      this.byId.delete(node.id);
      node.id = patch.id;
      this.byId.set(node.id, dfId);
    }
    if (patch.title !== undefined) node.title = patch.title || undefined;
    if (patch.config !== undefined) node.config = patch.config;
    this._render(dfId);
    this._changed("update");
    return null;
  }

  removeNodes(nodeIds) {
    for (const nodeId of nodeIds) {
      const dfId = this.byId.get(nodeId);
      if (dfId) this.df.removeNodeId(`node-${dfId}`);
    }
  }

  /** Connect two nodes by our ids and a port name. */
  connect(fromId, port, toId, extras = {}) {
    return this._addEdge({ ...extras, from: fromId, to: toId, ...(port === "out" ? {} : { when: port }) });
  }

  _addEdge(edge) {
    const from = this.byId.get(edge.from);
    const to = this.byId.get(edge.to);
    if (!from || !to) return false;
    const ports = this.portsOf(this.nodes.get(from).type);
    const port = this._portFor(edge, ports);
    if (!this.hasInput(this.nodes.get(to).type)) return false;
    const key = `${from}|${port}|${to}`;
    const extras = {};
    if (edge.condition != null) extras.condition = edge.condition;
    if (edge.when === "otherwise") extras.when = "otherwise";
    if (edge.label) extras.label = edge.label;
    if (edge.ui) extras.ui = edge.ui;
    this.edgeExtras.set(key, extras);
    if (!this.edgeOrder.includes(key)) this.edgeOrder.push(key);
    this.df.addConnection(from, to, `output_${ports.indexOf(port) + 1}`, "input_1");
    return true;
  }

  edgeExtrasOf(edge) {
    return this.edgeExtras.get(edge.key) || {};
  }

  /** Set `condition`/`otherwise`/`label` of the selected edge (a gateway branch). */
  updateEdge(key, extras) {
    this.edgeExtras.set(key, { ...(this.edgeExtras.get(key) || {}), ...extras });
    for (const [k, v] of Object.entries(extras)) if (v === undefined || v === "") delete this.edgeExtras.get(key)[k];
    this.titleEdges();
    this._changed("edge");
  }

  removeSelectedEdge() {
    const edge = this.selectedEdge;
    if (!edge) return;
    this.df.removeSingleConnection(edge.fromDf, edge.toDf, edge.outputClass, "input_1");
    this.selectedEdge = null;
  }

  // --- selection ------------------------------------------------------------------------
  select(nodeIds) {
    this.selected = new Set(nodeIds.map((id) => this.byId.get(id)).filter(Boolean));
    this._paintSelection();
    if (this.options.onSelect) this.options.onSelect(this.selectedIds());
  }

  selectAll() {
    this.select(this.nodeIds());
  }

  selectedIds() {
    return [...this.selected].map((dfId) => this.nodes.get(dfId)).filter(Boolean).map((n) => n.id);
  }

  _paintSelection() {
    this.container.querySelectorAll(".drawflow-node.fc-selected").forEach((e) => e.classList.remove("fc-selected"));
    for (const dfId of this.selected) {
      const element = this.elementOf(dfId);
      if (element) element.classList.add("fc-selected");
    }
  }

  // --- copy / paste -----------------------------------------------------------------------
  /** The selected nodes and the edges between them, as a definition fragment. */
  copySelection() {
    const ids = new Set(this.selectedIds());
    const all = this.toDefinition();
    return {
      nodes: all.nodes.filter((n) => ids.has(n.id)),
      edges: all.edges.filter((e) => ids.has(e.from) && ids.has(e.to)),
    };
  }

  /** Paste a fragment with fresh ids, offset from the originals; selects what it pasted. */
  paste(fragment, offset = 40) {
    if (!fragment || !Array.isArray(fragment.nodes) || !fragment.nodes.length) return [];
    const renamed = new Map();
    this.loading = true;
    try {
      for (const node of fragment.nodes) {
        if (!this.types.has(node.type) || (node.type === "start" && this.nodeIds().some((id) => this.node(id).type === "start"))) continue;
        const id = this.byId.has(node.id) ? this.uniqueId(String(node.id).replace(/\d+$/, "")) : node.id;
        renamed.set(node.id, id);
        const ui = node.ui || {};
        this._addNode({ ...node, id }, snap((ui.x || 0) + offset), snap((ui.y || 0) + offset));
      }
      for (const edge of fragment.edges || []) {
        if (renamed.has(edge.from) && renamed.has(edge.to)) {
          this._addEdge({ ...edge, from: renamed.get(edge.from), to: renamed.get(edge.to) });
        }
      }
    } finally {
      this.loading = false;
    }
    this.titleEdges();
    this.select([...renamed.values()]);
    this._changed("paste");
    return [...renamed.values()];
  }

  // --- run state and validation marks ---------------------------------------------------
  setNodeErrors(byNode) {
    for (const [dfId, node] of this.nodes) {
      const element = this.elementOf(dfId);
      if (!element) continue;
      const messages = byNode.get(node.id) || [];
      element.classList.toggle("fc-invalid", messages.length > 0);
      element.querySelector(".fc-errors").textContent = messages.join("\n");
    }
  }

  clearRunState() {
    this.container.querySelectorAll(".drawflow-node").forEach((element) => {
      element.classList.remove("fc-run-succeeded", "fc-run-failed", "fc-run-running");
      const badge = element.querySelector(".fc-badge");
      if (badge) badge.textContent = "";
    });
  }

  setNodeStatus(nodeId, status, durationMs) {
    const element = this.elementFor(nodeId);
    if (!element) return;
    element.classList.remove("fc-run-succeeded", "fc-run-failed", "fc-run-running");
    element.classList.add(`fc-run-${String(status).replace(SAFE_CLASS, "")}`);
    const badge = element.querySelector(".fc-badge");
    if (badge) badge.textContent = durationMs == null ? String(status) : `${status} · ${Number(durationMs).toFixed(1)} ms`;
  }

  setReadOnly(readOnly) {
    this.df.editor_mode = readOnly ? "view" : "edit";
    this.options.readOnly = readOnly;
    this.container.classList.toggle("fc-readonly", readOnly);
  }

  // --- view -----------------------------------------------------------------------------
  zoomIn() { this.df.zoom_in(); }
  zoomOut() { this.df.zoom_out(); }

  _setView(zoom, x, y) {
    this.df.zoom = zoom;
    this.df.zoom_last_value = zoom;
    this.df.canvas_x = x;
    this.df.canvas_y = y;
    this.df.precanvas.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`;
    this.df.dispatch("zoom", zoom);
  }

  /** Zoom and pan so every node is in view. */
  fit() {
    const data = this.df.drawflow.drawflow.Home.data;
    const ids = Object.keys(data);
    if (!ids.length) return this._setView(1, 0, 0);
    let left = Infinity; let top = Infinity; let right = -Infinity; let bottom = -Infinity;
    for (const dfId of ids) {
      const element = this.elementOf(dfId);
      const width = element ? element.offsetWidth : 160;
      const height = element ? element.offsetHeight : 60;
      left = Math.min(left, data[dfId].pos_x);
      top = Math.min(top, data[dfId].pos_y);
      right = Math.max(right, data[dfId].pos_x + width + 40);
      bottom = Math.max(bottom, data[dfId].pos_y + height);
    }
    const width = this.container.clientWidth || 800;
    const height = this.container.clientHeight || 600;
    const zoom = Math.max(this.df.zoom_min, Math.min(1.2, (0.92 * width) / (right - left), (0.92 * height) / (bottom - top)));
    // Drawflow scales around the centre of its canvas element: shift so the box centre lands there.
    const cx = width / 2; const cy = height / 2;
    const bx = (left + right) / 2; const by = (top + bottom) / 2;
    this._setView(zoom, zoom * (cx - bx), zoom * (cy - by));
  }

  /** Canvas coordinates of a point on screen (for drops). */
  toCanvas(clientX, clientY) {
    const rect = this.df.precanvas.getBoundingClientRect();
    return { x: (clientX - rect.left) / this.df.zoom, y: (clientY - rect.top) / this.df.zoom };
  }

  /** Canvas coordinates of the middle of what is on screen. */
  centre() {
    const rect = this.container.getBoundingClientRect();
    return this.toCanvas(rect.left + rect.width / 2, rect.top + rect.height / 2);
  }

  // --- events ---------------------------------------------------------------------------
  _changed(kind) {
    if (!this.loading && this.options.onChange) this.options.onChange(kind);
  }

  _wire() {
    const df = this.df;
    df.on("nodeRemoved", (dfId) => {
      const node = this.nodes.get(String(dfId));
      if (node) this.byId.delete(node.id);
      this.nodes.delete(String(dfId));
      this.selected.delete(String(dfId));
      this._changed("remove");
      if (this.options.onSelect) this.options.onSelect(this.selectedIds());
    });
    df.on("connectionCreated", (c) => {
      const from = String(c.output_id); const to = String(c.input_id);
      const fromNode = this.nodes.get(from);
      if (!fromNode) return;
      const port = this.portsOf(fromNode.type)[Number(c.output_class.split("_")[1]) - 1];
      const key = `${from}|${port}|${to}`;
      if (!this.edgeOrder.includes(key)) this.edgeOrder.push(key);
      if (!this.loading && port !== this.options.branchPort) {
        // One edge per port (a decision branches through its ports): the newest wins.
        const output = df.drawflow.drawflow.Home.data[from].outputs[c.output_class];
        for (const old of [...output.connections]) {
          if (String(old.node) !== to) df.removeSingleConnection(from, old.node, c.output_class, old.output);
        }
      }
      if (!this.loading) this.titleEdges();
      this._changed("connect");
    });
    df.on("connectionRemoved", (c) => {
      const fromNode = this.nodes.get(String(c.output_id));
      if (fromNode) {
        const port = this.portsOf(fromNode.type)[Number(c.output_class.split("_")[1]) - 1];
        const key = `${c.output_id}|${port}|${c.input_id}`;
        this.edgeOrder = this.edgeOrder.filter((k) => k !== key);
        this.edgeExtras.delete(key);
      }
      this._changed("disconnect");
    });
    df.on("nodeMoved", (dfId) => {
      this._snapNode(String(dfId));
      if (this.groupDrag) {
        if (this.groupFrame) cancelAnimationFrame(this.groupFrame);
        this.groupFrame = null;
        const data = this.df.drawflow.drawflow.Home.data;
        const drag = this.groupDrag;
        const moved = data[drag.dfId];
        for (const other of drag.others) {
          if (!data[other.dfId]) continue;
          data[other.dfId].pos_x = other.x + (moved.pos_x - drag.x);
          data[other.dfId].pos_y = other.y + (moved.pos_y - drag.y);
        }
        for (const other of drag.others) this._snapNode(other.dfId, false);
        for (const link of drag.paths) this.df.updateConnectionNodes(`node-${link.from}`);
        this.groupDrag = null;
      }
      this._changed("move");
    });
    df.on("nodeSelected", (dfId) => {
      const id = String(dfId);
      if (this.pointerShift) {
        if (this.selected.has(id) && this.selected.size > 1) this.selected.delete(id);
        else this.selected.add(id);
      } else if (!this.selected.has(id) || this.selected.size <= 1) {
        this.selected = new Set([id]);
      }
      this.selectedEdge = null;
      this._paintSelection();
      if (this.options.onSelect) this.options.onSelect(this.selectedIds());
    });
    df.on("connectionSelected", (c) => {
      const fromNode = this.nodes.get(String(c.output_id));
      const toNode = this.nodes.get(String(c.input_id));
      if (!fromNode || !toNode) return;
      const port = this.portsOf(fromNode.type)[Number(c.output_class.split("_")[1]) - 1];
      this.selectedEdge = {
        key: `${c.output_id}|${port}|${c.input_id}`, from: fromNode.id, to: toNode.id, port,
        fromDf: String(c.output_id), toDf: String(c.input_id), outputClass: c.output_class,
      };
      this.selected.clear();
      this._paintSelection();
      if (this.options.onEdgeSelect) this.options.onEdgeSelect(this.selectedEdge);
    });
    df.on("connectionUnselected", () => {
      this.selectedEdge = null;
      if (this.options.onEdgeSelect) this.options.onEdgeSelect(null);
    });
    df.on("mouseMove", () => this._dragGroup());

    this.container.addEventListener("mousedown", (event) => {
      this.pointerShift = event.shiftKey || event.metaKey || event.ctrlKey;
      const nodeElement = event.target.closest(".drawflow-node");
      if (this.options.readOnly) return;
      if (nodeElement && !event.target.classList.contains("output") && !event.target.classList.contains("input")) {
        const dfId = nodeElement.id.slice(5);
        if (this.selected.has(dfId) && this.selected.size > 1 && !this.pointerShift) {
          const data = df.drawflow.drawflow.Home.data;
          this.groupDrag = {
            dfId, x: data[dfId].pos_x, y: data[dfId].pos_y,
            others: [...this.selected].filter((o) => o !== dfId).map((o) => ({ dfId: o, x: data[o].pos_x, y: data[o].pos_y })),
          };
          this._measureGroupPaths(this.groupDrag);
        } else {
          this.groupDrag = null;
        }
      } else if (!nodeElement && !event.target.closest("path") && event.shiftKey && event.button === 0) {
        event.stopImmediatePropagation(); // no pan: Shift-drag on the background draws a selection box
        event.preventDefault();
        this._band(event);
      } else if (!nodeElement && !event.target.closest("path") && !this.pointerShift && this.selected.size) {
        this.selected.clear();
        this._paintSelection();
        if (this.options.onSelect) this.options.onSelect([]);
      }
    }, true);
    this.container.addEventListener("keydown", (event) => this._onKey(event));
    this.container.addEventListener("click", (event) => {
      const nodeElement = event.target.closest(".drawflow-node");
      if (nodeElement && this.options.onNodeClick) {
        const node = this.nodes.get(nodeElement.id.slice(5));
        if (node) this.options.onNodeClick(node.id);
      }
    });
  }

  /** Shift-drag on the background: select every node the box touches (added to the selection). */
  _band(start) {
    const origin = this.container.getBoundingClientRect();
    const band = document.createElement("div");
    band.className = "fc-band";
    this.container.append(band);
    const box = (event) => ({
      left: Math.min(start.clientX, event.clientX), top: Math.min(start.clientY, event.clientY),
      right: Math.max(start.clientX, event.clientX), bottom: Math.max(start.clientY, event.clientY),
    });
    const move = (event) => {
      const b = box(event);
      Object.assign(band.style, { left: `${b.left - origin.left}px`, top: `${b.top - origin.top}px`,
        width: `${b.right - b.left}px`, height: `${b.bottom - b.top}px` });
    };
    const up = (event) => {
      document.removeEventListener("mousemove", move, true);
      document.removeEventListener("mouseup", up, true);
      band.remove();
      const b = box(event);
      const hit = [];
      for (const [dfId, node] of this.nodes) {
        const r = this.elementOf(dfId).getBoundingClientRect();
        if (r.right >= b.left && r.left <= b.right && r.bottom >= b.top && r.top <= b.bottom) hit.push(node.id);
      }
      this.select([...new Set([...this.selectedIds(), ...hit])]);
    };
    document.addEventListener("mousemove", move, true);
    document.addEventListener("mouseup", up, true);
    move(start);
  }

  _onKey(event) {
    const nodeElement = event.target.closest && event.target.closest(".drawflow-node");
    if (nodeElement && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      const node = this.nodes.get(nodeElement.id.slice(5));
      if (!node) return;
      if (this.options.onNodeClick) this.options.onNodeClick(node.id);
      if (this.options.readOnly) return;
      const ids = event.shiftKey ? [...new Set([...this.selectedIds(), node.id])] : [node.id];
      this.select(ids);
      return;
    }
    const moves = { ArrowLeft: [-GRID, 0], ArrowRight: [GRID, 0], ArrowUp: [0, -GRID], ArrowDown: [0, GRID] };
    if (!moves[event.key] || this.options.readOnly || !this.selected.size) return;
    event.preventDefault();
    const [dx, dy] = moves[event.key];
    const data = this.df.drawflow.drawflow.Home.data;
    for (const dfId of this.selected) {
      if (!data[dfId]) continue;
      data[dfId].pos_x += dx;
      data[dfId].pos_y += dy;
      this._snapNode(dfId, false);
    }
    for (const dfId of this.selected) this.df.updateConnectionNodes(`node-${dfId}`);
    this._changed("move");
  }

  _dragGroup() {
    // At most once a frame, and all position writes before any layout read (connection
    // paths read node geometry): interleaving them costs a full layout per node.
    if (!this.groupDrag || this.groupFrame) return;
    this.groupFrame = requestAnimationFrame(() => {
      this.groupFrame = null;
      const drag = this.groupDrag;
      if (!drag) return;
      const data = this.df.drawflow.drawflow.Home.data;
      const moved = data[drag.dfId];
      if (!moved) return;
      const dx = moved.pos_x - drag.x; const dy = moved.pos_y - drag.y;
      for (const other of drag.others) {
        const placed = data[other.dfId];
        const element = this.elementOf(other.dfId);
        if (!placed || !element) continue;
        placed.pos_x = other.x + dx;
        placed.pos_y = other.y + dy;
        element.style.left = `${placed.pos_x}px`;
        element.style.top = `${placed.pos_y}px`;
      }
      for (const link of drag.paths) {
        const from = data[link.from]; const to = data[link.to];
        if (!from || !to) continue;
        link.path.setAttribute("d", this.df.createCurvature(from.pos_x + link.ox, from.pos_y + link.oy,
          to.pos_x + link.ix, to.pos_y + link.iy, this.df.curvature, "openclose"));
      }
    });
  }

  /** Port offsets of every connection touching the moving nodes, measured once per drag,
   * so each frame redraws paths from positions without reading layout. */
  _measureGroupPaths(drag, involved = null) {
    const moving = new Set([drag.dfId, ...drag.others.map((o) => o.dfId)]);
    const touches = involved || ((from, to) => moving.has(from) || moving.has(to));
    const data = this.df.drawflow.drawflow.Home.data;
    const pre = this.df.precanvas.getBoundingClientRect();
    const zoom = this.df.zoom;
    const centre = (element) => {
      const r = element.getBoundingClientRect();
      return { x: (r.left + r.width / 2 - pre.left) / zoom, y: (r.top + r.height / 2 - pre.top) / zoom };
    };
    drag.paths = [];
    for (const svg of this.container.querySelectorAll("svg.connection")) {
      const to = svg.classList[1].replace("node_in_node-", "");
      const from = svg.classList[2].replace("node_out_node-", "");
      if (!touches(from, to)) continue;
      const fromPort = this.elementOf(from)?.querySelector(`.${svg.classList[3]}`);
      const toPort = this.elementOf(to)?.querySelector(`.${svg.classList[4]}`);
      const path = svg.querySelector(".main-path");
      if (!fromPort || !toPort || !path) continue;
      const out = centre(fromPort);
      const inn = centre(toPort);
      drag.paths.push({ path, from, to, ox: out.x - data[from].pos_x, oy: out.y - data[from].pos_y,
        ix: inn.x - data[to].pos_x, iy: inn.y - data[to].pos_y });
    }
  }

  _snapNode(dfId, redraw = true) {
    const placed = this.df.drawflow.drawflow.Home.data[dfId];
    const element = this.elementOf(dfId);
    if (!placed || !element) return;
    placed.pos_x = snap(placed.pos_x);
    placed.pos_y = snap(placed.pos_y);
    element.style.left = `${placed.pos_x}px`;
    element.style.top = `${placed.pos_y}px`;
    if (redraw) this.df.updateConnectionNodes(`node-${dfId}`);
  }
}
