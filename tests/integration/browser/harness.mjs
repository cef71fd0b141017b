// What the browser scripts share: Debian's chromium (no browser download), and pages that
// record into `seen` every request leaving the server's origin and every script error.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

export const timeout = 30_000;

export async function launchChromium(screenshots) {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    // Root in a container has no user namespaces for chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export async function watchedPage(context, url, seen, label = "", pageTimeout = timeout) {
  const page = await context.newPage();
  page.setDefaultTimeout(pageTimeout);
  const origin = new URL(url).origin;
  seen.external_requests ??= [];
  seen.page_errors ??= [];
  page.on("request", (request) => {
    const target = request.url();
    if (!target.startsWith(origin) && !target.startsWith("data:") && !target.startsWith("blob:")) seen.external_requests.push(target);
  });
  page.on("pageerror", (error) => seen.page_errors.push(label ? `${label}: ${error.message}` : error.message));
  return page;
}
