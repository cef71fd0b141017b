// The admins' forms on the Governance page. Each builds its statement from the fields
// (access_sql.ts) and hands it to confirmAndRun, which shows it before it runs.
import { TableInfo } from "../catalog_schema";
import { h } from "../dom";
import * as access from "./access_sql";
import { confirmAndRun } from "./sql_confirm";

export interface FormContext {
  roles: string[];
  principals: string[];
  tables: TableInfo[];
  namespaces: string[];
  changed: (statement: access.Statement) => void; // after it ran
}

function formCard(title: string, testId: string, hint: string, ...fields: HTMLElement[]): HTMLFormElement {
  return h("form", { class: "card ops-form", "data-testid": testId }, h("h3", {}, title), hint ? h("p", { class: "muted" }, hint) : null, ...fields);
}

function text(name: string, placeholder = "", list?: string): HTMLInputElement {
  return h("input", { type: "text", name, placeholder, list, required: true, autocomplete: "off", spellcheck: false });
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h("label", {}, label, control);
}

function datalist(id: string, values: string[]): HTMLDataListElement {
  return h("datalist", { id }, values.map((value) => h("option", { value })));
}

function tableSelect(tables: TableInfo[]): HTMLSelectElement {
  return h(
    "select",
    { name: "table", required: true },
    h("option", { value: "" }, "choose a table"),
    tables.filter((t) => t.kind === "table").map((t) => h("option", { value: `${t.namespace}.${t.name}` }, `${t.namespace}.${t.name}`)),
  );
}

function submitted(form: HTMLFormElement, handler: (submitter: HTMLElement | null) => access.Statement | null, title: string, context: FormContext): HTMLFormElement {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const statement = handler((event as SubmitEvent).submitter);
    if (!statement) return;
    if (await confirmAndRun(statement, title)) {
      form.reset();
      context.changed(statement);
    }
  });
  return form;
}

function review(label = "Review SQL…", value = ""): HTMLButtonElement {
  return h("button", { class: "primary", type: "submit", value, "data-testid": "admin-action" }, label);
}

export function newUserForm(context: FormContext): HTMLFormElement {
  const name = text("name", "e.g. frank");
  const password = h("input", { type: "password", name: "password", required: true, autocomplete: "new-password" });
  const roles = h("div", { class: "ops-checks" }, context.roles.map((role) => h("label", { class: "check" }, h("input", { type: "checkbox", value: role }), role)));
  const form = formCard("New user", "new-user", "", field("Name", name), field("Password", password), h("div", { class: "ops-field" }, h("span", {}, "Roles"), roles), review());
  return submitted(
    form,
    () => access.createUser(name.value.trim(), password.value, [...roles.querySelectorAll<HTMLInputElement>("input:checked")].map((box) => box.value)),
    "Create a user",
    context,
  );
}

export function newRoleForm(context: FormContext): HTMLFormElement {
  const name = text("name", "e.g. auditors");
  return submitted(formCard("New role", "new-role", "", field("Name", name), review()), () => access.createRole(name.value.trim()), "Create a role", context);
}

export function membershipForm(context: FormContext): HTMLFormElement {
  const role = h("select", { name: "role", required: true }, h("option", { value: "" }, "choose a role"), context.roles.map((r) => h("option", { value: r }, r)));
  const member = text("member", "user or role", "ops-principals");
  const form = formCard(
    "Role membership",
    "membership",
    "",
    field("Role", role),
    field("Member", member),
    datalist("ops-principals", context.principals),
    h("div", { class: "ops-actions" }, review("Grant…", "grant"), h("button", { type: "submit", value: "revoke", class: "danger", "data-testid": "admin-action" }, "Revoke…")),
  );
  return submitted(form, (button) => access.membership((button as HTMLButtonElement | null)?.value !== "revoke", role.value, member.value.trim()), "Change a membership", context);
}

