#!/usr/bin/env bash
# Builds the harness once per YAML library: wasm size (raw, after wasm-opt -Oz, gzipped) and the
# native behaviour on hostile input. wasm-opt must be on PATH (scripts/wasm-opt).
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/yaml-compare-target}
for library in base serde_yaml serde_yaml_ng serde_norway saphyr; do
  cargo build -q --release --target wasm32-unknown-unknown --no-default-features --features "$library"
  wasm=$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/yaml_compare.wasm
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$wasm" -o /tmp/yaml-compare-$library.wasm
  printf '%-14s wasm raw %7d  opt %7d  opt+gzip %7d\n' "$library" "$(stat -c %s "$wasm")" \
    "$(stat -c %s /tmp/yaml-compare-$library.wasm)" "$(gzip -9c /tmp/yaml-compare-$library.wasm | wc -c)"
done
for library in serde_yaml serde_yaml_ng serde_norway saphyr; do
  echo "$library:"
  timeout 120 cargo run -q --release --example hostile --no-default-features --features "$library" || echo "  (exited with $?)"
done
