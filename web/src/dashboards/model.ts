// Dashboards and saved queries as GET/POST/PUT/DELETE /api/v1/dashboards and
// /api/v1/saved-queries keep them (docs/cockpit-api.md), and what the cockpit reads into them:
// the chart of a tile and the filters of a dashboard.
import { apiFetch, failure } from "../api";
import { ChartSpec, fromStoredChart, StoredChart } from "../workbench/chart_builder";

export type { StoredChart };

export { chartKinds } from "../workbench/chart_builder";


export interface SavedQuery {
  id: string;
  name: string;
  sql: string;
  description: string;
  chart: StoredChart;
  owner: string;
  shared: boolean;
}

export interface Tile {
  saved_query_id: string;
  title: string;
  chart: StoredChart;
  x: number;
  y: number;
  w: number;
  h: number;
}

// A value filter keeps the rows whose column equals one of `values` (none: every row); a range
// filter the rows whose column, a date, lies from `from` to `to` (either may be empty).
export interface Filter {
  column: string;
  label?: string;
  type?: "value" | "range";
  values?: string[];
  from?: string;
  to?: string;
}

export interface Dashboard {
  id?: string;
  name: string;
  description: string;
  refresh_seconds: number;
  filters: Filter[];
  tiles: Tile[];
  shared: boolean;
  owner?: string;
  updated_at?: string;
}

export const gridColumns = 12;

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await apiFetch(path, init);
  if (!response.ok) throw await failure(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const listDashboards = () => call<Dashboard[]>("/api/v1/dashboards");
export const getDashboard = (id: string) => call<Dashboard>(`/api/v1/dashboards/${encodeURIComponent(id)}`);
export const listSavedQueries = () => call<SavedQuery[]>("/api/v1/saved-queries");
export const deleteDashboard = (id: string) => call<void>(`/api/v1/dashboards/${encodeURIComponent(id)}`, { method: "DELETE" });

export function saveDashboard(dashboard: Dashboard): Promise<Dashboard> {
  const body = JSON.stringify({
    name: dashboard.name,
    description: dashboard.description,
    refresh_seconds: dashboard.refresh_seconds,
    filters: dashboard.filters,
    tiles: dashboard.tiles,
    shared: dashboard.shared,
  });
  return dashboard.id
    ? call<Dashboard>(`/api/v1/dashboards/${encodeURIComponent(dashboard.id)}`, { method: "PUT", body })
    : call<Dashboard>("/api/v1/dashboards", { method: "POST", body });
}

// The tile's chart over its saved query's: a tile may change the type and keep the columns.
export function tileChart(tile: Tile, query: SavedQuery | undefined): ChartSpec | null {
  return fromStoredChart({ ...(query?.chart ?? {}), ...definedOnly(tile.chart ?? {}) });
}

function definedOnly(chart: StoredChart): StoredChart {
  return Object.fromEntries(Object.entries(chart).filter(([, value]) => value !== undefined && value !== "")) as StoredChart;
}

// Rows of tiles, left to right in their order, wrapping at the grid's width: the editor's
// order and widths become x and y.
export function flowLayout(tiles: Tile[]): Tile[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return tiles.map((tile) => {
    const w = Math.min(Math.max(tile.w, 1), gridColumns);
    if (x + w > gridColumns) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...tile, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, tile.h);
    return placed;
  });
}

// Reading order of a stored layout.
export function byPosition(tiles: Tile[]): Tile[] {
  return [...tiles].sort((a, b) => a.y - b.y || a.x - b.x);
}

export function filterKind(filter: Filter): "value" | "range" {
  return filter.type === "range" ? "range" : "value";
}

export function filterActive(filter: Filter): boolean {
  return filterKind(filter) === "range" ? Boolean(filter.from || filter.to) : Boolean(filter.values?.length);
}
