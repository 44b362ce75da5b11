# Sourced by every script: where caches and tools live, and which Rust toolchain builds the Hub.
# Caches sit outside the clone so a fresh clone (CI) reuses them; override with PMS_CACHE.
PMS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PMS_ROOT
export PMS_CACHE="${PMS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pms-hub}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PMS_CACHE/target}"
export PATH="$PMS_CACHE/tools/bin:$HOME/.cargo/bin:$PATH"
# Leptos reads the bundle's name at compile time (as under cargo-leptos): every cargo command
# sets it alike, so checks, tests and the release build never rebuild each other's Leptos.
export LEPTOS_OUTPUT_NAME=pms-hub
# sqlx macros read the committed .sqlx data instead of a live database.
export SQLX_OFFLINE="${SQLX_OFFLINE:-true}"
# scripts/setup records which toolchain it chose (rustup's, or Debian's rustc-web fallback).
if [ -f "$PMS_CACHE/toolchain.env" ]; then
  # shellcheck disable=SC1091
  . "$PMS_CACHE/toolchain.env"
fi
