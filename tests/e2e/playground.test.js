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
  assert.deepEqual(nodeNames, ["worker-1", "worker-2", "worker-3"]);
  for (const name of nodeNames) {
    const chips = page.locator(`[data-testid="node-card"][data-node="${name}"] [data-testid="pod-chip"]`);
    assert.equal(await chips.count(), 1, `one pod chip on ${name}`);
    assert.equal(await chips.getAttribute("data-owner"), "daemonset/myweb-ds");
    assert.equal(await chips.getAttribute("data-phase"), "Running");
    assert.match(await chips.innerText(), /myweb-ds-[bcdfghjklmnpqrstvwxz2456789]{5}/);
  }
  assert.equal(await page.getByTestId("pod-chip").count(), 3, "no pods outside the nodes");

  // Focusing a chip from the keyboard shows its details, as hovering does (its title).
  await page.getByTestId("pod-chip").first().focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  const details = await page
    .getByTestId("pod-chip")
    .first()
    .evaluate((chip) => getComputedStyle(chip, "::after").content);
  assert.match(details, /myweb-ds-\w+ \(Running\) owned by daemonset\/myweb-ds/);

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
  assert.match(message, /line 10, column 5: DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.slector" \(did you mean "selector"\?\)/);
  // The editor marks the line itself: its number in the gutter, the problem after the line.
  const editor = page.getByTestId("code-editor");
  assert.equal(await editor.locator(".code-gutter .marked").innerText(), "10");
  assert.match(await editor.locator(".y-problem").innerText(), /unknown field "spec.slector" \(did you mean "selector"\?\)/);
  assert.equal(await editor.locator(".y-marked .y-key").innerText(), "slector");
  assert.ok(await editor.locator(".y-problem").isVisible(), "the marked line is scrolled into view");
  await page.screenshot({ path: join(ARTIFACTS, "slice-typo.png"), fullPage: true });

  // Typing elsewhere keeps the view where the user is: only an apply scrolls to a problem.
  const area = page.getByTestId("manifest-editor");
  const bottom = await area.evaluate((element) => {
    element.focus();
    element.setSelectionRange(element.value.length, element.value.length);
    element.scrollTop = element.scrollHeight;
    return element.scrollTop;
  });
  assert.ok(bottom > 0, "the text is longer than the box");
  await page.keyboard.type("#");
  await page.keyboard.press("Backspace");
  // (The browser may nudge the view to keep the caret in it; scrolling back to line 10 would
  // take it near the top.)
  const after = await area.evaluate((element) => element.scrollTop);
  assert.ok(after > bottom - 60, `stayed near the bottom: ${after} of ${bottom}`);

  // Tab indents the line under the caret by two spaces; Shift+Tab takes them back.
  const before = await area.inputValue();
  await area.evaluate((element) => {
    const at = element.value.indexOf("kind: DaemonSet");
    element.focus();
    element.setSelectionRange(at, at);
  });
  await page.keyboard.press("Tab");
  assert.match(await area.inputValue(), /\n    kind: DaemonSet\n/);
  await page.keyboard.press("Shift+Tab");
  assert.equal(await area.inputValue(), before);
  // A line added or removed since the apply: the marks could be wrong, so they go.
  await page.keyboard.press("Enter");
  assert.equal(await editor.locator(".y-problem").count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a very long text is shown plain, with its line numbers", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  const editor = page.getByTestId("code-editor");
  const area = page.getByTestId("manifest-editor");
  assert.ok((await editor.locator(".code-copy").innerText()).includes("apiVersion"), "coloured copy");
  const long = "# a comment long enough to make the text big\n".repeat(5_000) + "kind: Pod\n";
  // As a paste would (Playwright's fill waits on such a box for longer than the test runs).
  const setText = (text) =>
    area.evaluate((element, value) => {
      element.value = value;
      element.dispatchEvent(new Event("input", { bubbles: true }));
    }, text);
  await setText(long);
  assert.match((await area.getAttribute("class")) ?? "", /\bplain\b/);
  assert.equal(await editor.locator(".code-copy").innerText(), "");
  assert.match(await editor.locator(".code-gutter").innerText(), /\n5001\n/);
  await setText("kind: Pod\n");
  assert.doesNotMatch((await area.getAttribute("class")) ?? "", /\bplain\b/);
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
  // The timeline keeps all six lives: two lanes (parallelism 2), four bars that succeeded and
  // two deleted before finishing at the deadline.
  const row = page.locator('[data-testid="timeline-row"][data-job="job-1"]');
  assert.equal(await row.getAttribute("data-lanes"), "2");
  assert.equal(await row.locator(".tl-bar.succeeded").count(), 4);
  assert.equal(await row.locator(".tl-bar.removed").count(), 2);
  // The row draws the deadline where the deleted bars stop, and says how the Job ended.
  assert.equal(await row.getByTestId("timeline-deadline").count(), 1);
  assert.match(await row.getByTestId("timeline-deadline").getAttribute("title"), /at 30s$/);
  assert.equal(await row.getAttribute("data-condition"), "Failed");
  // Failed once the deleted pods are gone, at the next sync a second later (syncJobBatchPeriod).
  assert.equal(await row.getByTestId("job-end").innerText(), "Failed: DeadlineExceeded at 31s");
  // The Job ends Failed (DeadlineExceeded), as `kubectl get jobs` and the events say.
  await page.getByRole("tab", { name: "jobs", exact: true }).click();
  assert.match(await page.getByTestId("kubectl-table").locator("tbody tr").first().innerText(), /^job-1\s+Failed\s+4\/6/);
  await page.getByRole("tab", { name: "events", exact: true }).click();
  await page.getByTestId("table-filter").fill("DeadlineExceeded");
  assert.match(await page.getByTestId("kubectl-table").locator("tbody").innerText(), /job\/job-1\s+Job was active longer than specified deadline/);
  await page.getByTestId("table-filter").fill("");
  await page.screenshot({ path: join(ARTIFACTS, "job-1-deadline.png"), fullPage: true });

  // Rewind: the scrubber spans the run so far; dragging it back shows the cluster as it was.
  const scrubber = page.getByTestId("scrubber");
  const end = Number(await scrubber.evaluate((input) => input.max));
  assert.equal(end, 72_000, "played to 10s + 1s + 1s + 1m");
  const scrubTo = (ms) =>
    scrubber.evaluate((input, value) => {
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, ms);
  // At 13s: the first two Completed, the second wave (created at 12s, a second after them, by
  // the Job controller's batched sync) Running, one of them after a 1s image pull.
  await scrubTo(13_000);
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 13s");
  assert.equal(await page.locator('[data-owner="job/job-1"][data-phase="Succeeded"]').count(), 2);
  assert.equal(await page.locator('[data-owner="job/job-1"][data-phase="Running"]').count(), 2);
  assert.match(await page.getByTestId("rewound").innerText(), /Rewound/);
  assert.equal(await page.getByTestId("scrubber-times").innerText(), "13s / 1m12s");
  await page.screenshot({ path: join(ARTIFACTS, "job-1-rewound.png"), fullPage: true });
  await scrubTo(end);
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 1m12s");
  assert.equal(await page.locator('[data-owner="job/job-1"][data-phase="Succeeded"]').count(), 4);
  assert.equal(await page.getByTestId("rewound").count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("sleep-cj under Forbid shows runs held back in its lane; compare plays Allow, Forbid and Replace side by side", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("example-picker").selectOption("sleep-cj-forbid");
  await page.getByTestId("jump").fill("4m30s");
  await page.getByTestId("jump").press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 4m30s");
  const cronRow = page.locator('[data-testid="timeline"] [data-testid="cron-row"][data-cronjob="sleep-cj"]');
  // Runs at 1m, 2m22s and 3m44s; at 2m, 3m and 4m the active run holds the next one back.
  assert.equal(await cronRow.getAttribute("data-started"), "3");
  assert.equal(await cronRow.getAttribute("data-held"), "3");
  assert.equal(await cronRow.locator(".cron-mark.held-back").count(), 3);
  assert.equal(await page.locator('[data-testid="timeline-row"][data-replaced="true"]').count(), 0);
  await page.screenshot({ path: join(ARTIFACTS, "sleep-cj-forbid-lane.png"), fullPage: true });

  await cronRow.getByTestId("compare").click();
  const policies = page.getByTestId("compare-policy");
  await policies.nth(2).waitFor();
  assert.deepEqual(await policies.evaluateAll((elements) => elements.map((element) => element.dataset.policy)), ["Allow", "Forbid", "Replace"]);
  const row = (policy) => page.locator(`[data-testid="compare-policy"][data-policy="${policy}"] [data-testid="cron-row"]`);
  assert.equal(await row("Allow").getAttribute("data-started"), "4", "a run every minute: 1m, 2m, 3m, 4m");
  assert.equal(await row("Allow").getAttribute("data-held"), "0");
  assert.equal(await row("Forbid").getAttribute("data-held"), "3");
  assert.equal(await row("Replace").getAttribute("data-started"), "4");
  assert.equal(await row("Replace").getAttribute("data-replaced"), "3", "each new run deletes the one still running");
  assert.equal(
    await page.locator('[data-testid="compare-policy"][data-policy="Replace"] [data-testid="timeline-row"][data-replaced="true"]').count(),
    3,
  );
  await page.getByTestId("compare-view").screenshot({ path: join(ARTIFACTS, "sleep-cj-compare.png") });

  // Going back in time with the same field rewinds.
  await page.getByTestId("jump").fill("90s");
  await page.getByTestId("jump").press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 1m30s");
  assert.equal(await cronRow.getAttribute("data-started"), "1");
  assert.equal(await page.getByTestId("scrubber-times").innerText(), "1m30s / 4m30s");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the HPA example draws its autoscaler; the load slider runs the load command and the HPA scales out", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("example-picker").selectOption("hpa-scale-out-in");
  const box = page.locator('[data-testid="autoscaler"][data-hpa="web"]');
  await box.waitFor();
  const replicasBefore = await box.getByTestId("autoscaler-replicas").innerText();
  // Before its first sync the HPA's status has no replicas yet, as `kubectl get hpa` shows.
  assert.match(replicasBefore, /^replicas [01] (→ \d+ )?\(min 1, max 10\)$/);
  await box.getByTestId("load-slider").evaluate((input) => {
    input.value = "200";
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="command-result"]')?.textContent.includes("load deployment/web --cpu=200%"));
  assert.match(await box.innerText(), /load --cpu=200%/);
  // The HPA syncs every 15s: 200% of the request against a 50% target means four times the pods.
  await page.getByTestId("jump").fill("30s");
  await page.getByTestId("jump").press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 30s");
  assert.match(await box.getByTestId("autoscaler-targets").innerText(), /^cpu: \d+%\/50%$/);
  // The sync at 15s saw 1 replica and wants 4 (status.currentReplicas/desiredReplicas).
  assert.match(await box.getByTestId("autoscaler-replicas").innerText(), /^replicas 1 → 4 /);
  assert.equal(await page.locator('[data-testid="pod-chip"][data-owner^="replicaset/web-"]').count(), 4);
  await page.screenshot({ path: join(ARTIFACTS, "hpa-slider.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("daemonset-1 from the gallery runs only on centos nodes; labelling a node from the kubectl line adds a pod", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("example-picker").selectOption("daemonset-1");
  await page.waitForFunction(() => document.querySelector('[data-testid="node-card"]')?.dataset.node === "c1");
  const chipsOn = (node) => page.locator(`[data-testid="node-card"][data-node="${node}"] [data-testid="pod-chip"]`);
  assert.equal(await chipsOn("c1").count(), 1, "the centos node runs the daemon pod");
  assert.equal(await chipsOn("u1").count(), 0, "ubuntu nodes do not");
  assert.equal(await chipsOn("u2").count(), 0);
  assert.match(await page.getByTestId("watch").innerText(), /os=centos/);
  const whyNot = page.locator('[data-testid="node-card"][data-node="u1"] [data-testid="why-not"]');
  await whyNot.locator("summary").click();
  assert.match(await whyNot.innerText(), /daemonset\/daemonset-1: node\(s\) didn't match Pod's node affinity\/selector/);
  await page.getByTestId("command").fill("label node u2 os=centos --overwrite");
  await page.getByTestId("command").press("Enter");
  await page.getByTestId("command-result").waitFor();
  assert.match(await page.getByTestId("command-result").innerText(), /label node u2 os=centos/);
  await page.getByTestId("advance-1s").click();
  await page.getByTestId("advance-1s").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-node="u2"] [data-testid="pod-chip"]').length === 1);
  await page.getByRole("tab", { name: "daemonsets" }).click();
  const table = page.getByTestId("kubectl-table");
  const headers = await table.locator("th").allInnerTexts();
  assert.deepEqual(headers, ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]);
  assert.match(await table.locator("tbody tr").first().innerText(), /daemonset-1\s+2\s+2/);
  const refused = page.getByTestId("command");
  await refused.fill("cordon nowhere");
  await refused.press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="command-result"]')?.textContent.includes("not found"));
  await page.screenshot({ path: join(ARTIFACTS, "gallery-daemonset-1.png"), fullPage: true });

  // The add-node form: a centos node gets the daemon pod; a tainted one does not, and says why.
  await page.getByTestId("add-node").locator("summary").click();
  const addNode = async (fields) => {
    for (const [field, value] of Object.entries(fields)) {
      await page.getByTestId(`add-node-${field}`).fill(value);
    }
    await page.getByTestId("add-node-submit").click();
  };
  await addNode({ name: "c2", labels: "os=centos", taints: "", cpu: "8", memory: "16Gi", pods: "20" });
  await page.waitForFunction(() => document.querySelector('[data-testid="command-result"]')?.textContent.includes("add node c2 os=centos --cpu=8 --memory=16Gi --pods=20"));
  await addNode({ name: "c3", labels: "os=centos", taints: "dedicated=db:NoSchedule", cpu: "", memory: "", pods: "" });
  await page.getByTestId("advance-1s").click();
  await page.getByTestId("advance-1s").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-node="c2"] [data-testid="pod-chip"]').length === 1);
  assert.equal(await chipsOn("c3").count(), 0, "the daemon pod does not tolerate dedicated=db");
  assert.match(await page.locator('[data-node="c2"]').innerText(), /0m \/ 8000m/);
  assert.match(await page.locator('[data-node="c3"] .taints').innerText(), /dedicated=db:NoSchedule/);
  const whyNotC3 = page.locator('[data-testid="node-card"][data-node="c3"] [data-testid="why-not"]');
  await whyNotC3.locator("summary").click();
  assert.match(await whyNotC3.innerText(), /untolerated taint/);
  // A chip that just appeared animates in; the others do not.
  assert.match(await chipsOn("c2").getAttribute("class"), /chip-new/);
  await addNode({ name: "Bad_Name", labels: "", taints: "", cpu: "", memory: "", pods: "" });
  await page.waitForFunction(() => document.querySelector('[data-testid="command-result"]')?.textContent.includes("invalid node name"));
  // "label…" on a card writes the command on the kubectl line for the user to finish.
  await page.locator('[data-node="c3"]').getByRole("button", { name: "label…" }).click();
  assert.equal(await page.getByTestId("command").inputValue(), "label node c3 ");
  await page.screenshot({ path: join(ARTIFACTS, "add-node-form.png"), fullPage: true });

  // Read-only commands answer with kubectl's output and change nothing.
  await page.getByTestId("command").fill("rollout status ds/daemonset-1");
  await page.getByTestId("command").press("Enter");
  await page.getByTestId("query-output").waitFor();
  assert.match(await page.getByTestId("query-output").innerText(), /daemon set "daemonset-1" successfully rolled out/);
  await page.getByTestId("command").fill("get pods -o wide");
  await page.getByTestId("command").press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="query-output"]')?.textContent.includes("NOMINATED NODE"));
  // The pods tab prints kubectl's narrow table, and its wide one when asked.
  await page.getByRole("tab", { name: "pods", exact: true }).click();
  const podHeaders = () => page.getByTestId("kubectl-table").locator("th").allInnerTexts();
  assert.deepEqual(await podHeaders(), ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
  await page.getByTestId("wide").check();
  assert.deepEqual(await podHeaders(), ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
  await page.getByTestId("table-filter").fill("c2");
  assert.equal(await page.getByTestId("kubectl-table").locator("tbody tr").count(), 1, "only the pod on c2");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the rolling-update example replaces the pods one node at a time after its set image action", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("example-picker").selectOption("ds-rolling-update");
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 10s");
  assert.match(await page.getByTestId("action-log").innerText(), /1m\s+set image daemonset\/myweb-ds/);
  await page.getByTestId("advance-1m").click();
  // t = 1m10s: worker-1's pod was replaced at 1m, the next goes when it has been ready 10s.
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 1m10s");
  await page.getByRole("tab", { name: "daemonsets" }).click();
  assert.match(await page.getByTestId("kubectl-table").locator("tbody tr").first().innerText(), /myweb-ds\s+3\s+3\s+3\s+1\s+2/);
  await page.screenshot({ path: join(ARTIFACTS, "gallery-rolling-update.png"), fullPage: true });
  await page.getByTestId("advance-1m").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 2m10s");
  assert.match(await page.getByTestId("kubectl-table").locator("tbody tr").first().innerText(), /myweb-ds\s+3\s+3\s+3\s+3\s+3/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a reload keeps the editor's text, and a bad text keeps the last cluster that applied", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("example-picker").selectOption("mypi-para");
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="job/mypi-para"]').length === 3);
  const applied = await page.getByTestId("manifest-editor").inputValue();
  await page.reload();
  await page.getByTestId("node-card").first().waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId("manifest-editor").inputValue(), applied);
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="job/mypi-para"]').length === 3);
  // A bad paste: kept in the editor across a reload, but the cluster is the last good one.
  await page.getByTestId("manifest-editor").fill("apiVersion: batch/v1\nkind: [Job\n");
  await page.reload();
  await page.getByTestId("error").waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId("manifest-editor").inputValue(), "apiVersion: batch/v1\nkind: [Job\n");
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="job/mypi-para"]').length === 3);
  await page.screenshot({ path: join(ARTIFACTS, "reload-keeps-work.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("keyboard: → goes to the next event and Space plays and pauses, but not while typing or on a chip", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  const clock = page.getByTestId("clock");
  const before = await clock.innerText();
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((text) => document.querySelector('[data-testid="clock"]').textContent !== text, before);
  await page.keyboard.press(" ");
  assert.equal(await page.getByTestId("play").getAttribute("aria-pressed"), "true");
  await page.keyboard.press(" ");
  assert.equal(await page.getByTestId("play").getAttribute("aria-pressed"), "false");
  await page.getByTestId("command").fill("");
  await page.getByTestId("command").press(" ");
  assert.equal(await page.getByTestId("play").getAttribute("aria-pressed"), "false", "a space typed is a space");
  // Space on a focused pod chip opens its pod, and does not play.
  await page.getByTestId("pod-chip").first().focus();
  await page.keyboard.press(" ");
  await page.getByTestId("describe").waitFor();
  assert.equal(await page.getByTestId("play").getAttribute("aria-pressed"), "false", "space on a chip describes it");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("clicking a pod chip opens kubectl describe with the pod's events", async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  const chip = page.getByTestId("pod-chip").first();
  const name = (await chip.locator(".pod-name").innerText()).trim();
  await chip.click();
  const panel = page.getByTestId("describe");
  await panel.waitFor();
  const text = await panel.innerText();
  assert.match(text, new RegExp(`Name:\\s+${name}`));
  assert.match(text, /Controlled By:\s+DaemonSet\/myweb-ds/);
  assert.match(text, /Events:\s+Type\s+Reason\s+Age\s+From\s+Message/);
  assert.match(text, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\//);
  await page.screenshot({ path: join(ARTIFACTS, "describe-pod.png") });
  assert.deepEqual(page.problems, []);
  await page.close();
});
