// Dashboards: #/dashboards lists the ones the user sees, #/dashboards/<id> shows one,
// #/dashboards/<id>/edit and #/dashboards/new edit one (docs/cockpit.md).
import "../dashboards/dashboards.css";
import { emptyDashboard, DashboardEditor } from "../dashboards/dashboard_editor";
import { DashboardView } from "../dashboards/dashboard_view";
import { Dashboard, getDashboard, listDashboards, listSavedQueries, SavedQuery } from "../dashboards/model";
import { formatCount, h } from "../dom";
import { href } from "../router";

export function dashboardsPage(root: HTMLElement, parameters: string[]): () => void {
  let view: DashboardView | null = null;
  let stopped = false;
  const [id, action] = parameters;
  root.replaceChildren(h("div", { class: "splash" }, "Loading…"));
  const fail = (error: unknown) => {
    if (stopped) return;
    root.replaceChildren(h("div", { class: "error-box", "data-testid": "dashboards-error" }, error instanceof Error ? error.message : String(error)));
  };
  const load = async () => {
    if (!id) {
      const [dashboards, queries] = await Promise.all([listDashboards(), listSavedQueries()]);
      if (!stopped) root.replaceChildren(list(dashboards, queries));
      return;
    }
    const [dashboard, queries] = await Promise.all([id === "new" ? Promise.resolve(emptyDashboard()) : getDashboard(id), listSavedQueries()]);
    if (stopped) return;
    if (id === "new" || action === "edit") {
      root.replaceChildren(h("h2", { class: "dash-page-title" }, id === "new" ? "New dashboard" : `Edit “${dashboard.name}”`), new DashboardEditor(dashboard, queries).element);
      return;
    }
    view = new DashboardView(dashboard, queries);
    root.replaceChildren(view.element);
  };
  load().catch(fail);
  return () => {
    stopped = true;
    view?.dispose();
  };
}

function list(dashboards: Dashboard[], queries: SavedQuery[]): HTMLElement {
  const cards = dashboards.map((dashboard) =>
    h(
      "a",
      { class: "card dash-card", href: href("dashboards", dashboard.id ?? ""), "data-testid": "dashboard-card", "data-dashboard-id": dashboard.id ?? "" },
      h("div", { class: "dash-card-head" }, h("h3", {}, dashboard.name), dashboard.shared ? h("span", { class: "pill" }, "shared") : h("span", { class: "pill muted" }, "private")),
      h("p", { class: "muted" }, dashboard.description || "No description."),
      h("div", { class: "dash-card-meta" }, h("span", {}, `${formatCount(dashboard.tiles.length)} tiles`), h("span", {}, `by ${dashboard.owner ?? "?"}`)),
    ),
  );
  return h(
    "div",
    { class: "dash-list" },
    h(
      "div",
      { class: "section-head" },
      h("p", { class: "lead" }, "Charts of saved queries, each run as you: what a tile shows depends on what you may see."),
      h("a", { class: "button-link primary", href: href("dashboards", "new"), "data-testid": "new-dashboard" }, "+ New dashboard"),
    ),
    cards.length ? h("div", { class: "dash-cards" }, cards) : h("p", { class: "muted" }, "No dashboards yet."),
    h("p", { class: "muted dash-hint" }, `${formatCount(queries.length)} saved queries available: save one from the SQL workbench to chart it here.`),
  );
}
