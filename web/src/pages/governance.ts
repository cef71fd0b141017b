// Governance: users and roles, grants, row filters and column masks, and the audit log.
// Admins change them through forms that show the SQL before it runs; everyone else sees
// their own grants, read-only.
import "../ops/ops.css";
import { ApiError, query, records } from "../api";
import { loadCatalog, TableInfo } from "../catalog_schema";
import { append, fill, h } from "../dom";
import { href } from "../router";
import { currentIdentity } from "../session";
import * as access from "../ops/access_sql";
import { FormContext, maskForm, membershipForm, newRoleForm, newUserForm, policyForm, privilegeForm } from "../ops/access_forms";
import { GrantRow, loadGrants, loadUsers, principals } from "../ops/access_model";
import { auditLogPanel } from "../ops/audit_log";
import { errorText } from "../ops/format";
import { lockIcon } from "../ops/lock_icon";
import { confirmAndRun } from "../ops/sql_confirm";

type Tab = "principals" | "grants" | "policies" | "masks" | "audit";
const tabs: [Tab, string][] = [
  ["principals", "Users & roles"],
  ["grants", "Grants"],
  ["policies", "Row filters"],
  ["masks", "Column masks"],
  ["audit", "Audit log"],
];

interface Model {
  grants: GrantRow[];
  users: string[]; // every user, for admins (SHOW USERS); empty for others
  policies: Record<string, unknown>[];
  masks: Record<string, unknown>[];
  tables: TableInfo[];
  namespaces: string[];
}

function pills(values: string[], empty = "—"): HTMLElement | string {
  return values.length ? h("span", {}, values.map((value) => h("span", { class: "pill" }, value))) : empty;
}

function adminsOnly(what: string): HTMLElement {
  return h("div", { class: "ops-empty ops-empty-inline", "data-testid": "admins-only" }, h("div", { class: "ops-empty-icon" }, lockIcon()), h("h3", {}, "Admins only"), h("p", { class: "muted" }, what));
}

function dropButton(label: string, statement: access.Statement, title: string, changed: (statement: access.Statement) => void): HTMLButtonElement {
  return h("button", { class: "small danger", "data-testid": "admin-action", onclick: async () => (await confirmAndRun(statement, title)) && changed(statement) }, label);
}

