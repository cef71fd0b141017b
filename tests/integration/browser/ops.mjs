// Drives Debian's chromium through the cockpit's Monitoring, Logs, Alerts, Governance and
// Architecture pages of a running akko (playwright-core) and prints, as JSON, what they
// showed; test_cockpit_ops.py checks it against the server. Usage: node ops.mjs '{"url",
// "admin": [user, password], "restricted": [user, password], "log_marker", "audit_marker",
// "role", "table", "screenshots"}'
import { join } from "node:path";
import { launchChromium, timeout, watchedPage } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const seen = { external_requests: [], page_errors: [] };

const browser = await launchChromium(config.screenshots);
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await watchedPage(context, config.url, seen);
  const shot = (name) => page.screenshot({ path: join(config.screenshots, `${name}.png`) });
  // The page scrolls inside its frame, so a taller window is what shows all of it.
  const tallShot = async (name, height) => {
    await page.setViewportSize({ width: 1440, height });
    // ECharts redraws on the resize event, in an animation frame.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await shot(name);
    await page.setViewportSize({ width: 1440, height: 900 });
  };
  const login = async ([user, password]) => {
    await page.goto(config.url);
    await page.waitForSelector("form.login-card");
    await page.fill("input[name=user]", user);
    await page.fill("input[name=password]", password);
    await page.click("button[type=submit]");
    await page.locator("[data-testid=role-badge]").waitFor();
  };
  const open = async (route) => {
    await page.click(`nav a[data-route=${route}]`);
    await page.waitForFunction((r) => location.hash.startsWith(`#/${r}`), route);
  };

  await login(config.admin);

  // Monitoring: charts once the sampler has two samples; the statement count beside /metrics
  await open("monitoring");
  await page.waitForFunction(() => Number(document.querySelector("[data-chart=qps]")?.dataset.points ?? 0) > 0, null, { timeout: 60_000 });
  await page.waitForSelector("[data-stat=statements][data-value]");
  // One refresh more, so statements the previous page ran are all counted in what is shown.
  const first = await page.locator("[data-testid=updated]").innerText();
  await page.waitForFunction((text) => document.querySelector("[data-testid=updated]").textContent !== text, first);
  seen.monitoring = await page.evaluate(async () => {
    const shown = document.querySelector("[data-stat=statements]").dataset.value;
    // Read right after: the page runs no statement, so nothing moves in between.
    const metrics = await (await fetch("/metrics")).text();
    const charts = [...document.querySelectorAll("[data-chart]")].map((c) => ({ id: c.dataset.chart, points: Number(c.dataset.points), canvas: c.querySelector("canvas") !== null }));
    return { statements: Number(shown), metrics, charts, headline: document.querySelector("[data-stat=statements] .stat-value").textContent };
  });
  const windowAnswer = page.waitForResponse((r) => r.url().includes("/api/v1/metrics/history?window=1h"));
  await page.click("[data-window='1h']");
  seen.monitoring.window_1h_status = (await windowAnswer).status();
  await page.click("[data-window='15m']");

  // Logs: the failed statement the test ran, found by search, its JSON expanded
  await open("logs");
  await page.waitForSelector("[data-testid=log-lines], .ops-log-body p");
  await page.fill("[data-testid=log-search]", config.log_marker);
  await page.press("[data-testid=log-search]", "Enter");
  await page.waitForFunction((marker) => {
    const rows = [...document.querySelectorAll("[data-testid=log-lines] tr.ops-log-line")];
    return rows.length > 0 && rows.every((row) => row.textContent.includes(marker));
  }, config.log_marker);
  await page.click("[data-testid=log-lines] tr.ops-log-line >> nth=0");
  seen.logs = await page.evaluate(() => ({
    rows: [...document.querySelectorAll("[data-testid=log-lines] tr.ops-log-line")].map((row) => ({ level: row.dataset.level, event: row.children[2].textContent })),
    expanded: JSON.parse(document.querySelector("[data-testid=log-lines] tr.ops-log-detail:not(.hidden) pre").textContent),
  }));
  await shot("logs");

  // Alerts: the rules and their burn rates, and the Prometheus file
  await open("alerts");
  await page.waitForSelector("[data-testid=alert-rule]");
  seen.alerts = await page.locator("[data-testid=alert-rule]").evaluateAll((rows) =>
    rows.map((row) => ({
      alert: row.dataset.alert,
      state: row.dataset.state,
      long: row.querySelector("[data-testid=long-burn]").dataset.rate,
      short: row.querySelector("[data-testid=short-burn]").dataset.rate,
    })),
  );
  await page.click("[data-testid=view-rules]");
  await page.waitForSelector("[data-testid=rules-yaml]:not(.hidden)");
  seen.rules_yaml = await page.locator("[data-testid=rules-yaml]").innerText();
  await tallShot("alerts", 1100);

  // Governance: a new role, then SELECT on a table granted to it, both through the forms
  await open("governance");
  await page.waitForSelector("[data-testid=principals]");
  const runPreviewed = async () => {
    await page.waitForSelector("dialog[open] [data-testid=sql-preview]");
    const sql = await page.locator("dialog[open] [data-testid=sql-preview]").innerText();
    await page.click("dialog[open] [data-testid=run-sql]");
    await page.waitForSelector("dialog[open]", { state: "detached" });
    return sql;
  };
  await page.fill("[data-testid=new-role] input[name=name]", config.role);
  await page.click("[data-testid=new-role] button[type=submit]");
  seen.create_role_sql = await runPreviewed();
  await page.waitForSelector(`[data-testid=gov-notice]:not(.hidden) >> text=${config.role}`);
  await page.click("button[data-tab=grants]");
  await page.waitForSelector("[data-testid=privileges]");
  await page.selectOption("[data-testid=grant-kind]", "table");
  await page.selectOption("[data-testid=grant-object]", config.table);
  await page.fill("[data-testid=privileges] input[name=grantee]", config.role);
  await page.click("[data-testid=privileges] button[type=submit]");
  seen.grant_sql = await runPreviewed();
  await page.waitForSelector(`[data-testid=grants] tr[data-grant="${config.role}|SELECT|table|${config.table}"]`);
  await page.fill("[data-testid=grant-filter]", config.role);
  seen.grant_rows = await page.locator("[data-testid=grants] tbody tr").evaluateAll((rows) => rows.map((row) => row.dataset.grant));
  await page.click("button[data-tab=principals]");
  await page.waitForSelector(`[data-testid=principals] tr[data-principal="${config.role}"]`);
  await shot("governance");

  // The audit log: the statement the test ran, found by its text
  await page.click("button[data-tab=audit]");
  await page.waitForSelector("[data-testid=audit-search]");
  await page.fill("[data-testid=audit-text]", config.audit_marker);
  await page.click("[data-testid=audit-run]");
  await page.waitForFunction((marker) => {
    const rows = [...document.querySelectorAll("[data-testid=audit-record]")];
    return rows.length > 0 && rows.every((row) => row.textContent.includes(marker));
  }, config.audit_marker);
  seen.audit = await page.locator("[data-testid=audit-record]").evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.children].map((cell) => cell.textContent.trim());
      return { user: cells[1], protocol: cells[2], operation: cells[3], outcome: cells[4] };
    }),
  );
  await page.fill("[data-testid=audit-text]", "");
  await page.click("[data-testid=audit-run]");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=audit-record]").length > 1);
  await page.click("[data-testid=audit-record] >> nth=0");
  await shot("governance-audit");

  // Architecture: every component and its port
  await open("architecture");
  await page.waitForSelector("[data-testid=architecture] svg [data-component]");
  seen.architecture = await page.locator("[data-testid=architecture] svg [data-component]").evaluateAll((nodes) =>
    nodes.map((node) => ({ id: node.dataset.component, port: node.dataset.port, text: [...node.querySelectorAll("text")].map((t) => t.textContent) })),
  );
  await shot("architecture");

  // Monitoring again for its picture, once the pages above have left a few samples of work
  await open("monitoring");
  await page.waitForFunction(() => Number(document.querySelector("[data-chart=qps]")?.dataset.points ?? 0) >= 5, null, { timeout: 60_000 });
  await tallShot("monitoring", 1100);

  // The restricted user: the log is for admins, governance is read-only
  await page.click("text=Log out");
  await page.waitForSelector("form.login-card");
  await login(config.restricted);
  await open("logs");
  await page.waitForSelector("[data-testid=logs-forbidden]");
  seen.restricted_logs = await page.locator("[data-testid=logs-forbidden]").innerText();
  await shot("logs-restricted");
  await open("governance");
  await page.waitForSelector("[data-testid=principals]");
  await page.click("button[data-tab=grants]");
  await page.waitForSelector("[data-testid=grants] tbody tr");
  seen.restricted_governance = {
    read_only: await page.locator("[data-testid=read-only]").count(),
    actions: await page.locator("[data-testid=admin-action], form.ops-form").count(),
    grants: await page.locator("[data-testid=grants] tbody tr").evaluateAll((rows) => rows.map((row) => row.dataset.grant)),
  };
  await shot("governance-restricted");
  await page.click("button[data-tab=audit]");
  seen.restricted_audit = await page.locator("[data-testid=admins-only]").count();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen));
