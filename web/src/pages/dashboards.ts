// Dashboards: a placeholder until its issue builds it.
import { placeholder } from "./placeholder";

export function dashboardsPage(root: HTMLElement): void {
  placeholder(root, "The banking dashboard (8 charts on 8 saved datasets) and dashboards of your own, made from saved queries.", ["Create and edit dashboards from saved queries and their charts", "Filters that apply to every chart", "Auto-refresh"]);
}
