// A plain, readable table of a whole (small) result.
import { Column } from "./api";
import { cellText, h } from "./dom";

export function tableView(columns: Column[], rows: unknown[][], testId?: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, "No rows.");
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "data-table", "data-testid": testId },
      h("thead", {}, h("tr", {}, columns.map((column) => h("th", { title: column.type }, column.name)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((value) => h("td", { class: value === null ? "null" : typeof value === "number" ? "num" : "" }, cellText(value)))))),
    ),
  );
}
