// Share links, embeds and safety, on the built site served under a sub-path with a strict
// Content-Security-Policy, and a "blog" on another origin that embeds it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDirectory } from "./server.js";
import { launchChromium, openPage } from "./browser.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.DIST_DIR ?? join(HERE, "../../dist"));
const ARTIFACTS = join(HERE, "artifacts");
/** The policy the README documents: no inline script, no eval, wasm allowed. */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors *";

let site;
let blog;
let blogRoot;
let browser;
let playground;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The site lives under a sub-path, as on a static host's project page.
  const siteRoot = mkdtempSync(join(tmpdir(), "kubarium-site-"));
  mkdirSync(join(siteRoot, "tools"));
  symlinkSync(DIST, join(siteRoot, "tools", "kubarium"));
  // As GitHub Pages does: module scripts from another origin need CORS.
  site = await serveDirectory(siteRoot, {
    headers: { "content-security-policy": CSP, "access-control-allow-origin": "*" },
  });
  playground = `${site.url}tools/kubarium/`;
  blogRoot = mkdtempSync(join(tmpdir(), "kubarium-blog-"));
  blog = await serveDirectory(blogRoot);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await blog?.close();
});

async function chipNames(page) {
  return (await page.getByTestId("pod-chip").allInnerTexts()).map((text) => text.trim()).sort();
}

test("a share link opens the same cluster at the same time, with the commands typed before", async () => {
  const page = await openPage(browser, playground);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("command").fill("add node worker-4 disktype=ssd");
  await page.getByTestId("command").press("Enter");
  await page.getByTestId("command-result").waitFor();
  await page.getByTestId("advance-1m").click();
  await page.getByTestId("node-card").nth(3).waitFor();
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  assert.ok(link.startsWith(`${playground}#s=`), link);
  console.log(`share link of the default example after one command: ${link.length} characters`);
  assert.ok(link.length < 2000, `${link.length} characters`);
  assert.match(await page.getByTestId("download").getAttribute("href"), /^data:text\/yaml;charset=utf-8,/);
  assert.match(await page.getByTestId("share-element").inputValue(), /<kubarium-playground autoplay>\n/);
  await page.screenshot({ path: join(ARTIFACTS, "share-panel.png"), fullPage: true });
  const clock = await page.getByTestId("clock").innerText();
  const chips = await chipNames(page);
  assert.equal(chips.length, 4);

  const opened = await openPage(browser, link);
  await opened.getByTestId("node-card").nth(3).waitFor({ timeout: 15_000 });
  assert.equal(await opened.getByTestId("clock").innerText(), clock);
  assert.deepEqual(await chipNames(opened), chips, "the same pods, with the same generated names");
  assert.match(await opened.getByTestId("action-log").innerText(), /add node worker-4 disktype=ssd/);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(opened.problems, []);
  await page.close();
  await opened.close();
});

test("the time zone database is fetched only for a manifest that names a time zone, and then plays it", async () => {
  const page = await openPage(browser, playground);
  const fetched = [];
  page.on("request", (request) => {
    if (request.url().endsWith("/tzdata.bin")) fetched.push(request.url());
  });
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("example-picker").selectOption("sleep-cj-allow");
  await page.getByTestId("jump").fill("1m30s");
  await page.getByTestId("jump").press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 1m30s");
  assert.equal(await page.locator('[data-testid="cron-row"][data-cronjob="sleep-cj"]').getAttribute("data-started"), "1");
  assert.deepEqual(fetched, [], "no time zone, no download");

  const scenario = readFileSync(join(HERE, "../scenarios/cronjob-timezone-spring.yaml"), "utf8");
  await page.getByTestId("manifest-editor").fill(scenario);
  await page.getByTestId("apply").click();
  const nightly = page.locator('[data-testid="cron-row"][data-cronjob="nightly"]');
  await page.getByTestId("jump").fill("72h");
  await page.getByTestId("jump").press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="clock"]')?.textContent === "t = 3d");
  // 02:30 in Paris: a run on the 28th (CET) and the 30th (CEST), none on the 29th (skipped).
  assert.equal(await nightly.getAttribute("data-started"), "2");
  assert.deepEqual(fetched, [`${playground}tzdata.bin`]);

  await page.getByTestId("manifest-editor").fill(scenario.replace("Europe/Paris", "Europe/Pariss"));
  await page.getByTestId("apply").click();
  const error = page.getByTestId("error");
  await error.waitFor();
  assert.match(await error.innerText(), /unknown time zone Europe\/Pariss/);
  assert.equal(fetched.length, 1, "fetched once");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a damaged link shows what is wrong over an empty playground", async () => {
  const page = await openPage(browser, `${playground}#s=AAAAAAA-_`);
  const error = page.getByTestId("error").first();
  await error.waitFor({ timeout: 15_000 });
  assert.match(await error.innerText(), /This share link could not be opened: the link is damaged/);
  assert.equal(await page.getByTestId("node-card").count(), 0);
  assert.equal(await page.getByTestId("manifest-editor").inputValue(), "");
  assert.deepEqual(page.problems, []);
  await page.close();
});

