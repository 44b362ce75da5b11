#!/usr/bin/env bash
# Times pyxirr (Python, Rust inside) against pms-metrics' XIRR on identical deterministic cash
# flows of 100, 1,000 and 10,000 flows, and prints both medians per call and the ratio.
#
#   crates/metrics/bench/compare_pyxirr.sh            # REPEATS=2000 calls at 100 flows
#   REPEATS=500 crates/metrics/bench/compare_pyxirr.sh
#
# Creates (once) a virtualenv in ${PMS_CACHE:-$HOME/.cache/pms-hub}/venv with a pinned pyxirr
# (and numpy, for pyxirr's array input path), builds the `xirr_timing` example in release mode
# (one job, into ${CARGO_TARGET_DIR:-$PMS_CACHE/target-metrics}) and runs compare_pyxirr.py.
set -euo pipefail

PYXIRR_VERSION="0.10.8"
NUMPY_SPEC="numpy>=1.24,<3"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../../.." && pwd)"
cache="${PMS_CACHE:-$HOME/.cache/pms-hub}"
venv="$cache/venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target-metrics}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv" >&2
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pyxirr==$PYXIRR_VERSION" "$NUMPY_SPEC"

echo "building the xirr_timing example (release)" >&2
(cd "$workspace" && cargo build --quiet --release -j 1 -p pms-metrics --example xirr_timing)

"$venv/bin/python" "$here/compare_pyxirr.py" \
    --rust "$CARGO_TARGET_DIR/release/examples/xirr_timing" \
    --repeats "${REPEATS:-2000}"
