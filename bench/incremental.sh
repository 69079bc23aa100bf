#!/usr/bin/env bash
# A no-change incremental re-harvest against the full harvest it follows.
#
#   bench/incremental.sh [N]      (default 100000; from the repository root, after make setup)
#
# Starts ../shared/bench/oai_server.py with N records, runs `oer harvest --url … --json`
# (first run: full, windowed), then the same command again (auto: incremental from the
# cursor, nothing changed), and prints both JSON lines and the time ratio.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
N="${1:-100000}"
OUT="${OUT:-${TMPDIR:-/tmp}/oer-bench/incremental-N${N}-$(date +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
python3 "$SHARED_BENCH/oai_server.py" --n "$N" --port 0 --port-file "$OUT/server.json" \
    >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -s "$OUT/server.json" ] && break; sleep 0.5; done
URL="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["base_url"])' "$OUT/server.json")"
OER="$ROOT/.venv/bin/oer"
"$OER" harvest --url "$URL" --db "$OUT/wh.duckdb" --json >"$OUT/full.json"
"$OER" harvest --url "$URL" --db "$OUT/wh.duckdb" --json >"$OUT/incremental.json"
python3 - "$OUT" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
full = json.loads((out / "full.json").read_text())
inc = json.loads((out / "incremental.json").read_text())
for name, run in (("full", full), ("incremental", inc)):
    print(f"{name:12} mode={run['mode']:12} status={run['status']:8} records={run['records']:>7} "
          f"new={run['new']:>7} pages={run['pages']:>5} windows={run['windows']:>4} "
          f"wall_s={run['wall_s']:.2f}")
print(f"incremental / full wall time: {100 * inc['wall_s'] / full['wall_s']:.1f} %")
PY
