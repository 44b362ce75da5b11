# Sourced after `cargo leptos build`: tells the server binary where cargo-leptos put the site
# (JS, WASM, CSS and public assets), so the binary can run outside `cargo leptos serve`.
# cargo-leptos writes `site-root = "target/site"` inside the clone even when CARGO_TARGET_DIR
# points elsewhere.
export LEPTOS_OUTPUT_NAME=pms-hub
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$PMS_ROOT/target/site}"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
