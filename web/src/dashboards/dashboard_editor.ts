// Creates or edits a dashboard from saved queries: name, description, sharing, default
// auto-refresh, tiles (saved query, title, chart type, width, height, order) and filters.
// The order and sizes become grid positions (flowLayout) when it is saved.
import { h } from "../dom";
import { href, navigate } from "../router";
import { byPosition, chartKinds, Dashboard, deleteDashboard, Filter, filterKind, flowLayout, saveDashboard, SavedQuery, Tile } from "./model";

const widths: [number, string][] = [
  [3, "Quarter"],
  [4, "Third"],
  [6, "Half"],
  [8, "Two thirds"],
  [12, "Full width"],
];
const heights = [3, 4, 5, 6, 8];

export function emptyDashboard(): Dashboard {
  return { name: "", description: "", refresh_seconds: 0, filters: [], tiles: [], shared: false };
}

export class DashboardEditor {
  readonly element: HTMLElement;
  private readonly draft: Dashboard;
  private readonly tileList = h("div", { class: "edit-tiles", "data-testid": "edit-tiles" });
  private readonly filterList = h("div", { class: "edit-filters" });
  private readonly error = h("p", { class: "form-error", "data-testid": "editor-error" });

  constructor(
    dashboard: Dashboard,
    private readonly queries: SavedQuery[],
  ) {
    this.draft = structuredClone(dashboard);
    this.draft.tiles = byPosition(this.draft.tiles);
    const name = h("input", { name: "name", value: this.draft.name, required: true, maxlength: 200, placeholder: "Sales overview" });
    name.addEventListener("input", () => (this.draft.name = name.value));
    const description = h("textarea", { name: "description", rows: 2, maxlength: 4000 }, this.draft.description);
    description.addEventListener("input", () => (this.draft.description = description.value));
    const shared = h("input", { type: "checkbox", name: "shared", checked: this.draft.shared });
    shared.addEventListener("change", () => (this.draft.shared = shared.checked));
    const refresh = h(
      "select",
      { name: "refresh" },
      [0, 30, 60, 300].map((seconds) => h("option", { value: seconds, selected: seconds === this.draft.refresh_seconds }, seconds === 0 ? "Off" : seconds < 60 ? `${seconds} s` : `${seconds / 60} min`)),
    );
    refresh.addEventListener("change", () => (this.draft.refresh_seconds = Number(refresh.value)));

    const pick = h(
      "select",
      { "aria-label": "saved query to add", "data-testid": "add-tile-query" },
      this.queries.map((query) => h("option", { value: query.id }, `${query.name}${query.shared ? "" : " (private)"}`)),
    );
    const add = h("button", { type: "button", "data-testid": "add-tile", disabled: this.queries.length === 0 }, "+ Add tile");
    add.addEventListener("click", () => {
      const query = this.queries.find((q) => q.id === pick.value);
      if (!query) return;
      this.draft.tiles.push({ saved_query_id: query.id, title: query.name, chart: {}, x: 0, y: 0, w: 6, h: 4 });
      this.renderTiles();
    });

    const filterColumn = h("input", { placeholder: "column, e.g. region", "aria-label": "filter column" });
    const filterType = h("select", { "aria-label": "filter type" }, h("option", { value: "value" }, "equals a value"), h("option", { value: "range" }, "date range"));
    const addFilter = h("button", { type: "button" }, "+ Add filter");
    addFilter.addEventListener("click", () => {
      const column = filterColumn.value.trim();
      if (!column) return;
      const filter: Filter = filterType.value === "range" ? { column, label: column, type: "range", from: "", to: "" } : { column, label: column, values: [] };
      this.draft.filters.push(filter);
      filterColumn.value = "";
      this.renderFilters();
    });

    const save = h("button", { type: "submit", class: "primary", "data-testid": "save-dashboard" }, "Save dashboard");
    const form = h(
      "form",
      { class: "dash-editor card", "data-testid": "dashboard-editor" },
      h("div", { class: "editor-row" }, h("label", { class: "grow" }, "Name", name), h("label", {}, "Auto-refresh", refresh), h("label", { class: "check" }, shared, "Shared with every user")),
      h("label", {}, "Description", description),
      h("h3", {}, "Tiles"),
      h("p", { class: "muted" }, "Tiles fill rows of the grid left to right in this order. Each runs its saved query as the person viewing the dashboard."),
      this.tileList,
      h("div", { class: "editor-row" }, pick, add),
      h("h3", {}, "Filters"),
      h("p", { class: "muted" }, "A filter narrows the tiles whose result has its column."),
      this.filterList,
      h("div", { class: "editor-row" }, filterColumn, filterType, addFilter),
      this.error,
      h(
        "div",
        { class: "dialog-actions" },
        dashboard.id ? h("button", { type: "button", class: "danger", onclick: () => void this.remove() }, "Delete") : null,
        h("span", { class: "spacer" }),
        h("a", { class: "button-link ghost", href: dashboard.id ? href("dashboards", dashboard.id) : href("dashboards") }, "Cancel"),
        save,
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save(save);
    });
    this.element = h("div", { class: "dash-editor-page" }, form);
    this.renderTiles();
    this.renderFilters();
  }

