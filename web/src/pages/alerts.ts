// Alerts: the SLO burn-rate rules the server evaluates (GET /api/v1/alerts), each window's
// burn rate against the rule's factor, and the same rules as a Prometheus file.
import "../ops/ops.css";
import { apiFetch, failure } from "../api";
import { h } from "../dom";
import { errorText, formatRate } from "../ops/format";

interface Slo {
  name: string;
  objective: number;
  description: string;
  threshold_seconds?: number;
}

interface Rule {
  alert: string;
  slo: string;
  severity: string;
  long_window: string;
  short_window: string;
  burn_rate_threshold: number;
  long_burn_rate: number | null;
  short_burn_rate: number | null;
  state: string;
}

const refreshMs = 5000;

async function rulesFile(): Promise<string> {
  const response = await apiFetch("/api/v1/alerts/rules");
  if (!response.ok) throw await failure(response);
  return response.text();
}

// A bar whose full width is twice the factor, so the threshold sits in the middle.
function burn(label: string, rate: number | null, threshold: number, testId: string): HTMLElement {
  const share = rate === null ? 0 : Math.min(1, rate / (2 * threshold));
  const over = rate !== null && rate > threshold;
  return h(
    "div",
    { class: "ops-burn", "data-testid": testId, "data-rate": rate === null ? "" : String(rate) },
    h("div", { class: "ops-burn-label" }, h("span", {}, label), h("strong", { class: over ? "ops-bad-text" : "" }, rate === null ? "no statements" : `${formatRate(rate)}×`)),
    h("div", { class: "ops-burn-track", title: `fires above ${threshold}×` }, h("div", { class: `ops-burn-fill${over ? " over" : ""}`, style: `width: ${(share * 100).toFixed(1)}%` }), h("div", { class: "ops-burn-mark" })),
  );
}

function sloCard(slo: Slo, rules: Rule[]): HTMLElement {
  const firing = rules.filter((r) => r.slo === slo.name && r.state === "firing").length;
  const target = `${(slo.objective * 100).toFixed(slo.objective * 100 === Math.round(slo.objective * 100) ? 0 : 2)}%`;
  const what = slo.name === "latency" ? `of statements finish within ${slo.threshold_seconds ?? 1} s` : "of statements are not failed by the server";
  return h(
    "section",
    { class: `card ops-slo ${firing ? "firing" : "ok"}`, "data-slo": slo.name },
    h("div", { class: "ops-slo-head" }, h("h3", {}, slo.name === "latency" ? "Latency SLO" : slo.name === "availability" ? "Availability SLO" : slo.name), h("span", { class: `pill ${firing ? "ops-bad" : "ops-ok"}` }, firing ? `${firing} firing` : "within budget")),
    h("div", { class: "ops-slo-target" }, h("strong", {}, target), ` ${what}`),
    h("p", { class: "muted", title: slo.description }, `Error budget ${((1 - slo.objective) * 100).toFixed(2).replace(/\.?0+$/, "")}% of statements: a burn rate of 1× spends it exactly over the SLO period, 14.4× spends 2% of a 30-day budget in an hour.`),
  );
}

function ruleRow(rule: Rule): HTMLElement {
  return h(
    "tr",
    { "data-testid": "alert-rule", "data-alert": rule.alert, "data-state": rule.state },
    h("td", {}, h("div", { class: "ops-rule-name" }, rule.alert), h("div", { class: "muted" }, `${rule.slo} · fires when both windows burn faster than ${rule.burn_rate_threshold}×`)),
    h("td", {}, h("span", { class: `pill ops-sev-${rule.severity}` }, rule.severity)),
    h("td", { class: "ops-burn-cell" }, burn(`${rule.long_window} window`, rule.long_burn_rate, rule.burn_rate_threshold, "long-burn")),
    h("td", { class: "ops-burn-cell" }, burn(`${rule.short_window} window`, rule.short_burn_rate, rule.burn_rate_threshold, "short-burn")),
    h("td", { class: "num" }, `${rule.burn_rate_threshold}×`),
    h("td", {}, h("span", { class: `ops-state ops-state-${rule.state}` }, rule.state === "firing" ? "firing" : "ok")),
  );
}