export function governancePage(root: HTMLElement, parameters: string[]): void {
  const admin = currentIdentity()?.superuser ?? false;
  const initial = (tabs.find(([tab]) => tab === parameters[0])?.[0] ?? "principals") as Tab;
  const bar = h("div", { class: "tabs" });
  const body = h("div", { class: "ops-gov-body" });
  const notice = h("div", { class: "ops-notice hidden", "data-testid": "gov-notice" });
  let current = initial;

  append(root, [
    admin
      ? null
      : h(
          "div",
          { class: "ops-readonly", "data-testid": "read-only" },
          h("strong", {}, "Read-only."),
          ` Only members of akko-admin manage access. You see the grants you hold as ${currentIdentity()?.user ?? ""}, directly or through your roles.`,
        ),
    h("section", { class: "card ops-gov" }, bar, notice, body),
  ]);
  for (const [tab, label] of tabs) {
    bar.append(h("button", { class: `tab${tab === initial ? " active" : ""}`, "data-tab": tab, onclick: () => select(tab) }, label));
  }

  let model: Model | null = null;
  async function load(): Promise<Model> {
    const optional = (sql: string) => (admin ? query(sql).then(records) : Promise.resolve([]));
    const [grants, policies, masks, catalog, users] = await Promise.all([loadGrants(), optional("SHOW POLICIES"), optional("SHOW MASKS"), admin ? loadCatalog() : Promise.resolve([]), admin ? loadUsers() : Promise.resolve([])]);
    return { grants, policies, masks, users, tables: catalog.flatMap((n) => n.tables), namespaces: catalog.map((n) => n.name) };
  }

  function select(tab: Tab): void {
    current = tab;
    notice.classList.add("hidden");
    bar.querySelectorAll<HTMLButtonElement>("button").forEach((button) => button.classList.toggle("active", button.dataset.tab === tab));
    history.replaceState(null, "", href("governance", tab));
    void draw();
  }

  // A principal with no grant and no membership is in no list SQL gives, so say where a new
  // one will show up.
  const changed = (statement: access.Statement) => {
    const created = /^CREATE ROLE /.exec(statement.sql) && !/ IN ROLE /.test(statement.sql);
    fill(
      notice,
      h("strong", {}, "Done: "),
      h("code", {}, statement.shown),
      created ? h("span", { class: "muted" }, " — it is listed once it holds a grant or a membership.") : null,
      h("button", { class: "small ghost", onclick: () => notice.classList.add("hidden") }, "×"),
    );
    notice.classList.remove("hidden");
    model = null;
    void draw();
  };

  async function draw(): Promise<void> {
    const tab = current;
    if (tab === "audit") {
      body.replaceChildren(admin ? auditLogPanel() : adminsOnly("The audit log records every statement and call of every user; only admins may read it."));
      return;
    }
    if (!model) {
      body.replaceChildren(h("p", { class: "muted ops-pad" }, "Loading…"));
      try {
        model = await load();
      } catch (error) {
        body.replaceChildren(h("div", { class: "error-box" }, error instanceof ApiError ? error.message : errorText(error)));
        return;
      }
    }
    if (tab !== current) return;
    const everyone = principals(model.grants, admin, model.users);
    const context: FormContext = {
      roles: everyone.filter((p) => p.kind === "role").map((p) => p.name),
      principals: everyone.map((p) => p.name),
      tables: model.tables,
      namespaces: model.namespaces,
      changed,
    };
    body.replaceChildren(views[tab](model, context));
  }

  const views: Record<Exclude<Tab, "audit">, (model: Model, context: FormContext) => HTMLElement> = {
    principals(model, context) {
      const list = principals(model.grants, admin, model.users);
      const table = h(
        "table",
        { class: "data-table ops-wrap", "data-testid": "principals" },
        h("thead", {}, h("tr", {}, h("th", {}, "name"), h("th", { title: "inferred from the grants" }, "kind"), h("th", {}, "member of"), h("th", {}, "members"), h("th", { class: "num" }, "privileges"), admin ? h("th", {}) : null)),
        h(
          "tbody",
          {},
          list.map((p) =>
            h(
              "tr",
              { "data-principal": p.name },
              h("td", {}, h("strong", {}, p.name)),
              h("td", {}, h("span", { class: `pill ops-kind-${p.kind}` }, p.kind)),
              h("td", {}, pills(p.memberOf)),
              h("td", {}, pills(p.members)),
              h("td", { class: "num" }, p.privileges),
              admin ? h("td", { class: "ops-row-actions" }, p.name === "akko-admin" || p.name === currentIdentity()?.user ? null : dropButton("Drop", access.dropPrincipal(p.kind, p.name), `Drop a ${p.kind}`, changed)) : null,
            ),
          ),
        ),
      );
      const note = h("p", { class: "muted ops-note" }, admin ? "Users and roles named by a grant or a membership, and the built-in roles. A role is what privileges are given to; a user logs in and is a member of roles." : "Your roles, directly or through other roles.");
      return layout(h("div", {}, note, h("div", { class: "table-scroll" }, table)), admin ? [newUserForm(context), newRoleForm(context), membershipForm(context)] : []);
    },

    grants(model, context) {
      const filter = h("input", { type: "search", placeholder: "Filter by grantee, privilege or object", class: "ops-grow", "data-testid": "grant-filter" });
      const tbody = h("tbody", {});
      const drawRows = () => {
        const needle = filter.value.trim().toLowerCase();
        const rows = model.grants.filter((g) => !needle || Object.values(g).some((v) => v.toLowerCase().includes(needle)));
        tbody.replaceChildren(
          ...rows.map((g) =>
            h(
              "tr",
              { "data-grant": `${g.grantee}|${g.privilege}|${g.object_type}|${g.object_name}` },
              h("td", {}, h("strong", {}, g.grantee)),
              h("td", {}, h("span", { class: `pill ${g.privilege === "MEMBER" ? "ops-kind-role" : "ops-priv"}` }, g.privilege)),
              h("td", {}, g.object_type === "catalog" ? "the whole catalog" : g.object_type === "schema" ? "namespace" : g.object_type),
              h("td", {}, h("code", {}, g.object_name)),
              admin ? h("td", { class: "ops-row-actions" }, dropButton("Revoke", access.revokeGrantRow(g), "Revoke", changed)) : null,
            ),
          ),
        );
      };
      filter.addEventListener("input", drawRows);
      drawRows();
      const table = h(
        "table",
        { class: "data-table", "data-testid": "grants" },
        h("thead", {}, h("tr", {}, h("th", {}, "grantee"), h("th", {}, "privilege"), h("th", {}, "on"), h("th", {}, "object"), admin ? h("th", {}) : null)),
        tbody,
      );
      const note = admin ? "Every grant (SHOW GRANTS). Admins (akko-admin) may do everything without one." : "What you hold (SHOW GRANTS): your own grants and those of your roles.";
      return layout(h("div", {}, h("div", { class: "ops-toolbar" }, filter, h("span", { class: "muted" }, note)), h("div", { class: "table-scroll" }, table)), admin ? [privilegeForm(context), membershipForm(context)] : []);
    },

    policies(model, context) {
      if (!admin) return adminsOnly("Row filters (SHOW POLICIES) are listed to admins only; the ones that apply to you shape what your queries return.");
      return layout(
        restrictionTable(model.policies, ["name", "table_name", "roles", "using"], "policies", (row) => access.dropPolicy(String(row.name), String(row.table_name)), "Drop a row filter"),
        [policyForm(context)],
      );
    },

    masks(model, context) {
      if (!admin) return adminsOnly("Column masks (SHOW MASKS) are listed to admins only; the ones that apply to you show in your query results.");
      return layout(
        restrictionTable(model.masks, ["name", "table_name", "column_name", "roles", "using"], "masks", (row) => access.dropMask(String(row.name), String(row.table_name)), "Drop a column mask"),
        [maskForm(context)],
      );
    },
  };

  function restrictionTable(rows: Record<string, unknown>[], columns: string[], testId: string, drop: (row: Record<string, unknown>) => access.Statement, title: string): HTMLElement {
    if (rows.length === 0) return h("p", { class: "muted" }, "None yet.");
    const labels: Record<string, string> = { table_name: "table", column_name: "column", using: "USING" };
    return h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "data-table ops-wrap", "data-testid": testId },
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, labels[c] ?? c)), h("th", {}))),
        h(
          "tbody",
          {},
          rows.map((row) =>
            h(
              "tr",
              { "data-name": String(row.name) },
              columns.map((c) => h("td", {}, c === "using" ? h("code", {}, String(row[c])) : c === "roles" ? pills(access.splitRoles(String(row[c] ?? "")), "public") : c === "name" ? h("strong", {}, String(row[c])) : String(row[c] ?? ""))),
              h("td", { class: "ops-row-actions" }, dropButton("Drop", drop(row), title, changed)),
            ),
          ),
        ),
      ),
    );
  }

  void draw();
}

function layout(main: HTMLElement, forms: HTMLElement[]): HTMLElement {
  if (forms.length === 0) return h("div", { class: "ops-gov-main" }, main);
  return h("div", { class: "ops-gov-split" }, h("div", { class: "ops-gov-main" }, main), h("aside", { class: "ops-gov-forms" }, forms));
}

