// Drives Debian's chromium through the cockpit of a running akko with playwright-core and
// prints, as JSON, what the pages showed; test_cockpit_browser.py checks it against the
// server. Usage: node cockpit.mjs '{"url", "user", "password", "table": [ns, name],
// "chart_sql", "screenshots"}'
import { join } from "node:path";
import { launchChromium, watchedPage } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const seen = { external_requests: [], page_errors: [] };

const browser = await launchChromium(config.screenshots);
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await watchedPage(context, config.url, seen);
  const shot = (name) => page.screenshot({ path: join(config.screenshots, `${name}.png`) });

  // Login
  await page.goto(config.url);
  await page.waitForSelector("form.login-card");
  await shot("login");
  await page.fill("input[name=user]", config.user);
  await page.fill("input[name=password]", config.password);
  await page.click("button[type=submit]");
  const badge = page.locator("[data-testid=role-badge]");
  await badge.waitFor();
  seen.badge = { user: await badge.locator("strong").textContent(), role: await badge.locator(".role").textContent() };

  // Home
  await page.waitForSelector(".status-card");
  await page.waitForFunction(() => !document.querySelector(".stat-row")?.textContent?.includes("Loading") && document.querySelectorAll(".stat").length > 0);
  seen.home_cards = await page.locator(".status-card").evaluateAll((cards) =>
    cards.map((card) => ({ name: card.dataset.subsystem, status: card.className.match(/status-(ok|down|not_configured)/)?.[1] })),
  );
  await shot("home");

  // Workbench: Ctrl+Enter runs the statement
  await page.click("nav a[data-route=workbench]");
  const editor = page.locator(".cm-content");
  await editor.waitFor();
  const typeSql = async (sql) => {
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(sql);
  };
  const status = page.locator("[data-testid=run-status]");
  await typeSql("SELECT 42 AS answer");
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector("[data-testid=run-status][data-state=done]");
  seen.answer = {
    header: await page.locator(".result-grid thead th:not(.rownum) span").allInnerTexts(),
    cells: await page.locator(".result-grid tbody tr").first().locator("td:not(.rownum)").allInnerTexts(),
  };

  // Cancel a statement that would run for minutes
  const long = "SELECT count(*) FROM range(10000000000)";
  await typeSql(long);
  const sent = page.waitForRequest((request) => request.url().endsWith("/api/v1/query") && (request.postData() ?? "").includes(long));
  await page.keyboard.press("Control+Enter");
  await sent;
  await page.waitForSelector("[data-testid=run-status][data-state=running]");
  await page.click("[data-testid=cancel]");
  await page.waitForSelector("[data-testid=run-status][data-state=canceled]");
  seen.canceled = { sql: long, status: await status.innerText() };
  await shot("workbench-canceled");

  // A result with a chart, for the record
  await typeSql(config.chart_sql);
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector("[data-testid=run-status][data-state=done]");
  seen.chart_rows = await page.locator(".result-grid tbody tr").count();
  await shot("workbench");
  await page.click("[data-testid=chart-tab]");
  await page.waitForSelector("[data-testid=chart] canvas");
  await shot("workbench-chart");

  // Catalog: open the table from the tree
  const [namespace, table] = config.table;
  await page.click("nav a[data-route=catalog]");
  await page.click(`[data-table="${namespace}.${table}"]`);
  const columns = page.locator("[data-testid=columns-table] tbody tr");
  await columns.first().waitFor();
  seen.columns = await columns.evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll("td")].map((cell) => cell.textContent.trim());
      return { name: cells[1], type: cells[2], description: cells[4] === "—" ? "" : cells[4] };
    }),
  );
  await shot("catalog");
  await page.click("button[data-tab=snapshots]");
  await page.waitForSelector("[data-testid=snapshots] li");
  seen.snapshots = await page.locator("[data-testid=snapshots] li code").allInnerTexts();
  await shot("catalog-snapshots");
  await page.click("button[data-tab=access]");
  await page.waitForSelector("[data-testid=grants]");
  await shot("catalog-access");

  // Logout returns to the login form
  await page.click("text=Log out");
  await page.waitForSelector("form.login-card");
  seen.logged_out = true;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen));
