// Single sign-on in Debian's chromium: the cockpit's button, the provider's authorization
// endpoint (the test provider logs the user in at once), and back into the cockpit. Prints, as
// JSON, the badge and where the browser ended. Usage: node sso.mjs '{"url", "screenshots"}'
import { join } from "node:path";
import { launchChromium, watchedPage } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const seen = { page_errors: [] };
const browser = await launchChromium(config.screenshots);
try {
  const page = await watchedPage(await browser.newContext({ viewport: { width: 1440, height: 900 } }), config.url, seen);
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
