#!/usr/bin/env bash
# Our harvester inside the shared yardstick, in the same runs as the naive and limit pipelines.
#
#   bench/harvest_vs_baseline.sh N [RUNS]      (from the repository root)
#
# In every run: `oer harvest --url … --json` into a fresh warehouse (→ extra.json, the driver's
# EXTRA_CMD), then the same harvest again, which must add nothing (→ rerun.json), then a
# record-by-record comparison with the naive pipeline's table (→ same_as_naive.json).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
N="${1:?usage: bench/harvest_vs_baseline.sh N [RUNS]}"
RUNS="${2:-3}"
OER="$ROOT/.venv/bin/oer"
PY="$ROOT/.venv/bin/python"
[ -x "$OER" ] || { echo "run 'make setup' first" >&2; exit 2; }
"$SHARED_BENCH/setup.sh" >/dev/null

EXTRA_CMD="rm -f {run_dir}/ours.duckdb* && $OER harvest --url {url} --prefix oai_dc --db {run_dir}/ours.duckdb --json"
EXTRA_CMD="$EXTRA_CMD && $OER harvest --url {url} --prefix oai_dc --db {run_dir}/ours.duckdb --json > {run_dir}/rerun.json"
OUT="${OUT:-${TMPDIR:-/tmp}/oer-bench/ours-N${N}-$(date +%Y%m%dT%H%M%S)}"
export EXTRA_CMD OUT
"$SHARED_BENCH/run_baseline.sh" "$N" "$RUNS"

for run in "$OUT"/run*/; do
    "$PY" "$ROOT/bench/compare_with_naive.py" "$run/naive.duckdb" "$run/ours.duckdb" \
        >"$run/same_as_naive.json" || true
    "$PY" - "$run" <<'PY'
import json, sys, pathlib
run = pathlib.Path(sys.argv[1])
first = json.loads((run / "extra.json").read_text().strip().splitlines()[-1])
again = json.loads((run / "rerun.json").read_text())
same = json.loads((run / "same_as_naive.json").read_text())
print(f"{run.name}: ours {first['records']} records, {first['records'] / first['wall_s']:.0f} rec/s, "
      f"peak RSS {first['peak_rss_mb']:.0f} MB; rerun new={again['new']} updated={again['updated']} "
      f"unchanged={again['unchanged']} in {again['wall_s']:.1f} s; same records as naive: "
      f"{same['same_records']} ({same['only_in_naive']} only in naive, {same['only_in_ours']} only in ours)")
PY
done
echo "summary: $OUT/summary.md"
