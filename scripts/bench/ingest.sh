#!/usr/bin/env bash
# Load-throughput benchmark: the same Wealth Spectrum transactions file (10 million rows from
# the `large` demo data set) loaded three ways, side by side:
#   1. pms-hub ingest   — the Hub's real path: parse, validate every row (types, rules,
#                         references, duplicates), COPY into the partitioned fact table (empty:
#                         the initial import, so no merge; indexes rebuilt after the copy),
#                         one transaction; then the aggregate refresh of every portfolio.
#   2. psql \copy       — raw COPY of the file into an unlogged text table (no validation, no
#                         merge): the floor of what PostgreSQL can take.
#   3. pandas to_sql    — what the spreadsheet-era system did (read_csv + DataFrame.to_sql).
# Prints rows/s for each and the ratios. Usage:
#   scripts/bench/ingest.sh [--rows N]   (N: use only the first N rows of the file; default all)
# Needs a PostgreSQL server (DATABASE_URL's server, default 127.0.0.1:5432) and creates the
# database pms_bench there.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$PMS_ROOT"
ROWS=""
[ "${1:-}" = "--rows" ] && ROWS=$2
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_URL=${ADMIN_URL%/*}/pms_bench
DATA=${PMS_BENCH_DATA:-$PMS_CACHE/bench/demo-large-42}
BIN="$CARGO_TARGET_DIR/release/pms-hub"

echo "== building the release binary"
cargo build --release -p pms-server --bin pms-hub 2>&1 | tail -1
if [ ! -f "$DATA/manifest.json" ]; then
  echo "== generating the large demo data set (once; reused afterwards) into $DATA"
  mkdir -p "$DATA"
  DATABASE_URL=$ADMIN_URL "$BIN" demo-data --size large --seed 42 --out "$DATA" --no-load
fi
TXNS="$DATA/wealth_spectrum/transactions.csv"
if [ -n "$ROWS" ]; then
  head -n $((ROWS + 1)) "$TXNS" > "$DATA/transactions-$ROWS.csv"
  TXNS="$DATA/transactions-$ROWS.csv"
fi
N=$(($(wc -l < "$TXNS") - 1))
echo "== file: $TXNS ($N rows, $(du -h "$TXNS" | cut -f1))"

echo "== preparing pms_bench: schema and the masters the transactions refer to"
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS pms_bench WITH (FORCE)" -c "CREATE DATABASE pms_bench"
DATABASE_URL=$BENCH_URL "$BIN" migrate
DATABASE_URL=$BENCH_URL "$BIN" ingest --quiet "$DATA/wealth_spectrum/security_master.xlsx" "$DATA/wealth_spectrum/client_master.xlsx" > /dev/null

echo "== 1. pms-hub ingest (validate + COPY + index build, one transaction; then aggregates)"
t0=$(date +%s.%N)
DATABASE_URL=$BENCH_URL "$BIN" ingest --quiet --report transactions "$TXNS"
t1=$(date +%s.%N)
HUB=$(python3 -c "print($t1 - $t0)")

echo "== 2. psql \\copy into an unlogged text table"
psql "$BENCH_URL" -qc "CREATE UNLOGGED TABLE raw_txn (tran_id text, portfolio_code text, tran_date text, settle_date text, tran_type text, isin text, quantity text, price text, amount text, charges text)"
t0=$(date +%s.%N)
psql "$BENCH_URL" -qc "\\copy raw_txn FROM '$TXNS' WITH (FORMAT csv, HEADER true)"
t1=$(date +%s.%N)
COPY=$(python3 -c "print($t1 - $t0)")

echo "== 3. pandas read_csv + to_sql"
VENV="$PMS_CACHE/venv-bench"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "pandas==2.2.3" "SQLAlchemy==2.0.36" "psycopg2-binary==2.9.10"
PANDAS=$("$VENV/bin/python" "$(dirname "${BASH_SOURCE[0]}")/pandas_to_sql.py" "$TXNS" "$BENCH_URL")

python3 - "$N" "$HUB" "$COPY" "$PANDAS" <<'PY'
import sys
n, hub, copy, pandas = int(sys.argv[1]), *map(float, sys.argv[2:])
rate = lambda s: n / s
print()
print(f"{'method':<44}{'seconds':>10}{'rows/s':>14}")
for name, s in [("pms-hub ingest (validated, loaded)", hub), ("psql \\copy (raw text, no checks)", copy), ("pandas to_sql", pandas)]:
    print(f"{name:<44}{s:>10.1f}{rate(s):>14,.0f}")
print()
print(f"pms-hub is {pandas / hub:.1f}x faster than pandas to_sql, and takes {hub / copy:.2f}x the time of a raw \\copy")
print(f"goal >= 200,000 rows/s end to end: {'met' if rate(hub) >= 200_000 else 'NOT met'} ({rate(hub):,.0f} rows/s)")
PY
