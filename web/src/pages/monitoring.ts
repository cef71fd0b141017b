// Monitoring: the server's own metrics, live. Charts over time from GET
// /api/v1/metrics/history (sampled in the server every 5 s), and the totals since start from
// GET /metrics, refreshed every 5 s.
import "../ops/ops.css";
import { apiFetch, failure } from "../api";
import { formatCount, formatMs, h } from "../dom";
import { errorText, formatBytes, formatDuration } from "../ops/format";
import { fetchMetrics, Sample, sum } from "../ops/metrics_text";
import { TimeChart } from "../ops/time_chart";

interface History {
  window: string;
  time_ms: number[];
  queries_per_second: (number | null)[];
  error_ratio: (number | null)[];
  p50_ms: (number | null)[];
  p95_ms: (number | null)[];
  connections: (number | null)[];
  storage_bytes: (number | null)[];
}

const windows = ["15m", "1h", "6h"] as const;
type Window = (typeof windows)[number];
const windowNames: Record<Window, string> = { "15m": "15 min", "1h": "1 hour", "6h": "6 hours" };
const refreshMs = 5000;
const storageKey = "akko.monitoring.window";

function tile(id: string, label: string): { element: HTMLElement; set: (value: string, note?: string) => void } {
  const value = h("div", { class: "stat-value" }, "—");
  const note = h("div", { class: "ops-stat-note" });
  const element = h("div", { class: "card stat ops-stat", "data-stat": id }, value, h("div", { class: "stat-label" }, label), note);
  return {
    element,
    set(text, detail = "") {
      value.textContent = text;
      note.textContent = detail;
    },
  };
}

function statusTable(samples: Sample[]): HTMLElement {
  const rows = samples
    .filter((s) => s.name === "aden_query_total")
    .sort((a, b) => b.value - a.value)
    .map((s) =>
      h(
        "tr",
        { "data-protocol": s.labels.protocol, "data-status": s.labels.status },
        h("td", {}, s.labels.protocol),
        h("td", {}, h("span", { class: `pill ${s.labels.status === "ok" ? "ops-ok" : "ops-bad"}` }, s.labels.status)),
        h("td", { class: "num" }, formatCount(s.value)),
      ),
    );
  if (rows.length === 0) return h("p", { class: "muted" }, "No statement has run since the server started.");
  return h(
    "table",
    { class: "data-table", "data-testid": "statements-by-status" },
    h("thead", {}, h("tr", {}, h("th", {}, "protocol"), h("th", {}, "outcome"), h("th", { class: "num" }, "statements"))),
    h("tbody", {}, rows),
  );
}

