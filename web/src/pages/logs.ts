// Logs: a placeholder until its issue builds it.
import { placeholder } from "./placeholder";

export function logsPage(root: HTMLElement): void {
  placeholder(root, "Recent server logs with search.", ["The structured log lines (statements, logins, errors)", "Search and level filter"]);
}