  private renderTiles(): void {
    const tiles = this.draft.tiles;
    if (tiles.length === 0) {
      this.tileList.replaceChildren(h("p", { class: "muted" }, "No tiles yet: add one from a saved query."));
      return;
    }
    this.tileList.replaceChildren(
      ...tiles.map((tile, index) => {
        const query = this.queries.find((q) => q.id === tile.saved_query_id);
        const title = h("input", { value: tile.title, "aria-label": "tile title", placeholder: query?.name ?? "" });
        title.addEventListener("input", () => (tile.title = title.value));
        const saved = query?.chart?.type ?? query?.chart?.kind;
        const kind = h(
          "select",
          { "aria-label": "chart type" },
          h("option", { value: "" }, saved ? `As saved (${saved})` : "As saved"),
          chartKinds.map((k) => h("option", { value: k, selected: tile.chart?.type === k }, k[0].toUpperCase() + k.slice(1))),
        );
        kind.addEventListener("change", () => (tile.chart = kind.value ? { ...tile.chart, type: kind.value } : withoutType(tile)));
        const width = h("select", { "aria-label": "tile width" }, widths.map(([w, label]) => h("option", { value: w, selected: w === tile.w }, label)), widths.some(([w]) => w === tile.w) ? null : h("option", { value: tile.w, selected: true }, `${tile.w} columns`));
        width.addEventListener("change", () => (tile.w = Number(width.value)));
        const height = h("select", { "aria-label": "tile height" }, heights.map((value) => h("option", { value, selected: value === tile.h }, `${value} rows`)), heights.includes(tile.h) ? null : h("option", { value: tile.h, selected: true }, `${tile.h} rows`));
        height.addEventListener("change", () => (tile.h = Number(height.value)));
        const move = (to: number) => {
          tiles.splice(to, 0, ...tiles.splice(index, 1));
          this.renderTiles();
        };
        return h(
          "div",
          { class: "edit-tile", "data-testid": "edit-tile" },
          h("span", { class: "edit-tile-index" }, String(index + 1)),
          h("div", { class: "edit-tile-query" }, h("strong", {}, query?.name ?? `missing: ${tile.saved_query_id}`), h("small", { class: "muted" }, query ? `by ${query.owner}` : "")),
          title,
          kind,
          width,
          height,
          h("button", { type: "button", class: "small ghost", title: "Move up", disabled: index === 0, onclick: () => move(index - 1) }, "↑"),
          h("button", { type: "button", class: "small ghost", title: "Move down", disabled: index === tiles.length - 1, onclick: () => move(index + 1) }, "↓"),
          h("button", {
            type: "button",
            class: "small danger",
            title: "Remove tile",
            onclick: () => {
              tiles.splice(index, 1);
              this.renderTiles();
            },
          }, "Remove"),
        );
      }),
    );
  }

  private renderFilters(): void {
    const filters = this.draft.filters;
    this.filterList.replaceChildren(
      ...filters.map((filter, index) => {
        const label = h("input", { value: filter.label ?? filter.column, "aria-label": "filter label" });
        label.addEventListener("input", () => (filter.label = label.value));
        return h(
          "div",
          { class: "edit-filter" },
          h("code", {}, filter.column),
          h("span", { class: "muted" }, filterKind(filter) === "range" ? "date range" : "equals a value"),
          label,
          h("button", {
            type: "button",
            class: "small danger",
            onclick: () => {
              filters.splice(index, 1);
              this.renderFilters();
            },
          }, "Remove"),
        );
      }),
    );
  }

  private async save(button: HTMLButtonElement): Promise<void> {
    this.error.textContent = "";
    if (!this.draft.name.trim()) {
      this.error.textContent = "A dashboard needs a name.";
      return;
    }
    button.disabled = true;
    try {
      const saved = await saveDashboard({ ...this.draft, tiles: flowLayout(this.draft.tiles) });
      navigate("dashboards", saved.id ?? "");
    } catch (error) {
      this.error.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      button.disabled = false;
    }
  }

  private async remove(): Promise<void> {
    if (!this.draft.id || !confirm(`Delete the dashboard "${this.draft.name}"?`)) return;
    try {
      await deleteDashboard(this.draft.id);
      navigate("dashboards");
    } catch (error) {
      this.error.textContent = error instanceof Error ? error.message : String(error);
    }
  }
}

function withoutType(tile: Tile): Tile["chart"] {
  const { type: _type, kind: _kind, ...rest } = tile.chart ?? {};
  return rest;
}
