// The access-control statements the Governance forms issue (docs/access-control.md), every
// name quoted as an identifier and every text as a literal, so any name a user can type is
// taken literally and nothing typed can end the statement early. A row filter's predicate
// and a mask's expression are SQL by nature: they go in as written, and the server binds
// them against the table before it accepts them.
import { quoteIdent, quoteLiteral } from "../api";

export interface Statement {
  sql: string; // what runs
  shown: string; // what the confirmation shows: the same with any password hidden
}

export const tablePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"];
export const schemaPrivileges = [...tablePrivileges, "CREATE", "USAGE"];
export type ObjectKind = "table" | "schema" | "all_tables" | "database";

function plain(sql: string): Statement {
  return { sql, shown: sql };
}

// "ns.t" (as SHOW GRANTS and SHOW POLICIES write it) or [ns, t] to "ns"."t".
export function qualifiedName(name: string | string[]): string {
  const parts = Array.isArray(name) ? name : splitQualified(name);
  return parts.map(quoteIdent).join(".");
}

// The table is the last part; AKKO's namespaces are one level.
export function splitQualified(name: string): string[] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? [name] : [name.slice(0, dot), name.slice(dot + 1)];
}

function roleList(roles: string[]): string {
  return roles.map(quoteIdent).join(", ");
}

export function createUser(name: string, password: string, roles: string[]): Statement {
  const tail = roles.length ? ` IN ROLE ${roleList(roles)}` : "";
  return { sql: `CREATE USER ${quoteIdent(name)} PASSWORD ${quoteLiteral(password)}${tail}`, shown: `CREATE USER ${quoteIdent(name)} PASSWORD '********'${tail}` };
}

export function createRole(name: string): Statement {
  return plain(`CREATE ROLE ${quoteIdent(name)}`);
}

export function dropPrincipal(kind: "user" | "role", name: string): Statement {
  return plain(`DROP ${kind === "user" ? "USER" : "ROLE"} ${quoteIdent(name)}`);
}

export function membership(grant: boolean, role: string, member: string): Statement {
  return plain(grant ? `GRANT ${quoteIdent(role)} TO ${quoteIdent(member)}` : `REVOKE ${quoteIdent(role)} FROM ${quoteIdent(member)}`);
}

function target(kind: ObjectKind, object: string): string {
  switch (kind) {
    case "table":
      return `TABLE ${qualifiedName(object)}`;
    case "schema":
      return `SCHEMA ${quoteIdent(object)}`;
    case "all_tables":
      return `ALL TABLES IN SCHEMA ${quoteIdent(object)}`;
    case "database":
      return "DATABASE akko";
  }
}

export function privileges(grant: boolean, privilegeList: string[], kind: ObjectKind, object: string, grantee: string): Statement {
  const what = privilegeList.join(", ");
  return plain(grant ? `GRANT ${what} ON ${target(kind, object)} TO ${quoteIdent(grantee)}` : `REVOKE ${what} ON ${target(kind, object)} FROM ${quoteIdent(grantee)}`);
}

// The REVOKE that undoes one row of SHOW GRANTS.
export function revokeGrantRow(row: { grantee: string; privilege: string; object_type: string; object_name: string }): Statement {
  if (row.privilege === "MEMBER") return membership(false, row.object_name, row.grantee);
  const kind: ObjectKind = row.object_type === "catalog" ? "database" : row.object_type === "schema" ? "schema" : "table";
  return privileges(false, [row.privilege], kind, row.object_name, row.grantee);
}

export function createPolicy(name: string, table: string, roles: string[], predicate: string): Statement {
  const to = roles.length ? ` TO ${roleList(roles)}` : "";
  return plain(`CREATE POLICY ${quoteIdent(name)} ON ${qualifiedName(table)}${to} USING (${predicate.trim()})`);
}

export function dropPolicy(name: string, table: string): Statement {
  return plain(`DROP POLICY ${quoteIdent(name)} ON ${qualifiedName(table)}`);
}

export function createMask(name: string, table: string, column: string, roles: string[], expression: string): Statement {
  const to = roles.length ? ` TO ${roleList(roles)}` : "";
  return plain(`CREATE MASK ${quoteIdent(name)} ON ${qualifiedName(table)} (${quoteIdent(column)})${to} USING (${expression.trim()})`);
}

export function dropMask(name: string, table: string): Statement {
  return plain(`DROP MASK ${quoteIdent(name)} ON ${qualifiedName(table)}`);
}

// "a, b" as SHOW POLICIES and SHOW MASKS list roles, or as typed in a form.
export function splitRoles(text: string): string[] {
  return text
    .split(",")
    .map((role) => role.trim())
    .filter((role) => role !== "");
}
