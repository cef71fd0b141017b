// The workbench as two demo users in Debian's chromium: each logs in, runs the same query with
// Ctrl+Enter and the grid's cells are printed as JSON (test_cockpit_roles.py checks them).
// Usage: node roles.mjs '{"url", "users": [[name, password], ...], "sql", "screenshots"}'
import { join } from "node:path";
import { launchChromium, watchedPage } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const seen = { users: {}, page_errors: [] };
const browser = await launchChromium(config.screenshots);
try {
  for (const [user, password] of config.users) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await watchedPage(context, config.url, seen, user);
    await page.goto(config.url);
    await page.fill("input[name=user]", user);
    await page.fill("input[name=password]", password);
    await page.click("button[type=submit]");
    const badge = page.locator("[data-testid=role-badge]");
    await badge.waitFor();
    await page.click("nav a[data-route=workbench]");
    const editor = page.locator(".cm-content");
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(config.sql);
    await page.keyboard.press("Control+Enter");
    await page.waitForSelector("[data-testid=run-status][data-state=done]");
    seen.users[user] = {
      role: await badge.locator(".role").textContent(),
      header: await page.locator(".result-grid thead th:not(.rownum) span").allInnerTexts(),
      rows: await page.locator(".result-grid tbody tr").evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll("td:not(.rownum)")].map((cell) => cell.textContent)),
      ),
    };
    await page.screenshot({ path: join(config.screenshots, `workbench-${user}.png`) });
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
