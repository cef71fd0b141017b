import "./styles.css";
import { fetchIdentity } from "./api";
import { h } from "./dom";
import { alertsPage } from "./pages/alerts";
import { architecturePage } from "./pages/architecture";
import { catalogPage } from "./pages/catalog";
import { dashboardsPage } from "./pages/dashboards";
import { governancePage } from "./pages/governance";
import { homePage } from "./pages/home";
import { loginPage } from "./pages/login";
import { logsPage } from "./pages/logs";
import { monitoringPage } from "./pages/monitoring";
import { workbenchPage } from "./pages/workbench";
import { currentPath, RouteEntry } from "./router";
import { acceptSingleSignOn, currentIdentity, loggedIn, logout, onLogout, setIdentity } from "./session";
import { NavSection, Shell } from "./shell";

const sections: NavSection[] = [
  {
    label: "Data",
    routes: [
      { path: "home", title: "Home", page: homePage },
      { path: "workbench", title: "SQL workbench", page: workbenchPage },
      { path: "catalog", title: "Catalog", page: catalogPage },
      { path: "dashboards", title: "Dashboards", page: dashboardsPage },
    ],
  },
  {
    label: "Operations",
    routes: [
      { path: "monitoring", title: "Monitoring", page: monitoringPage },
      { path: "logs", title: "Logs", page: logsPage },
      { path: "alerts", title: "Alerts", page: alertsPage },
    ],
  },
  {
    label: "Platform",
    routes: [
      { path: "governance", title: "Governance", page: governancePage },
      { path: "architecture", title: "Architecture", page: architecturePage },
    ],
  },
];
const routes = sections.flatMap((section) => section.routes);
const root = document.getElementById("app")!;
let shell: Shell | null = null;
let dispose: (() => void) | void;

function show(): void {
  if (typeof dispose === "function") dispose();
  dispose = undefined;
  if (!loggedIn() || !shell) return;
  const [first = "home", ...rest] = currentPath();
  const route: RouteEntry = routes.find((entry) => entry.path === first) ?? routes[0];
  shell.select(route);
  shell.content.replaceChildren();
  dispose = route.page(shell.content, rest);
}

let signOnProblem = acceptSingleSignOn();

async function start(): Promise<void> {
  if (!loggedIn()) {
    shell = null;
    loginPage(root, () => void start(), signOnProblem);
    signOnProblem = null;
    return;
  }
  root.replaceChildren(h("div", { class: "splash" }, "Loading…"));
  try {
    setIdentity(await fetchIdentity());
  } catch {
    logout();
    return;
  }
  shell = new Shell(root, sections, currentIdentity()!);
  show();
}

window.addEventListener("hashchange", show);
onLogout(() => {
  if (typeof dispose === "function") dispose();
  dispose = undefined;
  void start();
});
void start();
