// The result of a run: a status line (elapsed time and rows while it streams, then the
// outcome), and the rows in pages.
import { Column } from "../api";
import { cellText, fill, formatCount, formatMs, h } from "../dom";

const pageSize = 100;
// Rows kept for the grid and the chart; the count goes on past it, CSV export has them all.
export const keptRows = 100_000;

export type RunState = "idle" | "running" | "done" | "canceled" | "failed";

export class ResultGrid {
  readonly element: HTMLElement;
  columns: Column[] = [];
  rows: unknown[][] = [];
  rowCount = 0;
  private page = 0;
  private state: RunState = "idle";
  private started = 0;
  private finalMs = 0;
  private message = "";
  private command = "";
  private timer: number | undefined;
  private readonly status = h("div", { class: "run-status", "data-testid": "run-status" });
  private readonly body = h("div", { class: "grid-body" });
  private readonly pager = h("div", { class: "pager" });

  constructor() {
    this.element = h("div", { class: "result-grid", "data-testid": "result-grid" }, this.status, this.body, this.pager);
    this.render();
  }

  begin(): void {
    this.columns = [];
    this.rows = [];
    this.rowCount = 0;
    this.page = 0;
    this.message = "";
    this.command = "";
    this.state = "running";
    this.started = performance.now();
    window.clearInterval(this.timer);
    // The clock ticks on its own: a statement that computes long before its first row
    // still shows that it is alive.
    this.timer = window.setInterval(() => this.renderStatus(), 100);
    this.render();
  }

  setColumns(columns: Column[]): void {
    this.columns = columns;
    this.render();
  }

  addRows(rows: unknown[][]): void {
    this.rowCount += rows.length;
    const room = keptRows - this.rows.length;
    if (room > 0) this.rows.push(...rows.slice(0, room));
    this.renderStatus();
    if (this.rows.length - rows.length < (this.page + 1) * pageSize) this.renderRows();
  }

  finish(state: Exclude<RunState, "idle" | "running">, detail: { message?: string; command?: string; elapsedMs?: number } = {}): void {
    window.clearInterval(this.timer);
    this.state = state;
    this.finalMs = performance.now() - this.started;
    this.message = detail.message ?? "";
    this.command = detail.command ?? "";
    this.render();
  }

  // Shows text in place of rows (EXPLAIN's plan).
  showText(text: string): void {
    this.body.replaceChildren(h("pre", { class: "plan" }, text));
    this.pager.replaceChildren();
  }

  get running(): boolean {
    return this.state === "running";
  }

  private render(): void {
    this.renderStatus();
    this.renderRows();
  }

  private renderStatus(): void {
    const elapsed = formatMs(this.state === "running" ? performance.now() - this.started : this.finalMs);
    const rows = `${formatCount(this.rowCount)} row${this.rowCount === 1 ? "" : "s"}`;
    this.status.className = `run-status state-${this.state}`;
    this.status.dataset.state = this.state;
    switch (this.state) {
      case "idle":
        this.status.replaceChildren(h("span", { class: "muted" }, "Run a statement with Ctrl+Enter."));
        break;
      case "running":
        this.status.replaceChildren(h("span", { class: "spinner" }), h("strong", {}, "Running"), h("span", {}, elapsed), h("span", {}, rows));
        break;
      case "done":
        fill(
          this.status,
          h("strong", {}, this.columns.length ? rows : this.command || "Done"),
          h("span", {}, elapsed),
          this.rows.length < this.rowCount ? h("span", { class: "muted" }, `first ${formatCount(this.rows.length)} kept; CSV export has them all`) : null,
        );
        break;
      case "canceled":
        this.status.replaceChildren(h("strong", {}, "Canceled"), h("span", {}, `after ${elapsed}`), h("span", {}, rows));
        break;
      case "failed":
        this.status.replaceChildren(h("strong", {}, "Failed"), h("span", {}, elapsed));
        break;
    }
  }

  private renderRows(): void {
    if (this.state === "failed") {
      this.body.replaceChildren(h("div", { class: "error-box", role: "alert" }, this.message));
      this.pager.replaceChildren();
      return;
    }
    if (this.columns.length === 0) {
      this.body.replaceChildren();
      this.pager.replaceChildren();
      return;
    }
    const first = this.page * pageSize;
    const slice = this.rows.slice(first, first + pageSize);
    const table = h(
      "table",
      { class: "data-table" },
      h("thead", {}, h("tr", {}, h("th", { class: "rownum" }, "#"), this.columns.map((column) => h("th", { title: column.type }, h("span", {}, column.name), h("small", {}, column.type))))),
      h(
        "tbody",
        {},
        slice.map((row, i) =>
          h(
            "tr",
            {},
            h("td", { class: "rownum" }, first + i + 1),
            row.map((value, c) => h("td", { class: cellClass(value, this.columns[c].type) }, cellText(value))),
          ),
        ),
      ),
    );
    this.body.replaceChildren(h("div", { class: "table-scroll" }, table));
    this.renderPager();
  }

  private renderPager(): void {
    const pages = Math.max(1, Math.ceil(this.rows.length / pageSize));
    if (pages <= 1) {
      this.pager.replaceChildren();
      return;
    }
    const go = (page: number) => {
      this.page = Math.min(Math.max(0, page), pages - 1);
      this.renderRows();
    };
    this.pager.replaceChildren(
      h("button", { class: "ghost small", disabled: this.page === 0, onclick: () => go(0) }, "«"),
      h("button", { class: "ghost small", disabled: this.page === 0, onclick: () => go(this.page - 1) }, "‹ Previous"),
      h("span", {}, `Page ${this.page + 1} of ${formatCount(pages)}`),
      h("button", { class: "ghost small", disabled: this.page >= pages - 1, onclick: () => go(this.page + 1) }, "Next ›"),
      h("button", { class: "ghost small", disabled: this.page >= pages - 1, onclick: () => go(pages - 1) }, "»"),
    );
  }

  dispose(): void {
    window.clearInterval(this.timer);
  }
}

function cellClass(value: unknown, type: string): string {
  if (value === null) return "null";
  if (typeof value === "number" || /INT|DECIMAL|DOUBLE|FLOAT|REAL|NUMERIC/.test(type)) return "num";
  return "";
}
