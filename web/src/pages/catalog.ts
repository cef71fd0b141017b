// The catalog: namespaces and tables; for a table its columns, snapshot timeline, partitions,
// files, a sample of rows and who may access it.
import { ApiError, query, quoteIdent, QueryResult, records } from "../api";
import { loadCatalog, Namespace, TableInfo } from "../catalog_schema";
import { cellText, formatCount, h } from "../dom";
import { href, navigate } from "../router";
import { currentIdentity } from "../session";
import { tableView } from "../table_view";
import { openInWorkbench } from "./workbench";

type Tab = "columns" | "snapshots" | "partitions" | "files" | "sample" | "access";
const tabs: [Tab, string][] = [
  ["columns", "Columns"],
  ["snapshots", "Snapshots"],
  ["partitions", "Partitions"],
  ["files", "Files"],
  ["sample", "Sample"],
  ["access", "Access"],
];

function qualified(table: TableInfo): string {
  return `${quoteIdent(table.namespace)}.${quoteIdent(table.name)}`;
}

function metadataTable(table: TableInfo, kind: string): string {
  return `${quoteIdent(table.namespace)}.${quoteIdent(`${table.name}$${kind}`)}`;
}

function failureText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function catalogPage(root: HTMLElement, parameters: string[]): void {
  const [namespaceName, tableName, tabName] = parameters;
  const tree = h("nav", { class: "card tree", "data-testid": "catalog-tree" }, h("p", { class: "muted" }, "Loading the catalog…"));
  const detail = h("section", { class: "card detail", "data-testid": "table-detail" });
  root.append(h("div", { class: "catalog" }, tree, detail));

  loadCatalog()
    .then((namespaces) => {
      renderTree(tree, namespaces, namespaceName, tableName);
      const table = namespaces.find((n) => n.name === namespaceName)?.tables.find((t) => t.name === tableName);
      if (table) renderTable(detail, table, (tabs.find(([tab]) => tab === tabName)?.[0] ?? "columns") as Tab);
      else renderOverview(detail, namespaces, namespaceName);
    })
    .catch((error) => tree.replaceChildren(h("div", { class: "error-box" }, failureText(error))));
}

function renderTree(tree: HTMLElement, namespaces: Namespace[], openNamespace?: string, openTable?: string): void {
  const filter = h("input", { type: "search", placeholder: "Filter tables", class: "filter", "aria-label": "filter tables" });
  const list = h("div", { class: "tree-list" });
  const draw = () => {
    const needle = filter.value.trim().toLowerCase();
    list.replaceChildren(
      ...namespaces.map((namespace) => {
        const tables = namespace.tables.filter((t) => !needle || t.name.toLowerCase().includes(needle) || namespace.name.includes(needle));
        const details = h(
          "details",
          { open: needle !== "" || namespace.name === openNamespace || namespaces.length <= 4, "data-namespace": namespace.name },
          h("summary", {}, h("a", { href: href("catalog", namespace.name) }, namespace.name), h("span", { class: "count" }, tables.length)),
          tables.map((table) =>
            h(
              "a",
              {
                class: `tree-table${namespace.name === openNamespace && table.name === openTable ? " active" : ""}`,
                href: href("catalog", namespace.name, table.name),
                "data-table": `${namespace.name}.${table.name}`,
              },
              h("span", { class: `icon ${table.kind}` }, table.kind === "view" ? "◇" : "▦"),
              table.name,
            ),
          ),
        );
        return details;
      }),
    );
  };
  filter.addEventListener("input", draw);
  draw();
  tree.replaceChildren(h("div", { class: "tree-head" }, h("h2", {}, "Namespaces"), h("span", { class: "muted" }, `${namespaces.length}`)), filter, list);
}

function renderOverview(detail: HTMLElement, namespaces: Namespace[], namespaceName?: string): void {
  const shown = namespaceName ? namespaces.filter((n) => n.name === namespaceName) : namespaces;
  detail.replaceChildren(
    h("h2", {}, namespaceName ? `Namespace ${namespaceName}` : "Lakehouse catalog"),
    h("p", { class: "muted" }, "Every table is an Apache Iceberg table. Choose one to see its columns, snapshots, files and access."),
    tableView(
      [
        { name: "namespace", type: "VARCHAR" },
        { name: "table", type: "VARCHAR" },
        { name: "kind", type: "VARCHAR" },
        { name: "columns", type: "INTEGER" },
        { name: "description", type: "VARCHAR" },
      ],
      shown.flatMap((n) => n.tables.map((t) => [n.name, t.name, t.kind, t.columns.length, t.comment || null])),
    ),
  );
  detail.querySelectorAll("tbody tr").forEach((row) => {
    row.classList.add("clickable");
    row.addEventListener("click", () => {
      const [namespace, table] = [...row.children].map((cell) => cell.textContent ?? "");
      navigate("catalog", namespace, table);
    });
  });
}

function renderTable(detail: HTMLElement, table: TableInfo, initial: Tab): void {
  const body = h("div", { class: "tab-body" });
  const bar = h("div", { class: "tabs" });
  const select = (tab: Tab) => {
    bar.querySelectorAll("button").forEach((button) => button.classList.toggle("active", button.dataset.tab === tab));
    history.replaceState(null, "", href("catalog", table.namespace, table.name, tab));
    body.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    void loaders[tab](table)
      .then((content) => body.replaceChildren(content))
      .catch((error) => body.replaceChildren(h("div", { class: "error-box" }, error instanceof ApiError && error.status === 403 ? `Not allowed: ${error.message}` : failureText(error))));
  };
  for (const [tab, label] of tabs) {
    if (table.kind === "view" && ["snapshots", "partitions", "files"].includes(tab)) continue;
    bar.append(h("button", { class: "tab", "data-tab": tab, onclick: () => select(tab) }, label));
  }
  detail.replaceChildren(
    h(
      "div",
      { class: "detail-head" },
      h("div", {}, h("h2", {}, h("span", { class: "muted" }, `${table.namespace}.`), table.name, " ", h("span", { class: "pill" }, table.kind)), table.comment ? h("p", { class: "muted" }, table.comment) : null),
      h("button", { class: "primary", onclick: () => openInWorkbench(`SELECT *\nFROM ${qualified(table)}\nLIMIT 100;`) }, "Query in workbench"),
    ),
    bar,
    body,
  );
  select(table.kind === "view" && ["snapshots", "partitions", "files"].includes(initial) ? "columns" : initial);
}

