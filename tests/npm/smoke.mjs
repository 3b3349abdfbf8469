// Smoke test of the npm package (target web) in Node: load a scenario, run a command, read a
// table, make a share link and reopen it, and get a structured error for a bad manifest.
// Usage: node tests/npm/smoke.mjs target/npm/web
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = resolve(process.argv[2] ?? "target/npm/web");
const { default: init, Simulation } = await import(pathToFileURL(join(dir, "kubarium.js")).href);
await init({ module_or_path: readFileSync(join(dir, "kubarium_bg.wasm")) });

const manifests = `apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  completions: 4
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: perl}]
`;
const simulation = Simulation.load(manifests);
simulation.runUntil(5_000);
simulation.run("cordon node-3");
simulation.runUntil(120_000);
const jobs = simulation.get("jobs");
assert.deepEqual(jobs.headers.slice(0, 3), ["NAME", "STATUS", "COMPLETIONS"]);
assert.equal(jobs.rows[0][2], "4/4");
const snapshot = simulation.snapshot();
assert.equal(snapshot.nodes.length, 3);
const again = Simulation.fromLink("#" + simulation.shareFragment());
assert.equal(again.eventLog(), simulation.eventLog());

try {
  Simulation.load(manifests.replace("parallelism", "paralelism"));
  assert.fail("a typo must throw");
} catch (error) {
  assert.equal(error.name, "ManifestError");
  assert.equal(error.line, 6);
  assert.equal(error.problems[0].path, "spec.paralelism");
  assert.equal(error.problems[0].hint, "parallelism");
}
console.log(`npm package OK: ${jobs.rows[0].join("  ")}; ${snapshot.nodes.length} nodes; link ${simulation.shareFragment().length} characters`);
