// Frame times of the built playground with 100 nodes and about 3,000 pods playing at 60x, in
// Debian's headless Chromium: `node tests/e2e/frames.mjs` (after `trunk build --release`).
// Not a pass/fail test (frame times depend on the machine and on what else runs): it prints
// the numbers that docs/PERFORMANCE.md records.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDirectory } from "./server.js";
import { launchChromium, openPage } from "./browser.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.DIST_DIR ?? join(HERE, "../../dist"));
const SECONDS = Number(process.env.FRAMES_SECONDS ?? 8);

// 100 nodes; a ReplicaSet of 2,900 pods that stay, and a Job that keeps 100 pods of 10 s each
// starting and finishing: at 60x, about 600 pod changes per simulated minute of churn.
const SCENARIO = `description: frame-time workload, 100 nodes and about 3,000 pods
nodes:
  - {count: 100, prefix: node}
manifests: |
  apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: steady}
  spec:
    replicas: 2900
    selector: {matchLabels: {app: steady}}
    template:
      metadata: {labels: {app: steady}}
      spec:
        containers: [{name: c, image: nginx, resources: {requests: {cpu: 10m, memory: 16Mi}}}]
  ---
  apiVersion: batch/v1
  kind: Job
  metadata: {name: churn}
  spec:
    completions: 100000
    parallelism: 100
    template:
      spec:
        restartPolicy: Never
        containers: [{name: c, image: busybox, command: ["sleep", "10"]}]
until: 1h
`;

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}

// Runs in the page before its scripts: times the work done inside each animation-frame and
// interval callback (the page's script, with the microtasks it queued: Leptos's effects), so
// the script's share of a frame can be told from the browser's style, layout and paint.
function timeCallbacks() {
  window.__scriptMs = [];
  const timed = (callback) =>
    function (...args) {
      const started = performance.now();
      try {
        return callback.apply(this, args);
      } finally {
        if (window.__measuring) {
          Promise.resolve()
            .then(() => undefined)
            .then(() => window.__scriptMs.push(performance.now() - started));
        }
      }
    };
  const requestFrame = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => requestFrame(timed(callback));
  const every = window.setInterval.bind(window);
  window.setInterval = (callback, ...rest) => every(typeof callback === "function" ? timed(callback) : callback, ...rest);
}

const server = await serveDirectory(DIST);
const browser = await launchChromium();
try {
  const page = await openPage(browser, server.url, timeCallbacks);
  await page.getByTestId("node-card").first().waitFor({ timeout: 15_000 });
  await page.getByTestId("manifest-editor").fill(SCENARIO);
  const applyStarted = Date.now();
  await page.getByTestId("apply").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node-card"]').length === 100, null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod-chip"]').length >= 2_900, null, { timeout: 60_000 });
  const applyMs = Date.now() - applyStarted;
  const chips = await page.getByTestId("pod-chip").count();
  await page.getByTestId("speed").selectOption("60");
  const result = await page.evaluate(async (seconds) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    });
    observer.observe({ type: "longtask", buffered: false });
    // Long animation frames (over 50 ms): how much of each was script, style and layout.
    const longFrames = [];
    const frameObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const script = entry.scripts.reduce((sum, script) => sum + script.duration, 0);
        const styleAndLayout = entry.styleAndLayoutStart ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0;
        longFrames.push({ duration: entry.duration, script, styleAndLayout });
      }
    });
    frameObserver.observe({ type: "long-animation-frame", buffered: false });
    window.__measuring = true;
    const intervals = [];
    const clockBefore = document.querySelector('[data-testid="clock"]').textContent;
    document.querySelector('[data-testid="play"]').click();
    await new Promise((done) => {
      let last = performance.now();
      const end = last + seconds * 1000;
      const frame = (now) => {
        intervals.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(frame);
        else done();
      };
      requestAnimationFrame(frame);
    });
    document.querySelector('[data-testid="play"]').click();
    observer.disconnect();
    frameObserver.disconnect();
    window.__measuring = false;
    return { intervals, longTasks, longFrames, scriptMs: window.__scriptMs, clockBefore, clockAfter: document.querySelector('[data-testid="clock"]').textContent };
  }, SECONDS);
  const frames = stats(result.intervals);
  const over16 = result.intervals.filter((interval) => interval > 16.7 * 1.5).length;
  console.log(`apply (load, settle 10 s, render) ${applyMs} ms; ${chips} pod chips on 100 node cards`);
  console.log(`played at 60x for ${SECONDS} s of real time: ${result.clockBefore} -> ${result.clockAfter}`);
  console.log(
    `frame intervals (ms): n=${frames.count} p50=${frames.p50.toFixed(1)} p95=${frames.p95.toFixed(1)} ` +
      `p99=${frames.p99.toFixed(1)} max=${frames.max.toFixed(1)}; frames over 25 ms: ${over16}`,
  );
  const tasks = result.longTasks.length ? stats(result.longTasks) : null;
  console.log(
    tasks
      ? `long tasks (> 50 ms): ${tasks.count}, p50=${tasks.p50.toFixed(0)} max=${tasks.max.toFixed(0)} ms`
      : "long tasks (> 50 ms): none",
  );
  const script = stats(result.scriptMs.filter((ms) => ms > 0.5));
  console.log(
    `script per callback over 0.5 ms (ms): n=${script.count} p50=${script.p50?.toFixed(1)} ` +
      `p95=${script.p95?.toFixed(1)} max=${script.max?.toFixed(1)}`,
  );
  if (result.longFrames.length) {
    const sum = (key) => result.longFrames.reduce((total, frame) => total + frame[key], 0);
    const n = result.longFrames.length;
    console.log(
      `long animation frames (> 50 ms): ${n}, mean ${(sum("duration") / n).toFixed(0)} ms, of which script ` +
        `${(sum("script") / n).toFixed(0)} ms, style and layout ${(sum("styleAndLayout") / n).toFixed(0)} ms`,
    );
  }
  if (page.problems.length) console.log("page problems:", page.problems);
} finally {
  await browser.close();
  await server.close();
}
