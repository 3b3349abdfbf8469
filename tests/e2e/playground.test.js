// The built playground (trunk build --release) as a user sees it, in Debian's Chromium.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDirectory } from "./server.js";
import { launchChromium, openPage } from "./browser.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.DIST_DIR ?? join(HERE, "../../dist"));
const ARTIFACTS = join(HERE, "artifacts");

let server;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serveDirectory(DIST);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("the default example shows three node cards, each holding one running myweb-ds pod", async () => {
  const started = Date.now();
  const page = await openPage(browser, server.url);
  const cards = page.getByTestId("node-card");
  await cards.nth(2).waitFor({ timeout: 15_000 });
  const renderedMs = Date.now() - started;

  assert.equal(await cards.count(), 3);
  const nodeNames = await cards.evaluateAll((elements) => elements.map((element) => element.dataset.node));
  assert.deepEqual(nodeNames, ["node-1", "node-2", "node-3"]);
  for (const name of nodeNames) {
    const chips = page.locator(`[data-testid="node-card"][data-node="${name}"] [data-testid="pod-chip"]`);
    assert.equal(await chips.count(), 1, `one pod chip on ${name}`);
    assert.equal(await chips.getAttribute("data-owner"), "daemonset/myweb-ds");
    assert.equal(await chips.getAttribute("data-phase"), "Running");
    assert.match(await chips.innerText(), /myweb-ds-[bcdfghjklmnpqrstvwxz2456789]{5}/);
  }
  assert.equal(await page.getByTestId("pod-chip").count(), 3, "no pods outside the nodes");

  await page.screenshot({ path: join(ARTIFACTS, "slice-myweb-ds.png"), fullPage: true });
  console.log(`rendered three node cards ${renderedMs} ms after navigation`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a typo is reported at its line with kubectl's words and a hint", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  const text = await page.getByTestId("manifest-editor").inputValue();
  await page.getByTestId("manifest-editor").fill(text.replace("  selector:", "  slector:"));
  await page.getByTestId("apply").click();
  const error = page.getByTestId("error");
  await error.waitFor();
  const message = await error.innerText();
  assert.match(message, /line 6, column 3: DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.slector" \(did you mean "selector"\?\)/);
  await page.screenshot({ path: join(ARTIFACTS, "slice-typo.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("an invalid manifest shows an error and keeps the last good cluster", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("manifest-editor").fill("apiVersion: apps/v1\nkind: [DaemonSet\n");
  await page.getByTestId("apply").click();
  const error = page.getByTestId("error");
  await error.waitFor();
  assert.match(await error.innerText(), /line \d+, column \d+/);
  assert.equal(await page.getByTestId("node-card").count(), 3);
  assert.equal(await page.getByTestId("pod-chip").count(), 3);
  await page.screenshot({ path: join(ARTIFACTS, "slice-invalid-manifest.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("job-1 runs two pods at a time; at its 30s deadline four are Completed and the rest are gone", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  const job = [
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    "  name: job-1",
    "spec:",
    "  completions: 6",
    "  parallelism: 2",
    "  activeDeadlineSeconds: 30",
    "  template:",
    "    spec:",
    "      restartPolicy: Never",
    "      containers:",
    "      - name: container",
    "        image: kubetm/init",
    "",
  ].join("\n");
  await page.getByTestId("manifest-editor").fill(job);
  await page.getByTestId("apply").click();
  // Apply settles the cluster for 10s: the first two pods (pulled in 1s, running 10s) still run.
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 10s");
  const jobChips = page.locator('[data-testid="pod-chip"][data-owner="job/job-1"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="job/job-1"][data-phase="Running"]').length === 2);
  assert.equal(await jobChips.count(), 2, "parallelism 2");
  await page.getByTestId("advance-1s").click();
  await page.getByTestId("advance-1s").click();
  // t = 12s: the first two Completed, two more created in their place.
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="job/job-1"][data-phase="Succeeded"]').length === 2);
  assert.equal(await jobChips.count(), 4, "two Completed, two new");
  await page.getByTestId("advance-1m").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="job/job-1"][data-phase="Succeeded"]').length === 4);
  assert.equal(await jobChips.count(), 4, "the two pods running at the deadline were deleted, none started after");
  assert.match(await jobChips.first().innerText(), /Completed/);
  await page.screenshot({ path: join(ARTIFACTS, "job-1-deadline.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});
