// Monitoring: a placeholder until its issue builds it.
import { placeholder } from "./placeholder";

export function monitoringPage(root: HTMLElement): void {
  placeholder(root, "Live charts of the server's own metrics (GET /metrics).", ["Queries per second, p50 and p95 latency (aden_query_duration_seconds)", "Errors by code (aden_query_total by status)", "Connections by protocol and storage use"]);
}
