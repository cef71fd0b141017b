// Alerts: a placeholder until its issue builds it.
import { placeholder } from "./placeholder";

export function alertsPage(root: HTMLElement): void {
  placeholder(root, "SLO burn-rate alerts on query latency and errors, evaluated in the server.", ["Fast burn over 1 h at 14.4x and slow burn over 6 h at 6x", "The same rules exported for Prometheus"]);
}
