#!/usr/bin/env bash
# The engine benchmarks in wasm, in Node.js: builds kubarium-wasm with the site's release profile
# (opt-level "z"), binds it for Node and times each workload. Compare with
# `cargo bench -p kubarium --bench engine`; results go to docs/PERFORMANCE.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
cargo build -q -p kubarium-wasm --target wasm32-unknown-unknown --release
OUT=$(mktemp -d)
wasm-bindgen --target nodejs --out-dir "$OUT" target/wasm32-unknown-unknown/release/kubarium_wasm.wasm
node "$ROOT/crates/kubarium-wasm/bench/run.cjs" "$OUT/kubarium_wasm.js" "$@"
