// Drives Debian's chromium through the cockpit's Dashboards page with playwright-core and
// prints, as JSON, what each tile drew (read from its ECharts instance);
// test_cockpit_dashboards.py checks it against the saved queries run through the HTTP API.
// Usage: node dashboards.mjs '{"url", "dashboard_id", "users": {"alice": "alice123", ...},
// "filter": {"column", "value"}, "new_dashboard": {"name", "queries": [id, id], "pie": id},
// "screenshots"}'
import { join } from "node:path";
import { launchChromium, watchedPage } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const seen = { external_requests: [], page_errors: [], users: {} };
const timeout = 60_000;
// Tall enough for the banking dashboard's four rows of tiles in one screenshot.
const screenshotSize = { width: 1440, height: 1600 };

const browser = await launchChromium(config.screenshots);

// Every tile finished (drawn, empty or failed), and every drawn chart done animating.
async function tilesSettled(page) {
  await page.waitForFunction(() => {
    const tiles = [...document.querySelectorAll("[data-testid=tile]")];
    return tiles.length > 0 && tiles.every((t) => ["empty", "error"].includes(t.dataset.state) || (t.dataset.state === "done" && t.dataset.drawn === "true"));
  });
}

// What each tile shows: its state and, from the ECharts instance, the categories and series.
function readTiles(page) {
  return page.locator("[data-testid=tile]").evaluateAll((tiles) =>
    tiles.map((tile) => {
      const chart = tile.querySelector("[data-testid=tile-chart]").chart;
      const option = chart?.getOption();
      return {
        query_id: tile.dataset.queryId,
        title: tile.querySelector("h3").textContent,
        state: tile.dataset.state,
        message: tile.querySelector(".tile-message")?.textContent ?? "",
        filtered: tile.querySelector(".tile-filtered")?.textContent ?? "",
        kind: tile.dataset.chartKind ?? null,
        x: option?.xAxis?.[0]?.data ?? null,
        series: (option?.series ?? []).map((series) => ({
          type: series.type,
          name: series.name,
          data: series.data.map((point) => (point !== null && typeof point === "object" && !Array.isArray(point) ? [point.name, point.value] : point)),
        })),
      };
    }),
  );
}

async function logIn(context, user, password) {
  const page = await watchedPage(context, config.url, seen, user, timeout);
  await page.goto(config.url);
  await page.waitForSelector("form.login-card");
  await page.fill("input[name=user]", user);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.locator("[data-testid=role-badge]").waitFor();
  return page;
}

try {
  for (const [user, password] of Object.entries(config.users)) {
    const context = await browser.newContext({ viewport: screenshotSize, deviceScaleFactor: 1 });
    const page = await logIn(context, user, password);
    const shot = (name) => page.screenshot({ path: join(config.screenshots, `${name}.png`) });
    const record = {};
    seen.users[user] = record;

    // The list, then the banking dashboard from it
    await page.click("nav a[data-route=dashboards]");
    await page.waitForSelector("[data-testid=dashboard-card]");
    record.listed = await page.locator("[data-testid=dashboard-card]").evaluateAll((cards) => cards.map((card) => card.dataset.dashboardId));
    if (user === "alice") await shot("dashboards");
    await page.click(`[data-testid=dashboard-card][data-dashboard-id="${config.dashboard_id}"]`);
    await tilesSettled(page);
    record.tiles = await readTiles(page);
    if (user === "alice") await shot("dashboard-banking");
    if (user === "dave") await shot("dashboard-dave");

    if (user === "alice") {
      // A dashboard-wide filter: only the tiles whose result has the column change
      await page.selectOption(`select[data-filter="${config.filter.column}"]`, config.filter.value);
      await page.waitForFunction((column) => [...document.querySelectorAll("[data-testid=tile] .tile-filtered")].some((note) => note.textContent.includes(column)), config.filter.label);
      await tilesSettled(page);
      record.filtered_tiles = await readTiles(page);
      await shot("dashboard-filtered");

      // Refresh re-runs every tile
      const refreshes = [];
      page.on("request", (request) => {
        if (request.url().endsWith("/api/v1/query")) refreshes.push(request.postData());
      });
      await page.click("[data-testid=refresh]");
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=tile][data-state=loading]").length === 0 && document.querySelector("[data-testid=refreshed]").textContent !== "", null);
      await tilesSettled(page);
      record.refresh_requests = refreshes.length;

      // A new dashboard from two saved queries, seen again after a reload
      const made = config.new_dashboard;
      await page.click("nav a[data-route=dashboards]");
      await page.click("[data-testid=new-dashboard]");
      await page.waitForSelector("[data-testid=dashboard-editor]");
      await page.fill("input[name=name]", made.name);
      await page.fill("textarea[name=description]", "Made in the browser test.");
      for (const id of made.queries) {
        await page.selectOption("[data-testid=add-tile-query]", id);
        await page.click("[data-testid=add-tile]");
      }
      const second = page.locator("[data-testid=edit-tile]").nth(1);
      await second.locator("select[aria-label='chart type']").selectOption("pie");
      await second.locator("select[aria-label='tile width']").selectOption("6");
      await page.locator("[data-testid=edit-tile]").nth(0).locator("select[aria-label='tile width']").selectOption("6");
      await page.setViewportSize({ width: 1440, height: 860 });
      await shot("dashboard-edit");
      await page.setViewportSize(screenshotSize);
      await page.click("[data-testid=save-dashboard]");
      await page.waitForSelector("[data-testid=dashboard]");
      await tilesSettled(page);
      record.new_dashboard_id = await page.locator("[data-testid=dashboard]").getAttribute("data-dashboard-id");
      await page.reload();
      await page.waitForSelector("[data-testid=dashboard]");
      await tilesSettled(page);
      record.new_dashboard_tiles = await readTiles(page);
      record.new_dashboard_title = await page.locator(".dash-title h2").textContent();
    }

    await page.click("text=Log out");
    await page.waitForSelector("form.login-card");
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen));
