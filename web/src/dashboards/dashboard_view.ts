// A dashboard: its tiles on a 12-column grid, each running its saved query as the viewing user
// (all at once), a refresh button, auto-refresh, and dashboard-wide filters applied to the
// tiles whose result has the filter's column.
import { cellText, fill, h } from "../dom";
import { href } from "../router";
import { currentIdentity } from "../session";
import { Dashboard, Filter, filterKind, SavedQuery } from "./model";
import { TileView } from "./tile_view";

const refreshChoices: [number, string][] = [
  [0, "Off"],
  [30, "30 s"],
  [60, "1 min"],
  [300, "5 min"],
];
const rowHeight = 70; // pixels per grid row

export class DashboardView {
  readonly element: HTMLElement;
  private readonly tiles: TileView[];
  private readonly filters: Filter[];
  private readonly filterBar = h("div", { class: "dash-filters", "data-testid": "dashboard-filters" });
  private readonly refreshed = h("span", { class: "muted dash-refreshed", "data-testid": "refreshed" });
  private timer: number | undefined;

  constructor(
    dashboard: Dashboard,
    queries: SavedQuery[],
  ) {
    const byId = new Map(queries.map((query) => [query.id, query]));
    this.tiles = dashboard.tiles.map((tile) => new TileView(tile, byId.get(tile.saved_query_id)));
    // The stored filters are the defaults; changes here last as long as the page.
    this.filters = dashboard.filters.filter((filter) => typeof filter.column === "string" && filter.column).map((filter) => ({ ...filter, values: [...(filter.values ?? [])] }));
    const who = currentIdentity();
    const mayEdit = Boolean(who && (who.superuser || who.user === dashboard.owner));
    const interval = h(
      "select",
      { "aria-label": "auto-refresh", "data-testid": "auto-refresh" },
      refreshChoices.map(([seconds, label]) => h("option", { value: seconds, selected: seconds === dashboard.refresh_seconds }, label)),
      refreshChoices.some(([seconds]) => seconds === dashboard.refresh_seconds) ? null : h("option", { value: dashboard.refresh_seconds, selected: true }, `${dashboard.refresh_seconds} s`),
    );
    interval.addEventListener("change", () => this.schedule(Number(interval.value)));
    const rows = Math.max(0, ...dashboard.tiles.map((tile) => tile.y + tile.h));
    this.element = h(
      "div",
      { class: "dashboard", "data-testid": "dashboard", "data-dashboard-id": dashboard.id ?? "" },
      h(
        "div",
        { class: "dash-toolbar" },
        h("div", { class: "dash-title" }, h("a", { href: href("dashboards"), class: "dash-back" }, "‹ Dashboards"), h("h2", {}, dashboard.name), dashboard.shared ? h("span", { class: "pill" }, "shared") : null),
        h("div", { class: "spacer" }),
        this.refreshed,
        h("label", { class: "inline" }, "Auto-refresh", interval),
        h("button", { "data-testid": "refresh", onclick: () => this.refresh() }, "↻ Refresh"),
        mayEdit ? h("a", { class: "button-link", href: href("dashboards", dashboard.id ?? "", "edit"), "data-testid": "edit-dashboard" }, "Edit") : null,
      ),
      dashboard.description ? h("p", { class: "dash-description" }, dashboard.description) : null,
      this.filterBar,
      h("div", { class: "dash-grid", style: `grid-template-rows: repeat(${rows}, ${rowHeight}px);` }, this.tiles.map((tile) => tile.element)),
    );
    this.renderFilters();
    this.refresh();
    this.schedule(dashboard.refresh_seconds);
  }

  refresh(): void {
    const runs = this.tiles.map((tile) => tile.run(this.filters));
    void Promise.allSettled(runs).then(() => {
      this.refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      this.renderFilters();
    });
  }

  private schedule(seconds: number): void {
    window.clearInterval(this.timer);
    this.timer = seconds > 0 ? window.setInterval(() => this.refresh(), seconds * 1000) : undefined;
  }

  // Choices of a value filter: what the tiles' results hold in its column.
  private seenValues(column: string): string[] {
    const seen = new Set<string>();
    for (const tile of this.tiles) {
      const result = tile.lastResult;
      const index = result?.columns.findIndex((c) => c.name === column) ?? -1;
      if (!result || index < 0) continue;
      for (const row of result.rows) if (row[index] !== null) seen.add(cellText(row[index]));
    }
    return [...seen].sort();
  }

  private renderFilters(): void {
    if (this.filters.length === 0) {
      this.filterBar.classList.add("hidden");
      return;
    }
    const controls = this.filters.map((filter) => {
      const label = filter.label || filter.column;
      if (filterKind(filter) === "range") {
        const from = h("input", { type: "date", value: filter.from ?? "", "aria-label": `${label} from`, "data-filter": filter.column, "data-bound": "from" });
        const to = h("input", { type: "date", value: filter.to ?? "", "aria-label": `${label} to`, "data-filter": filter.column, "data-bound": "to" });
        const changed = () => {
          filter.from = from.value;
          filter.to = to.value;
          this.applyFilter(filter);
        };
        from.addEventListener("change", changed);
        to.addEventListener("change", changed);
        return h("div", { class: "dash-filter" }, h("span", {}, label), from, h("span", { class: "muted" }, "to"), to);
      }
      const choices = [...new Set([...this.seenValues(filter.column), ...(filter.values ?? [])])].sort();
      const select = h(
        "select",
        { "aria-label": label, "data-filter": filter.column },
        h("option", { value: "" }, "All"),
        choices.map((value) => h("option", { value, selected: filter.values?.[0] === value }, value)),
      );
      select.addEventListener("change", () => {
        filter.values = select.value ? [select.value] : [];
        this.applyFilter(filter);
      });
      return h("div", { class: "dash-filter" }, h("span", {}, label), select);
    });
    this.filterBar.classList.remove("hidden");
    fill(this.filterBar, h("span", { class: "dash-filter-title" }, "Filters"), controls);
  }

  private applyFilter(filter: Filter): void {
    const affected = this.tiles.filter((tile) => tile.columns === null || tile.columns.includes(filter.column));
    void Promise.allSettled(affected.map((tile) => tile.run(this.filters))).then(() => {
      this.refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    });
  }

  dispose(): void {
    window.clearInterval(this.timer);
    for (const tile of this.tiles) tile.dispose();
  }
}
