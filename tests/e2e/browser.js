// Debian's Chromium, driven by playwright-core (which never downloads a browser of its own).
// `launch` gives every browser a fresh, temporary profile (user data dir) of its own.
import { chromium } from "playwright-core";

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--disable-dev-shm-usage",
];

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_FLAGS,
  });
}

/**
 * Opens a page that records console errors and uncaught exceptions in `page.problems`;
 * `initScript`, if given, runs in the page before any of its own scripts.
 */
export async function openPage(browser, url, initScript) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  if (initScript) await page.addInitScript(initScript);
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) page.problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url);
  return page;
}
