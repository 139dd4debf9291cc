#!/usr/bin/env bash
# Builds the benchmarks module and runs the Venus object-table benchmark (about a minute), then prints its table:
# a buffers_2000 step's table work (2000 creates and 2000 destroys as the ring makes them), the same in a new
# table (starting small, or at the sizes an earlier table grew to) and 2000 checked lookups.
#   scripts/bench-venus-objects.sh [extra JMH options]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JSON="$ROOT/benchmarks/target/jmh-venus-objects.json"
bash "$ROOT/scripts/jmh.sh" VenusObjectsBenchmark "$JSON" "$@"
python3 - "$JSON" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
print("| measurement | us per 2000 | ns per object |")
print("|---|---:|---:|")
for name, what in (("churn2000", "2000 buffers bound, then unbound (create + destroy)"),
                   ("freshChurn2000", "the same in a new table starting at 16 entries a map"),
                   ("freshChurn2000Sized", "the same in a new table starting at an earlier table's sizes"),
                   ("lookup2000", "2000 checked lookups")):
    s, e = float(rows[name]["score"]), float(rows[name]["scoreError"])
    print(f"| {what} | {s:.1f} ± {e:.1f} | {s * 1000 / 2000:.0f} |")
PY
