// The audit log (akko_system.audit_log, admins only) searched by user, protocol, outcome,
// text and time, newest first, a page at a time. Every filter travels as a bound parameter.
import { query, records } from "../api";
import { cellText, formatCount, h } from "../dom";
import { errorText } from "./format";

const pageSize = 50;
const protocols = ["pgwire", "http", "iceberg_rest", "s3"];

function field(label: string, control: HTMLElement): HTMLElement {
  return h("label", {}, label, control);
}

// A datetime-local value is local time; the server compares instants.
function instant(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function auditLogPanel(): HTMLElement {
  const user = h("input", { type: "text", placeholder: "any user", list: "ops-audit-users", "data-testid": "audit-user" });
  const users = h("datalist", { id: "ops-audit-users" });
  const protocol = h("select", { "data-testid": "audit-protocol" }, h("option", { value: "" }, "any protocol"), protocols.map((p) => h("option", { value: p }, p)));
  const outcome = h("select", { "data-testid": "audit-outcome" }, h("option", { value: "" }, "any outcome"), h("option", { value: "ok" }, "ok"), h("option", { value: "!ok" }, "failed (any error)"));
  const text = h("input", { type: "search", placeholder: "text in the statement or call", class: "ops-grow", "data-testid": "audit-text" });
  const from = h("input", { type: "datetime-local", step: 1, "data-testid": "audit-from" });
  const to = h("input", { type: "datetime-local", step: 1, "data-testid": "audit-to" });
  const status = h("span", { class: "muted", "data-testid": "audit-status" });
  const body = h("div", { class: "ops-audit-body" });
  const previous: HTMLButtonElement = h("button", { class: "small", onclick: () => void load(page - 1) }, "‹ Newer");
  const next: HTMLButtonElement = h("button", { class: "small", onclick: () => void load(page + 1) }, "Older ›");
  let page = 0;

  const where = (): { clause: string; parameters: unknown[] } => {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const add = (condition: (n: string) => string, value: unknown) => {
      parameters.push(value);
      conditions.push(condition(`$${parameters.length}`));
    };
    if (user.value.trim()) add((n) => `"user" = ${n}`, user.value.trim());
    if (protocol.value) add((n) => `protocol = ${n}`, protocol.value);
    if (outcome.value === "!ok") conditions.push("outcome <> 'ok'");
    else if (outcome.value) add((n) => `outcome = ${n}`, outcome.value);
    if (text.value.trim()) add((n) => `contains(lower(operation), lower(${n}))`, text.value.trim());
    const since = instant(from.value);
    if (since) add((n) => `time >= ${n}::TIMESTAMPTZ`, since);
    const until = instant(to.value);
    if (until) add((n) => `time <= ${n}::TIMESTAMPTZ`, until);
    return { clause: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", parameters };
  };

  async function load(wanted: number): Promise<void> {
    const { clause, parameters } = where();
    status.textContent = "Searching…";
    try {
      // One row beyond the page says whether an older page exists.
      const [rows, count] = await Promise.all([
        query(
          `SELECT time, "user", protocol, client, operation, outcome, error, roles, tables_read, tables_written, restrictions, rows, duration_ms
           FROM akko_system.audit_log ${clause} ORDER BY time DESC LIMIT ${pageSize + 1} OFFSET ${wanted * pageSize}`,
          parameters,
        ),
        query(`SELECT count(*) AS n FROM akko_system.audit_log ${clause}`, parameters),
      ]);
      page = wanted;
      const total = Number(count.rows[0][0]);
      const found = records(rows);
      const shown = found.slice(0, pageSize);
      previous.disabled = page === 0;
      next.disabled = found.length <= pageSize;
      status.textContent = total === 0 ? "No record matches." : `${formatCount(total)} record${total === 1 ? "" : "s"} · ${formatCount(page * pageSize + 1)}–${formatCount(page * pageSize + shown.length)}, newest first`;
      body.replaceChildren(shown.length ? table(shown) : h("p", { class: "muted ops-pad" }, "Nothing to show."));
    } catch (error) {
      status.textContent = "";
      body.replaceChildren(h("div", { class: "error-box" }, errorText(error)));
    }
  }

  function table(rows: Record<string, unknown>[]): HTMLElement {
    return h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "data-table ops-audit-table", "data-testid": "audit-records" },
        h("thead", {}, h("tr", {}, ["time", "user", "protocol", "statement or call", "outcome", "rows", "ms"].map((name) => h("th", { class: ["rows", "ms"].includes(name) ? "num" : "" }, name)))),
        h(
          "tbody",
          {},
          rows.flatMap((row) => {
            const detail = h("tr", { class: "ops-log-detail hidden" }, h("td", { colspan: 7 }, h("pre", {}, JSON.stringify(row, null, 2))));
            const line = h(
              "tr",
              {
                class: "ops-log-line",
                "data-testid": "audit-record",
                onclick: () => line.classList.toggle("open", !detail.classList.toggle("hidden")),
              },
              h("td", { class: "ops-log-time" }, h("span", { class: "ops-caret" }, "▸"), cellText(row.time)),
              h("td", {}, cellText(row.user)),
              h("td", {}, h("span", { class: "pill" }, cellText(row.protocol))),
              h("td", { class: "ops-operation", title: String(row.operation ?? "") }, h("code", {}, String(row.operation ?? ""))),
              h("td", {}, h("span", { class: `pill ${row.outcome === "ok" ? "ops-ok" : "ops-bad"}`, title: String(row.error ?? "") }, cellText(row.outcome))),
              h("td", { class: "num" }, row.rows === null ? "—" : cellText(row.rows)),
              h("td", { class: "num" }, typeof row.duration_ms === "number" ? row.duration_ms.toFixed(1) : cellText(row.duration_ms)),
            );
            return [line, detail];
          }),
        ),
      ),
    );
  }

  const form = h(
    "form",
    { class: "ops-filters", "data-testid": "audit-search" },
    field("User", user),
    users,
    field("Protocol", protocol),
    field("Outcome", outcome),
    h("label", { class: "ops-grow" }, "Text", text),
    field("From", from),
    field("To", to),
    h("button", { class: "primary", type: "submit", "data-testid": "audit-run" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load(0);
  });
  protocol.addEventListener("change", () => void load(0));
  outcome.addEventListener("change", () => void load(0));
  query(`SELECT DISTINCT "user" FROM akko_system.audit_log WHERE "user" <> '' ORDER BY 1`)
    .then((result) => users.replaceChildren(...result.rows.map(([name]) => h("option", { value: String(name) }))))
    .catch(() => undefined);
  void load(0);
  return h("div", { class: "ops-audit" }, form, h("div", { class: "ops-pager" }, status, h("span", { class: "spacer" }), previous, next), body);
}
