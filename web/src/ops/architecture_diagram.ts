// The running server drawn as an SVG from GET /api/v1/architecture: five rows top to bottom
// (clients, protocol adapters, engine and auth, catalog, storage), one box per component
// with its endpoint and facts, one arrow per edge with its protocol.
export interface Component {
  id: string;
  name: string;
  layer: string;
  endpoint: string;
  details: Record<string, unknown>;
}

export interface Edge {
  from: string;
  to: string;
  protocol: string;
}

// Rows top to bottom, and where each component sits in its row (in box slots), chosen so
// that the arrows cross as little as they can.
const rows = [
  { title: "Clients", slots: { sql_clients: 0, browser: 1, http_clients: 2, lake_engines: 3, s3_clients: 4 } as Record<string, number> },
  { title: "Adapters", slots: { pgwire: 0, cockpit: 1, http_api: 2, iceberg_rest: 3, s3_api: 4 } as Record<string, number> },
  { title: "Engine", slots: { sql_engine: 1.2, auth: 2.4 } as Record<string, number> },
  { title: "Catalog", slots: { catalog: 3.4, ai_backend: 0 } as Record<string, number> },
  { title: "Storage", slots: { metastore: 2.3, object_store: 4 } as Record<string, number> },
];
const layerRow: Record<string, number> = { client: 0, adapter: 1, core: 2, storage: 4 };
const layerColor: Record<string, string> = { client: "#64748b", adapter: "#2563eb", core: "#7c3aed", storage: "#d97706" };
const box = { width: 204, height: 74, clientHeight: 40 };
const slotWidth = 228;
const gutter = 96; // row titles
const rowGap = 70;
const top = 8;
const monoChar = 6.4; // px per character of 10.5 px monospace, to fit endpoints