const loaders: Record<Tab, (table: TableInfo) => Promise<HTMLElement>> = {
  async columns(table) {
    return h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "data-table", "data-testid": "columns-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "column"), h("th", {}, "type"), h("th", {}, "nullable"), h("th", {}, "description"))),
        h(
          "tbody",
          {},
          table.columns.map((column, i) =>
            h("tr", {}, h("td", { class: "rownum" }, i + 1), h("td", { class: "column-name" }, column.name), h("td", {}, h("code", {}, column.type)), h("td", {}, column.nullable ? "yes" : "no"), h("td", { class: column.comment ? "" : "muted" }, column.comment || "—")),
          ),
        ),
      ),
    );
  },

  async snapshots(table) {
    const result = await query(`SELECT committed_at, snapshot_id, parent_id, operation, summary FROM ${metadataTable(table, "snapshots")} ORDER BY committed_at DESC`);
    if (result.rows.length === 0) return h("p", { class: "muted" }, "No snapshot yet: the table has never been written.");
    return h(
      "ol",
      { class: "timeline", "data-testid": "snapshots" },
      records(result).map((snapshot, i) => {
        const summary = (snapshot.summary ?? {}) as Record<string, string>;
        const facts = [
          ["added", summary["added-records"]],
          ["deleted", summary["deleted-records"]],
          ["total rows", summary["total-records"]],
          ["files", summary["total-data-files"]],
        ].filter(([, value]) => value !== undefined);
        return h(
          "li",
          { class: i === 0 ? "current" : "" },
          h("div", { class: "timeline-dot" }),
          h(
            "div",
            { class: "timeline-body" },
            h("div", {}, h("span", { class: `pill op-${snapshot.operation}` }, String(snapshot.operation)), i === 0 ? h("span", { class: "pill current" }, "current") : null, h("span", { class: "muted" }, cellText(snapshot.committed_at))),
            h("div", { class: "facts" }, facts.map(([name, value]) => h("span", {}, h("small", {}, name), formatCount(Number(value))))),
            h("code", { class: "muted" }, `snapshot ${cellText(snapshot.snapshot_id)}`),
          ),
        );
      }),
    );
  },

  async partitions(table) {
    const result = await query(`SELECT * FROM ${metadataTable(table, "partitions")}`);
    return tableOf(result, "partitions");
  },

  async files(table) {
    const result = await query(`SELECT content, file_path, file_format, record_count, file_size_in_bytes FROM ${metadataTable(table, "files")} ORDER BY file_path`);
    return tableOf(result, "files");
  },

  async sample(table) {
    const result = await query(`SELECT * FROM ${qualified(table)} LIMIT 50`);
    return tableOf(result, "sample");
  },

  async access(table) {
    const admin = currentIdentity()?.superuser ?? false;
    const grants = records(await query("SHOW GRANTS"));
    const name = `${table.namespace}.${table.name}`;
    const covering = grants.filter(
      (grant) =>
        grant.privilege !== "MEMBER" &&
        (grant.object_type === "catalog" || (grant.object_type === "schema" && grant.object_name === table.namespace) || (grant.object_type === "table" && grant.object_name === name)),
    );
    const members = new Map<string, string[]>();
    for (const grant of grants.filter((g) => g.privilege === "MEMBER")) {
      const role = String(grant.object_name);
      members.set(role, [...(members.get(role) ?? []), String(grant.grantee)]);
    }
    const restrictions = await Promise.all(
      [`SHOW POLICIES ON ${qualified(table)}`, `SHOW MASKS ON ${qualified(table)}`].map((sql) => query(sql).catch(() => null)),
    );
    return h(
      "div",
      { class: "access" },
      h("p", { class: "muted" }, admin ? "Grants that cover this table (on it, its namespace or the whole catalog). Superusers (akko-admin) may do everything." : "Only an admin sees every grant: these are the ones you hold."),
      tableView(
        [
          { name: "grantee", type: "VARCHAR" },
          { name: "privilege", type: "VARCHAR" },
          { name: "through", type: "VARCHAR" },
          { name: "members", type: "VARCHAR" },
        ],
        [
          ...(admin ? [["akko-admin", "ALL", "superuser", (members.get("akko-admin") ?? []).join(", ")]] : []),
          ...covering.map((grant) => [grant.grantee, grant.privilege, through(grant), (members.get(String(grant.grantee)) ?? []).join(", ")]),
        ].map((row) => row.map((value) => value || "—")),
        "grants",
      ),
      restrictions[0] ? h("div", {}, h("h3", {}, "Row filters"), tableOf(restrictions[0], "policies")) : null,
      restrictions[1] ? h("div", {}, h("h3", {}, "Column masks"), tableOf(restrictions[1], "masks")) : null,
    );
  },
};

function through(grant: Record<string, unknown>): string {
  if (grant.object_type === "catalog") return "the whole catalog";
  if (grant.object_type === "schema") return `namespace ${grant.object_name}`;
  return "this table";
}

function tableOf(result: QueryResult, testId: string): HTMLElement {
  return tableView(result.columns, result.rows, testId);
}
