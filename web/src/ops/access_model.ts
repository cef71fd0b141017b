// Who holds what, from SHOW GRANTS, and for admins every user from SHOW USERS. Roles are those
// a grant or a membership names, plus the built-in roles; a role holding neither is not known
// to the page.
import { query, records } from "../api";

export interface GrantRow {
  grantee: string;
  privilege: string;
  object_type: string;
  object_name: string;
}

export interface Principal {
  name: string;
  kind: "user" | "role";
  memberOf: string[];
  members: string[];
  privileges: number;
}

export const builtinRoles = ["akko-admin", "akko-engineer", "akko-analyst", "akko-user", "akko-viewer"];

export async function loadGrants(): Promise<GrantRow[]> {
  return records(await query("SHOW GRANTS")).map((row) => ({
    grantee: String(row.grantee),
    privilege: String(row.privilege),
    object_type: String(row.object_type),
    object_name: String(row.object_name),
  }));
}

// A principal that others are members of, or that holds privileges, is shown as a role; one
// that only belongs to roles, as a user (what a login account usually looks like).
export async function loadUsers(): Promise<string[]> {
  return records(await query("SHOW USERS")).map((row) => String(row.user_name));
}

export function principals(grants: GrantRow[], includeBuiltins: boolean, users: string[] = []): Principal[] {
  const all = new Map<string, Principal>();
  const get = (name: string) => {
    let principal = all.get(name);
    if (!principal) {
      principal = { name, kind: "user", memberOf: [], members: [], privileges: 0 };
      all.set(name, principal);
    }
    return principal;
  };
  if (includeBuiltins) builtinRoles.forEach(get);
  users.forEach(get);
  for (const grant of grants) {
    if (grant.privilege === "MEMBER") {
      get(grant.grantee).memberOf.push(grant.object_name);
      get(grant.object_name).members.push(grant.grantee);
    } else {
      get(grant.grantee).privileges++;
    }
  }
  for (const principal of all.values()) {
    const known = users.length > 0 ? !users.includes(principal.name) : principal.members.length > 0 || principal.privileges > 0;
    if (builtinRoles.includes(principal.name) || known) principal.kind = "role";
  }
  return [...all.values()].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "role" ? -1 : 1));
}
