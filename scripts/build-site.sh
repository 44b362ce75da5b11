# Sourced by scripts/run and scripts/test: the release server and the site (WASM bundle, CSS,
# assets), built by `cargo leptos build --release` — unless nothing they are made from has
# changed since a build on this machine, in which case that build is reused as it is (no
# wasm-bindgen, no optimiser, no link: a restart serves in seconds). Builds are kept by the
# hash of their inputs under $PMS_CACHE/builds (the last three). Exports PMS_BIN and
# LEPTOS_SITE_ROOT.

# Every file the binary or the bundle is made from (tracked or new, as in the work tree), and
# the toolchain; tests, docs and CI scripts do not count.
site_inputs_hash() {
  (
    cd "$PMS_ROOT" &&
      git ls-files -co --exclude-standard -z -- . ':!end2end' ':!docs' ':!*.md' ':!.ci' |
      xargs -0 sha256sum 2>/dev/null
    rustc -V
    cat "$PMS_CACHE/toolchain.env" 2>/dev/null
  ) | sha256sum | cut -c1-16
}

PMS_BUILD_HASH=$(site_inputs_hash)
PMS_BUILD_DIR="$PMS_CACHE/builds/$PMS_BUILD_HASH"
if [ -x "$PMS_BUILD_DIR/pms-hub" ] && [ -f "$PMS_BUILD_DIR/site/pkg/pms-hub.wasm" ]; then
  echo "release build is up to date (inputs $PMS_BUILD_HASH): reusing it"
else
  echo "release build (server + WASM bundle); on a warm cache a few minutes, from nothing about 20"
  ( cd "$PMS_ROOT" && cargo leptos build --release )
  rm -rf "$PMS_BUILD_DIR.tmp"
  mkdir -p "$PMS_BUILD_DIR.tmp"
  cp "$CARGO_TARGET_DIR/release/pms-hub" "$PMS_BUILD_DIR.tmp/"
  cp -r "$PMS_ROOT/target/site" "$PMS_BUILD_DIR.tmp/site"
  rm -rf "$PMS_BUILD_DIR"
  mv "$PMS_BUILD_DIR.tmp" "$PMS_BUILD_DIR"
  # Keep the three newest builds.
  ls -1dt "$PMS_CACHE/builds"/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
fi
export PMS_BIN="$PMS_BUILD_DIR/pms-hub"
export LEPTOS_SITE_ROOT="$PMS_BUILD_DIR/site"
