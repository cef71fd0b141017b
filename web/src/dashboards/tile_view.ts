// One tile of a dashboard: runs its saved query as the viewing user and draws the chart, with
// its own loading, error and empty states, so a slow or failing tile never holds up the others.
import { QueryResult } from "../api";
import { echarts } from "../charts";
import { formatCount, formatMs, h } from "../dom";
import { chartOption, ChartSpec, guessSpec } from "../workbench/chart_builder";
import { Filter, SavedQuery, Tile, tileChart } from "./model";
import { columnsProbe, filteredStatement, runStatement } from "./tile_query";

type State = "idle" | "loading" | "done" | "empty" | "error";

// What a test or the browser's devtools can read off a tile's canvas: the drawn instance.
export interface ChartElement extends HTMLElement {
  chart?: echarts.ECharts;
}

export class TileView {
  readonly element: HTMLElement;
  // Column names of the last result; null until the first run says which filters apply.
  columns: string[] | null = null;
  lastResult: QueryResult | null = null;
  private readonly canvas: ChartElement = h("div", { class: "tile-canvas", "data-testid": "tile-chart" });
  private readonly message = h("div", { class: "tile-message" });
  private readonly footer = h("div", { class: "tile-footer" });
  private readonly filterNote = h("span", { class: "tile-filtered" });
  private chart: echarts.ECharts | null = null;
  private running: AbortController | null = null;
  private readonly observer = new ResizeObserver(() => this.chart?.resize());

  constructor(
    readonly tile: Tile,
    private readonly query: SavedQuery | undefined,
  ) {
    const title = tile.title || query?.name || "Untitled";
    this.element = h(
      "section",
      {
        class: "card dash-tile",
        "data-testid": "tile",
        "data-query-id": tile.saved_query_id,
        style: `grid-column: ${tile.x + 1} / span ${tile.w}; grid-row: ${tile.y + 1} / span ${tile.h};`,
      },
      h("header", { class: "tile-head" }, h("h3", { title: query?.description || title }, title), this.filterNote),
      h("div", { class: "tile-body" }, this.canvas, this.message),
      this.footer,
    );
    this.observer.observe(this.canvas);
    if (!query) this.setState("error", `Saved query "${tile.saved_query_id}" is missing or not shared with you.`);
  }

  get state(): State {
    return (this.element.dataset.state as State) ?? "idle";
  }

  // Runs the saved query (filtered where its columns allow); a run still going is aborted.
  async run(filters: Filter[]): Promise<void> {
    if (!this.query) return;
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.setState("loading", this.lastResult ? "" : "Loading…");
    const started = performance.now();
    try {
      if (this.columns === null && filters.some((filter) => filter.values?.length || filter.from || filter.to)) {
        const probe = await runStatement(columnsProbe(this.query.sql), [], controller.signal);
        this.columns = probe.columns.map((column) => column.name);
      }
      const statement = filteredStatement(this.query.sql, filters, this.columns);
      const result = await runStatement(statement.sql, statement.parameters, controller.signal);
      if (controller.signal.aborted) return;
      this.columns = result.columns.map((column) => column.name);
      this.lastResult = result;
      this.filterNote.textContent = statement.applied.length ? `filtered: ${statement.applied.map((f) => f.label || f.column).join(", ")}` : "";
      this.footer.textContent = `${formatCount(result.rows.length)} rows · ${formatMs(performance.now() - started)}`;
      if (result.rows.length === 0) {
        this.chart?.clear();
        this.setState("empty", "No rows to show.");
        return;
      }
      this.setState("done", "");
      this.draw(result);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.chart?.clear();
      this.footer.textContent = "";
      this.setState("error", error instanceof Error ? error.message : String(error));
    } finally {
      if (this.running === controller) this.running = null;
    }
  }

  private spec(result: QueryResult): ChartSpec | null {
    const spec = tileChart(this.tile, this.query);
    const names = result.columns.map((column) => column.name);
    if (spec && names.includes(spec.x) && spec.y.every((y) => names.includes(y))) return spec;
    return guessSpec(result.columns);
  }

  private draw(result: QueryResult): void {
    const spec = this.spec(result);
    if (!spec) {
      this.setState("error", "The result has no numeric column to chart.");
      return;
    }
    if (!this.chart) {
      this.chart = echarts.init(this.canvas);
      this.canvas.chart = this.chart;
      // Set once the chart's animation is over: screenshots and tests wait for it.
      this.chart.on("finished", () => {
        this.element.dataset.drawn = "true";
      });
    }
    delete this.element.dataset.drawn;
    const option = chartOption(spec, result.columns, result.rows) as Record<string, unknown>;
    fitToTile(option, spec, result.rows.length);
    this.chart.setOption(option, true);
    this.element.dataset.chartKind = spec.kind;
  }

  private setState(state: State, message: string): void {
    this.element.dataset.state = state;
    this.message.textContent = message;
    this.message.className = `tile-message state-${state}`;
    this.message.classList.toggle("hidden", message === "");
  }

  dispose(): void {
    this.running?.abort();
    this.observer.disconnect();
    this.chart?.dispose();
  }
}

// Tiles are small: the series name repeats the title, so no legend unless there are several;
// a pie names its slices beside them; a short category axis shows every label, slanted when long.
function fitToTile(option: Record<string, any>, spec: ChartSpec, rows: number): void {
  if (spec.kind === "pie") {
    option.legend = { show: false };
    for (const series of option.series) Object.assign(series, { center: ["50%", "52%"], radius: ["30%", "56%"], label: { formatter: "{b}\n{d}%" } });
    return;
  }
  if (spec.y.length < 2) option.legend = { show: false };
  if (spec.kind === "scatter") return;
  option.grid = { left: 12, right: 16, top: 16, bottom: rows > 60 ? 40 : 8, containLabel: true };
  if (rows <= 15) {
    const longest = Math.max(...(option.xAxis.data as string[]).map((label) => label.length));
    option.xAxis.axisLabel = { interval: 0, rotate: longest > 9 && rows > 3 ? 28 : 0, width: 120, overflow: "truncate" };
  }
  for (const series of option.series) series.barMaxWidth = 72;
}
