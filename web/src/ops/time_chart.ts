// A card holding one ECharts line chart over time, redrawn in place on every refresh so the
// page does not flicker. The latest values stay on the element (data-latest) for tests and
// for the card's headline.
import { echarts, palette } from "../charts";
import { h } from "../dom";

export interface Series {
  name: string;
  values: (number | null)[];
}

export interface TimeChartOptions {
  id: string;
  title: string;
  unit: (value: number) => string;
  area?: boolean;
  colors?: string[];
  points?: boolean; // a dot per sample: series with gaps (no statement, no latency) stay visible
  integer?: boolean;
  floor?: number; // the least top of the scale, so a flat zero line does not fill the chart with 0% to 100%
}

export class TimeChart {
  readonly element: HTMLElement;
  // Made on the first update: ECharts measures its element, which must be in the page by then.
  private chart: ReturnType<typeof echarts.init> | null = null;
  private readonly headline = h("span", { class: "ops-chart-latest" });
  private readonly canvas = h("div", { class: "ops-chart-canvas" });

  constructor(private readonly options: TimeChartOptions) {
    this.element = h(
      "section",
      { class: "card ops-chart", "data-chart": options.id },
      h("div", { class: "ops-chart-head" }, h("h3", {}, options.title), this.headline),
      this.canvas,
    );
  }

  update(times: number[], series: Series[]): void {
    const colors = this.options.colors ?? palette;
    this.chart ??= echarts.init(this.canvas, undefined, { renderer: "canvas" });
    this.chart.setOption(
      {
        animation: false,
        color: colors,
        grid: { left: 56, right: 16, top: series.length > 1 ? 30 : 14, bottom: 26 },
        legend: series.length > 1 ? { top: 0, right: 8, itemWidth: 14, itemHeight: 8, textStyle: { color: "#475569" } } : { show: false },
        tooltip: {
          trigger: "axis",
          valueFormatter: (value: unknown) => (typeof value === "number" ? this.options.unit(value) : "—"),
        },
        xAxis: { type: "time", axisLabel: { color: "#64748b", hideOverlap: true }, axisLine: { lineStyle: { color: "#cbd5e1" } }, splitLine: { show: false } },
        yAxis: {
          type: "value",
          min: 0,
          minInterval: this.options.integer ? 1 : undefined,
          max: this.options.floor === undefined ? undefined : (extent: { max: number }) => Math.max(extent.max, this.options.floor!),
          axisLabel: { color: "#64748b", formatter: (value: number) => this.options.unit(value) },
          splitLine: { lineStyle: { color: "#eef2f7" } },
        },
        series: series.map((s, i) => ({
          name: s.name,
          type: "line",
          showSymbol: this.options.points || times.length < 3,
          symbolSize: this.options.points ? 4 : 5,
          connectNulls: false,
          lineStyle: { width: 2 },
          areaStyle: this.options.area ? { opacity: 0.12, color: colors[i % colors.length] } : undefined,
          data: times.map((t, j) => [t, s.values[j] ?? null]),
        })),
      },
      { replaceMerge: ["series"] },
    );
    const latest = series.map((s) => [...s.values].reverse().find((v) => v !== null && v !== undefined) ?? null);
    this.element.dataset.points = String(times.length);
    this.element.dataset.latest = JSON.stringify(latest);
    this.headline.textContent = latest.every((v) => v === null)
      ? "no data yet"
      : series.map((s, i) => `${series.length > 1 ? `${s.name} ` : ""}${latest[i] === null ? "—" : this.options.unit(latest[i]!)}`).join(" · ");
  }

  resize(): void {
    this.chart?.resize();
  }

  dispose(): void {
    this.chart?.dispose();
  }
}
