// Home: one card per subsystem with its live status and latency, refreshed every 5 s, and
// the lakehouse at a glance.
import { apiFetch, query } from "../api";
import { formatCount, formatMs, h } from "../dom";
import { currentIdentity, mainRole } from "../session";

interface Subsystem {
  name: string;
  status: "ok" | "down" | "not_configured";
  latency_ms?: number | null;
  detail?: string;
  endpoint?: string;
}

const refreshMs = 5000;

// GET /api/v1/status; on a server without it, the checks of GET /ready.
async function fetchSubsystems(): Promise<Subsystem[]> {
  const response = await apiFetch("/api/v1/status");
  if (response.ok) {
    const body = await response.json();
    return (Array.isArray(body) ? body : (body.subsystems ?? body.components ?? [])) as Subsystem[];
  }
  const ready = await fetch("/ready");
  const body = await ready.json();
  return Object.entries(body.checks ?? {}).map(([name, check]: [string, any]) => ({
    name,
    status: check.ok ? "ok" : "down",
    latency_ms: check.latency_ms,
    detail: check.error ?? "",
  }));
}

const names: Record<string, string> = {
  sql_engine: "SQL engine",
  engine: "SQL engine",
  object_store: "Object store",
  s3_api: "S3 API",
  pgwire: "PostgreSQL wire",
  ai_backend: "AI backend",
};

function title(name: string): string {
  const words = names[name] ?? name.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const statusText = { ok: "Healthy", down: "Down", not_configured: "Not configured" } as const;

function card(subsystem: Subsystem): HTMLElement {
  const status = subsystem.status in statusText ? subsystem.status : "down";
  return h(
    "div",
    { class: `card status-card status-${status}`, "data-subsystem": subsystem.name },
    h("div", { class: "status-head" }, h("span", { class: "dot" }), h("h3", {}, title(subsystem.name))),
    h("div", { class: "status-line" }, h("span", { class: "status-text" }, statusText[status]), typeof subsystem.latency_ms === "number" ? h("span", { class: "latency" }, formatMs(subsystem.latency_ms)) : null),
    subsystem.detail ? h("p", { class: "status-detail" }, subsystem.detail) : null,
    subsystem.endpoint ? h("code", { class: "endpoint" }, subsystem.endpoint) : null,
  );
}

function stat(label: string, value: string): HTMLElement {
  return h("div", { class: "card stat" }, h("div", { class: "stat-value" }, value), h("div", { class: "stat-label" }, label));
}

export function homePage(root: HTMLElement): () => void {
  const who = currentIdentity();
  const grid = h("div", { class: "card-grid", "data-testid": "status-cards" });
  const updated = h("span", { class: "muted" });
  const stats = h("div", { class: "stat-row" });
  root.append(
    h("p", { class: "lead" }, `Welcome, ${who?.user ?? ""}. You are logged in as ${who ? mainRole(who) : ""}.`),
    h("div", { class: "section-head" }, h("h2", {}, "Subsystems"), updated),
    grid,
    h("div", { class: "section-head" }, h("h2", {}, "Lakehouse")),
    stats,
  );
  let stopped = false;
  const refresh = async () => {
    try {
      const subsystems = await fetchSubsystems();
      if (stopped) return;
      grid.replaceChildren(...subsystems.map(card));
      updated.textContent = `updated ${new Date().toLocaleTimeString()} · every ${refreshMs / 1000} s`;
    } catch (error) {
      if (!stopped) updated.textContent = `status unavailable: ${error instanceof Error ? error.message : error}`;
    }
  };
  void refresh();
  const timer = window.setInterval(refresh, refreshMs);
  query(
    `SELECT (SELECT count(*) FROM information_schema.schemata WHERE catalog_name = current_database() AND schema_name NOT IN ('information_schema', 'pg_catalog', 'main')) AS namespaces,
            (SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_type = 'BASE TABLE' AND table_schema NOT IN ('information_schema', 'pg_catalog')) AS tables,
            (SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_type = 'VIEW' AND table_schema NOT IN ('information_schema', 'pg_catalog')) AS views`,
  )
    .then((result) => {
      const [namespaces, tables, views] = result.rows[0] as number[];
      stats.replaceChildren(stat("namespaces", formatCount(namespaces)), stat("tables", formatCount(tables)), stat("views", formatCount(views)));
    })
    .catch(() => stats.replaceChildren(h("p", { class: "muted" }, "The catalog could not be read.")));
  return () => {
    stopped = true;
    window.clearInterval(timer);
  };
}