export function monitoringPage(root: HTMLElement): () => void {
  let selected: Window = (windows as readonly string[]).includes(localStorage.getItem(storageKey) ?? "") ? (localStorage.getItem(storageKey) as Window) : "15m";
  const switcher = h("div", { class: "ops-segmented", role: "group", "aria-label": "time window" });
  const drawSwitcher = () =>
    switcher.replaceChildren(
      ...windows.map((w) =>
        h(
          "button",
          {
            class: w === selected ? "active" : "",
            "data-window": w,
            onclick: () => {
              selected = w;
              localStorage.setItem(storageKey, w);
              drawSwitcher();
              void refresh();
            },
          },
          windowNames[w],
        ),
      ),
    );
  drawSwitcher();
  const updated = h("span", { class: "muted", "data-testid": "updated" });
  const problem = h("div", { class: "error-box hidden" });

  const statements = tile("statements", "statements run");
  const failed = tile("failed", "failed statements");
  const connections = tile("connections", "open connections");
  const storage = tile("storage", "warehouse size");
  const memory = tile("memory", "resident memory");
  const uptime = tile("uptime", "uptime");

  const qps = new TimeChart({ id: "qps", title: "Queries per second", unit: (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)}/s`, area: true });
  const latency = new TimeChart({ id: "latency", title: "Latency (p50, p95)", unit: (v) => formatMs(v), colors: ["#14b8a6", "#8b5cf6"], points: true });
  const errors = new TimeChart({ id: "errors", title: "Server error ratio", unit: (v) => `${(v * 100).toFixed(v === 0 || v >= 0.1 ? 0 : 2)}%`, colors: ["#ef4444"], points: true, floor: 0.05 });
  const conns = new TimeChart({ id: "connections", title: "Open connections", unit: (v) => v.toFixed(0), colors: ["#0ea5e9"], integer: true });
  const bytes = new TimeChart({ id: "storage", title: "Storage use", unit: (v) => formatBytes(v), colors: ["#f59e0b"], area: true });
  const charts = [qps, latency, errors, conns, bytes];
  const byStatus = h("section", { class: "card ops-chart ops-status-card" }, h("div", { class: "ops-chart-head" }, h("h3", {}, "Statements by outcome"), h("span", { class: "ops-chart-latest" }, "since start")), h("div", { class: "ops-status-body" }));

  root.append(
    h("div", { class: "ops-toolbar" }, switcher, h("span", { class: "spacer" }), updated),
    problem,
    h("div", { class: "stat-row ops-stats" }, statements.element, failed.element, connections.element, storage.element, memory.element, uptime.element),
    h("div", { class: "ops-charts", "data-testid": "monitoring-charts" }, charts.map((c) => c.element), byStatus),
  );

  let stopped = false;
  let inFlight = false;
  async function refresh(): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    try {
      const [history, samples] = await Promise.all([
        apiFetch(`/api/v1/metrics/history?window=${selected}`).then(async (response) => {
          if (!response.ok) throw await failure(response);
          return (await response.json()) as History;
        }),
        fetchMetrics(),
      ]);
      if (stopped) return;
      const times = history.time_ms;
      qps.update(times, [{ name: "queries/s", values: history.queries_per_second }]);
      latency.update(times, [
        { name: "p50", values: history.p50_ms },
        { name: "p95", values: history.p95_ms },
      ]);
      errors.update(times, [{ name: "errors", values: history.error_ratio }]);
      conns.update(times, [{ name: "connections", values: history.connections }]);
      bytes.update(times, [{ name: "storage", values: history.storage_bytes }]);

      const total = sum(samples, "aden_query_total");
      const bad = sum(samples, "aden_query_total", (labels) => labels.status !== "ok");
      statements.set(formatCount(total), `pgwire ${formatCount(sum(samples, "aden_query_total", (l) => l.protocol === "pgwire"))} · HTTP ${formatCount(sum(samples, "aden_query_total", (l) => l.protocol === "http"))}`);
      statements.element.dataset.value = String(total);
      failed.set(formatCount(bad), total > 0 ? `${((bad / total) * 100).toFixed(1)}% of all statements` : "");
      connections.set(formatCount(sum(samples, "aden_connections")), `${formatCount(sum(samples, "aden_connections_total"))} accepted`);
      const lastStorage = [...history.storage_bytes].reverse().find((v) => v !== null) ?? null;
      storage.set(formatBytes(lastStorage), "Iceberg data and metadata");
      memory.set(formatBytes(sum(samples, "process_resident_memory_bytes")), `${formatCount(sum(samples, "process_open_fds"))} open files`);
      const started = sum(samples, "process_start_time_seconds");
      uptime.set(started > 0 ? formatDuration(Date.now() / 1000 - started) : "—", started > 0 ? `since ${new Date(started * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}` : "");
      byStatus.querySelector(".ops-status-body")!.replaceChildren(statusTable(samples));
      problem.classList.add("hidden");
      updated.textContent = `${times.length} points over ${windowNames[selected]} · updated ${new Date().toLocaleTimeString()} · every ${refreshMs / 1000} s`;
    } catch (error) {
      if (stopped) return;
      problem.textContent = `The metrics could not be read: ${errorText(error)}`;
      problem.classList.remove("hidden");
    } finally {
      inFlight = false;
    }
  }
  void refresh();
  const timer = window.setInterval(() => void refresh(), refreshMs);
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener("resize", onResize);
  return () => {
    stopped = true;
    window.clearInterval(timer);
    window.removeEventListener("resize", onResize);
    charts.forEach((c) => c.dispose());
  };
}
