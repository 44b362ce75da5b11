# Sourced by scripts/run and scripts/test: the release server and the site (WASM bundle, JS
# glue, CSS, assets) — unless nothing they are made from has changed since a build on this
# machine, in which case that build is reused as it is (no compile, no wasm-bindgen, no
# optimiser, no link: a restart serves in seconds). Builds are kept by the hash of their inputs
# under $PMS_CACHE/builds (the last three). Exports PMS_BIN and LEPTOS_SITE_ROOT.
#
# The steps are those `cargo leptos build --release` takes, written out over plain cargo so
# that no 20-minute tool build sits on a new machine's critical path (the workspace's
# [package.metadata.leptos] settings stay, so `cargo leptos watch` works for developers who
# have it): the server binary; the browser crate for wasm32 in the size-optimised profile;
# wasm-bindgen (web target); wasm-opt -Oz; the stylesheet and public assets copied beside it.
. "$(dirname "${BASH_SOURCE[0]}")/progress.sh"

# Every file the binary or the bundle is made from (tracked or new, as in the work tree), and
# the toolchain; tests, docs and CI scripts do not count.
site_inputs_hash() {
  (
    cd "$PMS_ROOT" &&
      git ls-files -co --exclude-standard -z -- . ':!end2end' ':!docs' ':!*.md' ':!.ci' \
        ':!scripts/test' ':!scripts/run' ':!scripts/setup' ':!scripts/bench' ':!*/tests/*' ':!*/benches/*' |
      xargs -0 sha256sum 2>/dev/null
    rustc -V
    wasm-bindgen --version 2>/dev/null
    cat "$PMS_CACHE/toolchain.env" 2>/dev/null
  ) | sha256sum | cut -c1-16
}

# LEPTOS_OUTPUT_NAME (scripts/env.sh) names the files the hydration script asks for:
# /pkg/pms-hub.js and /pkg/pms-hub.wasm.

build_site() { # out-dir
  local out=$1 wasm_in="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/pms_frontend.wasm"
  progress "server binary (cargo build --release)" "fresh machine ~15 min, after a change ~5 min"
  cargo build --release --locked -p pms-server --bin pms-hub
  progress "browser bundle (cargo build wasm32, size-optimised)" "fresh machine ~3.5 min, after a change ~1.5 min"
  cargo build --profile wasm-release --locked -p pms-frontend --lib --target wasm32-unknown-unknown
  progress "wasm-bindgen + wasm-opt -Oz" "~2 min"
  mkdir -p "$out/site/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$out/site/pkg" --out-name pms-hub "$wasm_in"
  # The wasm32 target's default features (Rust >= 1.82); wasm-opt must not assume more.
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/site/pkg/pms-hub_bg.wasm" -o "$out/site/pkg/pms-hub.wasm"
  rm "$out/site/pkg/pms-hub_bg.wasm"
  cp "$PMS_ROOT/style/main.css" "$out/site/pkg/pms-hub.css"
  cp -r "$PMS_ROOT/public/." "$out/site/"
  cp "$CARGO_TARGET_DIR/release/pms-hub" "$out/"
}

PMS_BUILD_HASH=$(site_inputs_hash)
PMS_BUILD_DIR="$PMS_CACHE/builds/$PMS_BUILD_HASH"
if [ -x "$PMS_BUILD_DIR/pms-hub" ] && [ -f "$PMS_BUILD_DIR/site/pkg/pms-hub.wasm" ]; then
  echo "release build is up to date (inputs $PMS_BUILD_HASH): reusing it"
else
  rm -rf "$PMS_BUILD_DIR.tmp"
  build_site "$PMS_BUILD_DIR.tmp"
  rm -rf "$PMS_BUILD_DIR"
  mv "$PMS_BUILD_DIR.tmp" "$PMS_BUILD_DIR"
  # Keep the three newest builds.
  ls -1dt "$PMS_CACHE/builds"/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
  progress_done
fi
export PMS_BIN="$PMS_BUILD_DIR/pms-hub"
export LEPTOS_SITE_ROOT="$PMS_BUILD_DIR/site"