function rowOf(component: Component): number {
  const listed = rows.findIndex((row) => component.id in row.slots);
  return listed >= 0 ? listed : (layerRow[component.layer] ?? 2);
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

// Long endpoints keep the end that tells them apart: a file path its file, a URL its host.
function fit(text: string, width: number): string {
  const room = Math.floor(width / monoChar);
  if (text.length <= room) return text;
  return text.startsWith("/") ? `…${text.slice(text.length - room + 1)}` : `${text.slice(0, room - 1)}…`;
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

export function port(component: Component): number | null {
  return typeof component.details.port === "number" ? component.details.port : null;
}

// Short facts under the endpoint: port, TLS, kinds.
export function facts(component: Component): string[] {
  const d = component.details;
  const out: string[] = [];
  if (d.enabled === false) out.push("not running: the warehouse is on external S3");
  if (typeof d.port === "number") out.push(`port ${d.port}`);
  if (typeof d.tls === "string") out.push(`TLS ${d.tls}`);
  else if (typeof d.tls === "boolean") out.push(d.tls ? "TLS" : "no TLS");
  if (typeof d.region === "string") out.push(d.region);
  if (typeof d.kind === "string") out.push(d.kind);
  if (component.id === "auth") {
    out.push(typeof d.oidc_issuer === "string" ? `OIDC ${d.oidc_issuer}` : "built-in users, JWT");
    if (d.tls_required) out.push("TLS required");
  }
  if (typeof d.lake_catalog === "string") out.push(`lake catalog ${d.lake_catalog}`);
  if (d.configured === false) out.push("not configured");
  return out;
}

interface Placed {
  x: number;
  y: number;
  height: number;
  component: Component;
}

function cubic(p: number[], t: number): { x: number; y: number } {
  const u = 1 - t;
  return {
    x: u * u * u * p[0] + 3 * u * u * t * p[2] + 3 * u * t * t * p[4] + t * t * t * p[6],
    y: u * u * u * p[1] + 3 * u * u * t * p[3] + 3 * u * t * t * p[5] + t * t * t * p[7],
  };
}

export function architectureDiagram(components: Component[], edges: Edge[]): SVGSVGElement {
  const placed = new Map<string, Placed>();
  const rowTop = (row: number) => top + (row === 0 ? 0 : box.clientHeight + rowGap + (row - 1) * (box.height + rowGap));
  const spare = new Map<number, number>();
  for (const component of components) {
    const row = rowOf(component);
    let slot = rows[row]?.slots[component.id];
    if (slot === undefined) {
      slot = 4 - (spare.get(row) ?? 0); // an unknown component takes the row's right end
      spare.set(row, (spare.get(row) ?? 0) + 1);
    }
    const height = row === 0 ? box.clientHeight : box.height;
    placed.set(component.id, { x: gutter + slot * slotWidth, y: rowTop(row), height, component });
  }
  const width = gutter + 4 * slotWidth + box.width + 4;
  const height = rowTop(rows.length - 1) + box.height + 8;

  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "ops-diagram", role: "img", "aria-label": "AKKO components and how requests flow between them" });
  root.append(svg("defs", {}, svg("marker", { id: "ops-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#94a3b8" }))));
  rows.forEach((row, i) => {
    const middle = rowTop(i) + (i === 0 ? box.clientHeight : box.height) / 2;
    root.append(svg("text", { x: 0, y: middle + 4, class: "ops-diagram-row" }, row.title.toUpperCase()));
  });

  // Arrows leaving (or reaching) one box spread along its edge instead of meeting at a point.
  const outgoing = new Map<string, Edge[]>();
  const incoming = new Map<string, Edge[]>();
  const vertical = edges.filter((e) => placed.has(e.from) && placed.has(e.to) && placed.get(e.from)!.y !== placed.get(e.to)!.y);
  for (const edge of vertical) {
    outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
    incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), edge]);
  }
  const centre = (id: string) => placed.get(id)!.x + box.width / 2;
  for (const list of outgoing.values()) list.sort((a, b) => centre(a.to) - centre(b.to));
  for (const list of incoming.values()) list.sort((a, b) => centre(a.from) - centre(b.from));
  const spread = (list: Edge[], edge: Edge) => (list.indexOf(edge) - (list.length - 1) / 2) * Math.min(22, 150 / list.length);

  const lines = svg("g", { class: "ops-edges" });
  const labels = svg("g", { class: "ops-edge-labels" });
  // Labels keep off the boxes and off each other.
  const taken: { x: number; y: number; w: number; h: number }[] = [...placed.values()].map((p) => ({ x: p.x + box.width / 2, y: p.y + p.height / 2, w: box.width + 8, h: p.height + 8 }));
  const label = (edge: Edge, at: (t: number) => { x: number; y: number }) => {
    const w = edge.protocol.length * 5.6 + 6;
    for (const t of [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8]) {
      const p = at(t);
      if (taken.every((o) => Math.abs(o.x - p.x) > (o.w + w) / 2 || Math.abs(o.y - p.y) > (o.h + 12) / 2)) {
        taken.push({ ...p, w, h: 12 });
        labels.append(svg("text", { x: p.x, y: p.y + 3.5, class: "ops-edge-label" }, edge.protocol));
        return;
      }
    }
  };
  for (const edge of edges) {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (!from || !to) continue;
    let points: number[];
    if (from.y === to.y) {
      const leftToRight = from.x < to.x;
      const x1 = leftToRight ? from.x + box.width : from.x;
      const x2 = leftToRight ? to.x - 2 : to.x + box.width + 2;
      const y = from.y + from.height / 2;
      points = [x1, y, (x1 + x2) / 2, y, (x1 + x2) / 2, y, x2, y];
    } else {
      const x1 = centre(edge.from) + spread(outgoing.get(edge.from)!, edge);
      const y1 = from.y + from.height;
      const x2 = centre(edge.to) + spread(incoming.get(edge.to)!, edge);
      const y2 = to.y - 2;
      const bend = Math.min(70, (y2 - y1) / 2);
      points = [x1, y1, x1, y1 + bend, x2, y2 - bend, x2, y2];
    }
    const [x1, y1, c1x, c1y, c2x, c2y, x2, y2] = points;
    lines.append(svg("path", { d: `M ${x1} ${y1} C ${c1x} ${c1y}, ${c2x} ${c2y}, ${x2} ${y2}`, class: "ops-edge", "marker-end": "url(#ops-arrow)", "data-edge": `${edge.from}->${edge.to}` }, svg("title", {}, `${edge.from} → ${edge.to}: ${edge.protocol}`)));
    label(edge, (t) => cubic(points, t));
  }
  root.append(lines);

  for (const { x, y, height: boxHeight, component } of placed.values()) {
    const off = component.details.enabled === false || component.details.configured === false;
    const color = layerColor[component.layer] ?? "#64748b";
    const client = component.layer === "client";
    const node = svg(
      "g",
      { class: `ops-node${off ? " off" : ""}`, transform: `translate(${x} ${y})`, "data-component": component.id, "data-port": port(component) ?? "" },
      svg("title", {}, [component.name, component.endpoint, ...facts(component)].filter(Boolean).join("\n")),
      svg("rect", { width: box.width, height: boxHeight, rx: 9, class: "ops-node-box" }),
      svg("rect", { width: 4, height: boxHeight - 16, x: 0, y: 8, rx: 2, fill: color }),
    );
    if (client) {
      node.append(svg("text", { x: 16, y: boxHeight / 2 + 4.5, class: "ops-node-name" }, clip(component.name, 28)));
    } else {
      node.append(
        svg("text", { x: 16, y: 22, class: "ops-node-name" }, clip(component.name, 25)),
        svg("text", { x: 16, y: 41, class: "ops-node-endpoint" }, fit(component.endpoint || "in process", box.width - 24)),
        svg("text", { x: 16, y: 60, class: "ops-node-facts" }, clip(facts(component).join(" · "), 34)),
      );
    }
    root.append(node);
  }
  root.append(labels);
  return root;
}
