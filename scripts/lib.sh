# Shared helpers of scripts/serve and scripts/test: install what is missing, skip what is there.
# Sourced, not run. Every install step checks first, so a second run starts at once.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRUNK_VERSION=0.21.14
# wasm-bindgen's CLI must equal the wasm-bindgen crate in Cargo.lock, so read it from there.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock")
export PATH="$ROOT/scripts/wasm-opt/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk asks crates.io for a newer version of itself on every build; nothing here needs that.
export TRUNK_SKIP_VERSION_CHECK=true

STAGE_TIMES=()
log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Runs "$@" as a named stage and remembers how long it took.
stage() {
  local name=$1; shift
  local started=$SECONDS
  log "$name"
  "$@"
  STAGE_TIMES+=("$(printf '%5ss  %s' $((SECONDS - started)) "$name")")
}

print_stage_times() {
  log "stage times"
  printf '%s\n' "${STAGE_TIMES[@]}" >&2
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -q
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# The wasm32 target. rustup first; if it cannot download, Debian's rustc-web with build-std
# (see README, "Building without rustup's wasm target").
WASM_FALLBACK=0
ensure_wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then return; fi
  if rustup target add wasm32-unknown-unknown; then return; fi
  log "rustup could not add wasm32-unknown-unknown; falling back to Debian's rustc-web"
  apt_install rustc-web cargo-web rust-web-src lld-22
  WASM_FALLBACK=1
}

# Runs a command that builds for wasm32, with the fallback toolchain's settings when in use.
# They are set only here: in .cargo/config.toml they would rebuild std for native builds too.
wasm_env() {
  if [ "$WASM_FALLBACK" -eq 1 ]; then
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort "$@"
  else
    "$@"
  fi
}

ensure_trunk() {
  if trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then return; fi
  # Trunk 0.22 needs a newer rustc than this machine's 1.95; 0.21.14 builds with it.
  cargo install --locked "trunk@$TRUNK_VERSION"
}

ensure_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then return; fi
  # Not --locked: one version pinned in its lock file is missing from the registry reached here.
  cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
}

WASM_PACK_VERSION=0.13.1
ensure_wasm_pack() {
  if wasm-pack --version 2>/dev/null | grep -qE "^wasm-pack (0\.1[3-9]|[1-9])"; then return; fi
  cargo install --locked "wasm-pack@$WASM_PACK_VERSION"
}

ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then return; fi
  apt_install nodejs npm
}

# `npm ci` in a folder unless its node_modules already matches its package-lock.json.
ensure_npm_packages() {
  local dir=$1
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# wasm-opt version_132 from npm's binaryen, first on PATH (Trunk.toml pins that version).
ensure_wasm_opt() {
  ensure_node
  ensure_npm_packages "$ROOT/scripts/wasm-opt"
  wasm-opt --version | grep -q 'version 132' || { log "wasm-opt on PATH is not version 132"; return 1; }
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  apt_install chromium chromium-driver
}

ensure_build_tools() {
  stage "wasm32 target" ensure_wasm_target
  stage "wasm-opt (npm binaryen 132)" ensure_wasm_opt
  stage "wasm-bindgen CLI $WASM_BINDGEN_VERSION" ensure_wasm_bindgen
  stage "trunk $TRUNK_VERSION" ensure_trunk
}
