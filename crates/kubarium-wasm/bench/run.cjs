// Times the core's benchmark workloads in wasm (see run.sh).
const { performance } = require("node:perf_hooks");
const kubarium = require(process.argv[2]);
const only = process.argv[3];
const scale = Number(process.env.BENCH_SCALE ?? 1);
const workloads = [
  ["daemonset: 5,000 nodes", "daemonset", 5000, 0],
  [`bare pods: ${150000 / scale} pods on ${5000 / scale} nodes`, "bare", 5000 / scale, 150000 / scale],
  [`job: ${100000 / scale} completions, parallelism ${1000 / scale}`, "job", 20, 100000 / scale],
  [`cron: * * * * * for ${Math.floor(365 / scale)} days`, "cron", 2, Math.floor(365 / scale)],
];
for (const [label, name, nodes, pods] of workloads) {
  if (only && !name.includes(only)) continue;
  const started = performance.now();
  const outcome = kubarium.runBenchmark(name, nodes, pods);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(40)} ${seconds.toFixed(3).padStart(8)} s  pods ${outcome.pods}  running ${outcome.runningPods}  steps ${outcome.steps}  events ${outcome.events}`);
}
console.log(`peak resident memory (node process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
