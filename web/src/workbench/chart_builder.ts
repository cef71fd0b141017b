// A chart of any result: bar, line, area, pie or scatter, of one x column against one or more
// y columns.
import { Column } from "../api";
import { echarts, palette } from "../charts";
import { cellText, h } from "../dom";

export type ChartKind = "bar" | "line" | "area" | "pie" | "scatter";

export interface ChartSpec {
  kind: ChartKind;
  x: string;
  y: string[];
}

// How a chart is stored with a saved query or a dashboard tile: {"type", "x", "y"}
// (docs/cockpit-api.md). Charts saved before that said "kind".
export interface StoredChart {
  type?: string;
  kind?: string;
  x?: string;
  y?: string[];
}

export const chartKinds: ChartKind[] = ["bar", "line", "area", "pie", "scatter"];

export function toStoredChart(spec: ChartSpec): StoredChart {
  return { type: spec.kind, x: spec.x, y: spec.y };
}

export function fromStoredChart(stored: StoredChart | null | undefined): ChartSpec | null {
  if (!stored?.x || !stored.y?.length) return null;
  const kind = (stored.type ?? stored.kind) as ChartKind | undefined;
  return { kind: kind && chartKinds.includes(kind) ? kind : "bar", x: stored.x, y: stored.y };
}

const maxPoints = 5000;
const numeric = /INT|DECIMAL|DOUBLE|FLOAT|REAL|NUMERIC/;

// A first guess: the first non-numeric column against the first numeric one (columns of
// different magnitudes on one axis would flatten each other).
export function guessSpec(columns: Column[]): ChartSpec | null {
  const numbers = columns.filter((column) => numeric.test(column.type));
  if (numbers.length === 0) return null;
  const x = columns.find((column) => !numeric.test(column.type)) ?? columns[0];
  const y = numbers.find((column) => column !== x) ?? numbers[0];
  return { kind: "bar", x: x.name, y: [y.name] };
}

export function chartOption(spec: ChartSpec, columns: Column[], rows: unknown[][]): echarts.EChartsCoreOption {
  const index = (name: string) => columns.findIndex((column) => column.name === name);
  const xi = index(spec.x);
  const ys = spec.y.map(index).filter((i) => i >= 0);
  const data = rows.slice(0, maxPoints);
  const xs = data.map((row) => cellText(row[xi]));
  const value = (v: unknown) => (v === null ? null : Number(v));
  if (spec.kind === "pie") {
    const yi = ys[0];
    return {
      color: palette,
      tooltip: { trigger: "item" },
      legend: { type: "scroll", orient: "vertical", right: 8, top: 16, bottom: 16 },
      series: [{ type: "pie", radius: ["35%", "70%"], center: ["40%", "50%"], data: data.map((row, i) => ({ name: xs[i], value: value(row[yi]) })) }],
    };
  }
  if (spec.kind === "scatter") {
    return {
      color: palette,
      tooltip: { trigger: "item" },
      legend: { top: 4 },
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      xAxis: { type: "value", name: spec.x, nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: { type: "value", scale: true },
      series: ys.map((yi) => ({ type: "scatter", name: columns[yi].name, symbolSize: 7, data: data.map((row) => [value(row[xi]), value(row[yi])]) })),
    };
  }
  return {
    color: palette,
    tooltip: { trigger: "axis" },
    legend: { top: 4 },
    grid: { left: 64, right: 24, top: 40, bottom: data.length > 60 ? 72 : 48, containLabel: false },
    xAxis: { type: "category", data: xs },
    yAxis: { type: "value" },
    dataZoom: data.length > 60 ? [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }] : [],
    series: ys.map((yi) => ({
      type: spec.kind === "bar" ? "bar" : "line",
      name: columns[yi].name,
      smooth: spec.kind !== "bar",
      showSymbol: data.length < 60,
      areaStyle: spec.kind === "area" ? { opacity: 0.25 } : undefined,
      data: data.map((row) => value(row[yi])),
    })),
  };
}

export class ChartBuilder {
  readonly element: HTMLElement;
  private chart: echarts.ECharts | null = null;
  private readonly canvas = h("div", { class: "chart-canvas", "data-testid": "chart" });
  private readonly controls = h("div", { class: "chart-controls" });
  private spec: ChartSpec | null = null;
  private columns: Column[] = [];
  private rows: unknown[][] = [];
  private readonly resize = () => this.chart?.resize();

  constructor() {
    this.element = h("div", { class: "chart-builder" }, this.controls, this.canvas);
    window.addEventListener("resize", this.resize);
  }

  // Draws `rows`; keeps the choices when the columns are the same as before.
  show(columns: Column[], rows: unknown[][], spec?: ChartSpec | null): void {
    const same = this.columns.map((c) => c.name).join("\u0000") === columns.map((c) => c.name).join("\u0000");
    this.columns = columns;
    this.rows = rows;
    if (spec) this.spec = spec;
    else if (!same || !this.spec) this.spec = guessSpec(columns);
    this.renderControls();
    this.draw();
  }

  current(): ChartSpec | null {
    return this.spec;
  }

  private renderControls(): void {
    if (!this.spec) {
      this.controls.replaceChildren(h("p", { class: "muted" }, this.columns.length ? "A chart needs a numeric column." : "Run a query to chart its result."));
      return;
    }
    const spec = this.spec;
    const kind = h("select", { "aria-label": "chart type" }, chartKinds.map((k) => h("option", { value: k, selected: k === spec.kind }, k[0].toUpperCase() + k.slice(1))));
    kind.addEventListener("change", () => {
      spec.kind = kind.value as ChartKind;
      this.draw();
    });
    const x = h("select", { "aria-label": "x column" }, this.columns.map((c) => h("option", { value: c.name, selected: c.name === spec.x }, c.name)));
    x.addEventListener("change", () => {
      spec.x = x.value;
      this.draw();
    });
    const ys = h(
      "div",
      { class: "y-columns" },
      this.columns
        .filter((c) => numeric.test(c.type))
        .map((c) => {
          const box = h("input", { type: "checkbox", value: c.name, checked: spec.y.includes(c.name) });
          box.addEventListener("change", () => {
            spec.y = [...ys.querySelectorAll<HTMLInputElement>("input:checked")].map((input) => input.value);
            this.draw();
          });
          return h("label", { class: "check" }, box, c.name);
        }),
    );
    this.controls.replaceChildren(h("label", {}, "Chart", kind), h("label", {}, "X", x), h("div", { class: "y-label" }, h("span", {}, "Y"), ys));
  }

  private draw(): void {
    if (!this.spec || this.spec.y.length === 0) {
      this.chart?.clear();
      return;
    }
    // ECharts needs a laid-out element; the builder may be drawn while its tab is hidden.
    requestAnimationFrame(() => {
      if (!this.spec || !this.canvas.isConnected || this.canvas.clientWidth === 0) return;
      this.chart ??= echarts.init(this.canvas);
      this.chart.setOption(chartOption(this.spec, this.columns, this.rows), true);
      this.chart.resize();
    });
  }

  redraw(): void {
    this.draw();
  }

  dispose(): void {
    window.removeEventListener("resize", this.resize);
    this.chart?.dispose();
  }
}