export function alertsPage(root: HTMLElement): () => void {
  const updated = h("span", { class: "muted" });
  const summary = h("div", { class: "ops-alert-summary", "data-testid": "alert-summary" });
  const slos = h("div", { class: "ops-slos" });
  const rules = h("tbody", {});
  const problem = h("div", { class: "error-box hidden" });
  const yaml = h("pre", { class: "ops-yaml hidden", "data-testid": "rules-yaml" });
  const download = async () => {
    try {
      const text = await rulesFile();
      const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "application/yaml" })), download: "akko-slo.rules.yml" });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      problem.textContent = errorText(error);
      problem.classList.remove("hidden");
    }
  };
  const view = async (button: HTMLButtonElement) => {
    if (!yaml.classList.contains("hidden")) {
      yaml.classList.add("hidden");
      button.textContent = "Show rules file";
      return;
    }
    try {
      yaml.textContent = await rulesFile();
      yaml.classList.remove("hidden");
      button.textContent = "Hide rules file";
    } catch (error) {
      problem.textContent = errorText(error);
      problem.classList.remove("hidden");
    }
  };
  const viewButton: HTMLButtonElement = h("button", { onclick: () => void view(viewButton), "data-testid": "view-rules" }, "Show rules file");
  root.append(
    h("div", { class: "ops-toolbar" }, summary, h("span", { class: "spacer" }), updated),
    problem,
    slos,
    h(
      "section",
      { class: "card ops-rules" },
      h("div", { class: "ops-card-head" }, h("h2", {}, "Burn-rate rules"), h("span", { class: "muted" }, "multi-window, multi-burn-rate alerts (Google SRE workbook), evaluated in the server on its metrics history")),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data-table ops-rules-table", "data-testid": "alert-rules" },
          h("thead", {}, h("tr", {}, h("th", {}, "alert"), h("th", {}, "severity"), h("th", {}, "long window burn"), h("th", {}, "short window burn"), h("th", { class: "num" }, "factor"), h("th", {}, "state"))),
          rules,
        ),
      ),
    ),
    h(
      "section",
      { class: "card ops-export" },
      h("div", {}, h("h2", {}, "Prometheus rules"), h("p", { class: "muted" }, "The same SLOs as recording and alerting rules for a Prometheus that scrapes /metrics; check them with promtool check rules.")),
      h("div", { class: "ops-actions" }, viewButton, h("button", { class: "primary", onclick: () => void download(), "data-testid": "download-rules" }, "Download akko-slo.rules.yml")),
      yaml,
    ),
  );

  let stopped = false;
  const refresh = async () => {
    try {
      const response = await apiFetch("/api/v1/alerts");
      if (!response.ok) throw await failure(response);
      const answer = (await response.json()) as { slos: Slo[]; rules: Rule[] };
      if (stopped) return;
      const firing = answer.rules.filter((r) => r.state === "firing").length;
      summary.replaceChildren(
        h("span", { class: `ops-state ops-state-${firing ? "firing" : "ok"}` }, firing ? `${firing} of ${answer.rules.length} rules firing` : `All ${answer.rules.length} rules ok`),
      );
      slos.replaceChildren(...answer.slos.map((slo) => sloCard(slo, answer.rules)));
      rules.replaceChildren(...answer.rules.map(ruleRow));
      problem.classList.add("hidden");
      updated.textContent = `evaluated ${new Date().toLocaleTimeString()} · every ${refreshMs / 1000} s`;
    } catch (error) {
      if (stopped) return;
      problem.textContent = `The alerts could not be read: ${errorText(error)}`;
      problem.classList.remove("hidden");
    }
  };
  void refresh();
  const timer = window.setInterval(() => void refresh(), refreshMs);
  return () => {
    stopped = true;
    window.clearInterval(timer);
  };
}
