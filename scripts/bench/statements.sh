#!/usr/bin/env bash
# Client-statement benchmark: the release binary writes statements through the same use case as
# the client page and the REST API (store reads in scope, typst layout, PDF, audit row), one at
# a time, and prints the time per statement and the process's peak memory. Two runs: one
# statement (the end-to-end latency of a single PDF) and a batch of N (default 1,000) to show
# memory stays flat. Usage:
#   scripts/bench/statements.sh [--clients N] [--size small|medium]
# Needs a PostgreSQL server (DATABASE_URL's server, default 127.0.0.1:5432); creates the database
# pms_bench_reports there and loads the demo data set (once; reused afterwards).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$PMS_ROOT"
CLIENTS=1000
SIZE=medium
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_URL=${ADMIN_URL%/*}/pms_bench_reports
BIN="$CARGO_TARGET_DIR/release/pms-hub"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== building the release binary"
cargo build --release -p pms-server --bin pms-hub 2>&1 | tail -1
if ! psql "$BENCH_URL" -Atc "SELECT count(*) > 0 FROM dim_client" 2>/dev/null | grep -q t; then
  echo "== loading the $SIZE demo data set into pms_bench_reports (once)"
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS pms_bench_reports" -c "CREATE DATABASE pms_bench_reports"
  DATABASE_URL=$BENCH_URL "$BIN" demo-data --size "$SIZE"
fi
echo "== one statement (the last quarter), end to end"
DATABASE_URL=$BENCH_URL "$BIN" report statements --limit 1 --quiet --out "$OUT/one"
echo "== a batch of $CLIENTS statements"
DATABASE_URL=$BENCH_URL "$BIN" report statements --limit "$CLIENTS" --quiet --out "$OUT/batch"
echo "== sizes: $(du -sh "$OUT/batch" | cut -f1) for $(ls "$OUT/batch" | wc -l) files"
