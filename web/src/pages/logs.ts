// Logs (admins): the server's newest log lines from GET /api/v1/logs, searched, filtered by
// level, each line's JSON a click away. Everyone else gets the route's 403, said plainly.
import "../ops/ops.css";
import { apiFetch, failure } from "../api";
import { h } from "../dom";
import { errorText } from "../ops/format";
import { lockIcon } from "../ops/lock_icon";

type LogLine = Record<string, unknown> & { ts?: string; level?: string; event?: string };

const levels = ["trace", "debug", "info", "warn", "error"];
const limits = [50, 200, 1000, 5000];
const refreshMs = 5000;
// Fields shown in their own columns; the rest make the line's summary.
const framed = new Set(["ts", "level", "event"]);

function summary(line: LogLine): string {
  const text = line.sql ?? line.message ?? line.text ?? line.error;
  const rest = Object.entries(line)
    .filter(([key]) => !framed.has(key) && !["sql", "message", "text"].includes(key))
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  return [typeof text === "string" ? text : null, ...rest].filter(Boolean).join("  ");
}

function time(ts: unknown): string {
  if (typeof ts !== "string") return "";
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? ts : `${date.toLocaleDateString()} ${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

export function logsPage(root: HTMLElement): () => void {
  const search = h("input", { type: "search", placeholder: "Search the log lines (text anywhere in a line)", class: "ops-grow", "aria-label": "search", "data-testid": "log-search" });
  const level = h("select", { "aria-label": "level", "data-testid": "log-level" }, h("option", { value: "" }, "all levels"), levels.map((l) => h("option", { value: l }, `${l} and above`)));
  const limit = h("select", { "aria-label": "limit", "data-testid": "log-limit" }, limits.map((n) => h("option", { value: n, selected: n === 200 }, `${n} lines`)));
  const auto = h("input", { type: "checkbox", "data-testid": "log-auto" });
  const status = h("span", { class: "muted", "data-testid": "log-status" });
  const body = h("div", { class: "ops-log-body" }, h("p", { class: "muted ops-pad" }, "Loading…"));
  root.append(
    h(
      "div",
      { class: "card ops-logs" },
      h(
        "div",
        { class: "ops-toolbar ops-pad" },
        search,
        level,
        limit,
        h("label", { class: "check" }, auto, `auto-refresh every ${refreshMs / 1000} s`),
        h("button", { onclick: () => void load() }, "Refresh"),
      ),
      h("div", { class: "ops-log-status" }, status),
      body,
    ),
  );

  const open = new Set<string>();
  let stopped = false;
  let generation = 0;
  async function load(): Promise<void> {
    const mine = ++generation;
    const parameters = new URLSearchParams({ limit: limit.value });
    if (search.value.trim()) parameters.set("q", search.value.trim());
    if (level.value) parameters.set("level", level.value);
    try {
      const response = await apiFetch(`/api/v1/logs?${parameters}`);
      if (response.status === 403) {
        if (mine !== generation || stopped) return;
        forbidden((await failure(response)).message);
        return;
      }
      if (!response.ok) throw await failure(response);
      const answer = (await response.json()) as { lines: LogLine[]; capacity: number };
      if (mine !== generation || stopped) return;
      render(answer.lines, answer.capacity);
    } catch (error) {
      if (mine === generation && !stopped) body.replaceChildren(h("div", { class: "error-box ops-pad-box" }, errorText(error)));
    }
  }

  function forbidden(message: string): void {
    window.clearInterval(timer);
    root.replaceChildren(
      h(
        "section",
        { class: "card ops-empty", "data-testid": "logs-forbidden" },
        h("div", { class: "ops-empty-icon" }, lockIcon()),
        h("h2", {}, "Admins only"),
        h("p", {}, "The server log holds every statement's SQL text, so only members of akko-admin may read it."),
        h("p", { class: "muted" }, message),
      ),
    );
  }

  function render(lines: LogLine[], capacity: number): void {
    status.textContent = `${lines.length} line${lines.length === 1 ? "" : "s"}, newest first · the server keeps the newest ${capacity} · ${new Date().toLocaleTimeString()}`;
    if (lines.length === 0) {
      body.replaceChildren(h("p", { class: "muted ops-pad" }, "No line matches."));
      return;
    }
    const rows = lines.flatMap((line) => {
      const key = `${line.ts}|${line.event}|${summary(line)}`;
      const detail = h("tr", { class: `ops-log-detail${open.has(key) ? "" : " hidden"}` }, h("td", { colspan: 4 }, h("pre", {}, JSON.stringify(line, null, 2))));
      const row = h(
        "tr",
        {
          class: `ops-log-line${open.has(key) ? " open" : ""}`,
          "data-level": String(line.level ?? ""),
          onclick: () => {
            const shown = detail.classList.toggle("hidden");
            row.classList.toggle("open", !shown);
            if (shown) open.delete(key);
            else open.add(key);
          },
        },
        h("td", { class: "ops-log-time" }, h("span", { class: "ops-caret" }, "▸"), time(line.ts)),
        h("td", {}, h("span", { class: `ops-level ops-level-${line.level}` }, String(line.level ?? ""))),
        h("td", { class: "ops-log-event" }, String(line.event ?? "")),
        h("td", { class: "ops-log-text" }, summary(line)),
      );
      return [row, detail];
    });
    body.replaceChildren(
      h(
        "table",
        { class: "data-table ops-log-table", "data-testid": "log-lines" },
        h("thead", {}, h("tr", {}, h("th", {}, "time"), h("th", {}, "level"), h("th", {}, "event"), h("th", {}, "line"))),
        h("tbody", {}, rows),
      ),
    );
  }

  let typing: number | undefined;
  search.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => void load(), 300);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      window.clearTimeout(typing);
      void load();
    }
  });
  level.addEventListener("change", () => void load());
  limit.addEventListener("change", () => void load());
  let timer: number | undefined;
  auto.addEventListener("change", () => {
    window.clearInterval(timer);
    if (auto.checked) timer = window.setInterval(() => void load(), refreshMs);
  });
  void load();
  return () => {
    stopped = true;
    window.clearInterval(timer);
    window.clearTimeout(typing);
  };
}