const DAEMONSET = `description: "<img src=x onerror=\\"window.__xss = 'description'\\">"
nodes:
  - {count: 2, prefix: web}
manifests: |
  apiVersion: apps/v1
  kind: DaemonSet
  metadata:
    name: agent
    annotations: {note: "<script>window.__xss = 'annotation'</script>"}
  spec:
    selector: {matchLabels: {app: agent}}
    template:
      metadata: {labels: {app: agent}}
      spec: {containers: [{name: agent, image: busybox}]}
`;
const PINNED = `apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  nodeName: node-2
  containers: [{name: web, image: nginx}]
`;

function indent(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").split("\n").map((line) => `      ${line}`).join("\n");
}

test("two <kubarium-playground> elements and an iframe on a blog each play their own cluster", async () => {
  // The iframe snippet comes from the Share panel, as a blogger would copy it.
  const source = await openPage(browser, playground);
  await source.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await source.getByTestId("share").click();
  const iframeSnippet = await source.getByTestId("share-iframe").inputValue();
  await source.close();

  writeFileSync(
    join(blogRoot, "post.html"),
    `<!doctype html><html><head><meta charset="utf-8"><title>A post</title><link rel="icon" href="data:,">
    <style>iframe, div { border: 5px solid red !important; } button { display: none; }</style>
    <script type="module" src="${playground}kubarium-playground.js"></script></head>
    <body><h1>DaemonSets and nodeName</h1>
    <kubarium-playground id="first" autoload>
${indent(DAEMONSET)}
    </kubarium-playground>
    <p>Between the two.</p>
    <kubarium-playground id="second" title="A pod pinned to node-2">
${indent(PINNED)}
    </kubarium-playground>
    ${iframeSnippet.replace('loading="lazy"', 'id="third"')}
    </body></html>`,
  );
  const page = await openPage(browser, `${blog.url}post.html`);
  const first = page.frameLocator("#first >> iframe");
  await first.getByTestId("node-card").nth(1).waitFor({ timeout: 20_000 });
  // Click-to-load: the second element has no frame, hence no wasm, until it is asked for.
  assert.equal(await page.locator("#second iframe").count(), 0);
  assert.match(await page.locator("#second").evaluate((element) => element.shadowRoot.textContent), /A pod pinned to node-2/);
  const clicked = Date.now();
  await page.locator("#second").evaluate((element) => element.shadowRoot.querySelector("button").click());
  const second = page.frameLocator("#second >> iframe");
  await second.getByTestId("node-card").nth(2).waitFor({ timeout: 20_000 });
  console.log(`click-to-load: the second element showed its cluster ${Date.now() - clicked} ms after the click`);
  const third = page.frameLocator("#third");
  await third.getByTestId("node-card").nth(2).waitFor({ timeout: 20_000 });

  assert.deepEqual(
    await first.getByTestId("node-card").evaluateAll((cards) => cards.map((card) => card.dataset.node)),
    ["web-1", "web-2"],
  );
  assert.equal(await first.getByTestId("pod-chip").count(), 2);
  assert.equal(await second.getByTestId("pod-chip").count(), 1);
  assert.equal(
    await second.locator('[data-node="node-2"] [data-testid="pod-chip"]').getAttribute("data-phase"),
    "Running",
  );
  assert.equal(await third.getByTestId("pod-chip").count(), 3);
  // Each frame reports its height and the element follows it.
  await page.waitForFunction(() => parseInt(document.querySelector("#first").shadowRoot.querySelector("iframe").style.height, 10) !== 480);
  // Nothing in the scenario ran as script, in the blog or in the frames.
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  for (const frame of page.frames()) {
    assert.equal(await frame.evaluate(() => window.__xss), undefined, frame.url());
  }
  assert.match(await first.locator(".description").innerText(), /<img src=x onerror=/);
  // Chromium does not paint a frame that is wholly off screen: make the window tall enough for
  // all three, and let the chips' entry animation finish.
  await page.setViewportSize({ width: 1440, height: 1700 });
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(ARTIFACTS, "embed-blog.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("markup in names, labels, fields and commands is shown as text and never runs", async () => {
  const page = await openPage(browser, playground);
  await page.getByTestId("node-card").nth(2).waitFor({ timeout: 15_000 });
  await page.getByTestId("command").fill(`label node worker-1 x=<img src=x onerror="window.__xss='label'">`);
  await page.getByTestId("command").press("Enter");
  await page.getByTestId("command-result").waitFor();
  await page.getByTestId("manifest-editor").fill(
    `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  "<img src=x onerror=window.__xss='field'>": 1\n  containers: [{name: c, image: nginx}]\n`,
  );
  await page.getByTestId("apply").click();
  await page.getByTestId("error").waitFor();
  assert.match(await page.getByTestId("error").innerText(), /unknown field "spec.<img src=x onerror=window.__xss='field'>"/);
  assert.equal(await page.locator("img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(page.problems, []);
  await page.close();
});
