// Single sign-on in Debian's chromium: the cockpit's button, the provider's authorization
// endpoint (the test provider logs the user in at once), and back into the cockpit. Prints, as
// JSON, the badge and where the browser ended. Usage: node sso.mjs '{"url", "screenshots"}'
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const config = JSON.parse(process.argv[2]);
const seen = { page_errors: [] };
mkdirSync(config.screenshots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.setDefaultTimeout(30_000);
  page.on("pageerror", (error) => seen.page_errors.push(error.message));
  await page.goto(config.url);
  const button = page.locator("button.sso");
  await button.waitFor();
  await page.screenshot({ path: join(config.screenshots, "login-sso.png") });
  await button.click();
  const badge = page.locator("[data-testid=role-badge]");
  await badge.waitFor();
  seen.badge = { user: await badge.locator("strong").textContent(), role: await badge.locator(".role").textContent() };
  seen.final_url = page.url();
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
