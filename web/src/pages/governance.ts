// Governance: a placeholder until its issue builds it.
import { placeholder } from "./placeholder";

export function governancePage(root: HTMLElement): void {
  placeholder(root, "Users, roles, grants, row filters and masks, and the audit log.", ["Users and roles (SHOW ROLES), grants (SHOW GRANTS), policies and masks, editable by admins", "The audit log (akko_system.audit_log) with search"]);
}