export function privilegeForm(context: FormContext): HTMLFormElement {
  const action = h("select", { name: "action", "data-testid": "grant-action" }, h("option", { value: "grant" }, "GRANT"), h("option", { value: "revoke" }, "REVOKE"));
  const kind = h(
    "select",
    { name: "kind", "data-testid": "grant-kind" },
    h("option", { value: "table" }, "a table"),
    h("option", { value: "schema" }, "a namespace (its tables now and later)"),
    h("option", { value: "all_tables" }, "all tables now in a namespace"),
    h("option", { value: "database" }, "the whole catalog"),
  );
  const object = h("select", { name: "object", "data-testid": "grant-object" });
  const checks = h("div", { class: "ops-checks ops-checks-row", "data-testid": "grant-privileges" });
  const grantee = text("grantee", "user or role", "ops-grantees");
  const drawObjects = () => {
    const tableKind = kind.value === "table";
    const options = kind.value === "database" ? [["", "akko (every namespace)"]] : tableKind ? context.tables.map((t) => [`${t.namespace}.${t.name}`, `${t.namespace}.${t.name}`]) : context.namespaces.map((n) => [n, n]);
    object.replaceChildren(...options.map(([value, label]) => h("option", { value }, label)));
    object.disabled = kind.value === "database";
    const offered = tableKind || kind.value === "all_tables" ? access.tablePrivileges : access.schemaPrivileges;
    checks.replaceChildren(...offered.map((p) => h("label", { class: "check" }, h("input", { type: "checkbox", value: p, checked: p === "SELECT" }), p)));
  };
  kind.addEventListener("change", drawObjects);
  drawObjects();
  const form = formCard(
    "Grant or revoke privileges",
    "privileges",
    "",
    h("div", { class: "ops-form-row" }, field("Action", action), field("On", kind)),
    field("Object", object),
    h("div", { class: "ops-field" }, h("span", {}, "Privileges"), checks),
    field("To / from", grantee),
    datalist("ops-grantees", context.principals),
    review(),
  );
  return submitted(
    form,
    () => {
      const chosen = [...checks.querySelectorAll<HTMLInputElement>("input:checked")].map((box) => box.value);
      if (chosen.length === 0) return null;
      return access.privileges(action.value === "grant", chosen, kind.value as access.ObjectKind, object.value, grantee.value.trim());
    },
    "Change privileges",
    context,
  );
}

export function policyForm(context: FormContext): HTMLFormElement {
  const name = text("name", "e.g. active_only");
  const table = tableSelect(context.tables);
  const roles = h("input", { type: "text", name: "roles", placeholder: "roles, comma separated (none: public)", list: "ops-policy-roles", autocomplete: "off" });
  const predicate = h("textarea", { name: "using", rows: 3, required: true, placeholder: "status = 'active' AND region = current_user_attribute('region')", spellcheck: false });
  const form = formCard(
    "New row filter",
    "new-policy",
    "Principals it names read only the rows the predicate admits; several filters for one principal are OR'ed.",
    field("Name", name),
    field("Table", table),
    field("Applies to", roles),
    datalist("ops-policy-roles", context.principals),
    field("USING (predicate)", predicate),
    review(),
  );
  return submitted(form, () => access.createPolicy(name.value.trim(), table.value, access.splitRoles(roles.value), predicate.value), "Create a row filter", context);
}

export function maskForm(context: FormContext): HTMLFormElement {
  const name = text("name", "e.g. email_mask");
  const table = tableSelect(context.tables);
  const column = h("select", { name: "column", required: true });
  const roles = h("input", { type: "text", name: "roles", placeholder: "roles, comma separated (none: public)", list: "ops-mask-roles", autocomplete: "off" });
  const expression = h("textarea", { name: "using", rows: 2, required: true, spellcheck: false });
  const quick = h("div", { class: "ops-quick" });
  const drawColumns = () => {
    const chosen = context.tables.find((t) => `${t.namespace}.${t.name}` === table.value);
    column.replaceChildren(...(chosen?.columns ?? []).map((c) => h("option", { value: c.name }, `${c.name}  (${c.type})`)));
    drawQuick();
  };
  const drawQuick = () =>
    quick.replaceChildren(
      ...["mask_full", "mask_email", "mask_phone", "mask_hash"].map((fn) =>
        h("button", { type: "button", class: "small ghost", onclick: () => (expression.value = `${fn}(${column.value ? `"${column.value.replaceAll('"', '""')}"` : "column"})`) }, fn),
      ),
    );
  table.addEventListener("change", drawColumns);
  column.addEventListener("change", drawQuick);
  drawColumns();
  const form = formCard(
    "New column mask",
    "new-mask",
    "Principals it names see the expression instead of the column's value.",
    field("Name", name),
    field("Table", table),
    field("Column", column),
    field("Applies to", roles),
    datalist("ops-mask-roles", context.principals),
    field("USING (expression)", expression),
    quick,
    review(),
  );
  return submitted(form, () => access.createMask(name.value.trim(), table.value, column.value, access.splitRoles(roles.value), expression.value), "Create a column mask", context);
}
