#!/usr/bin/env bash
# Builds the benchmarks module and runs the dispatcher benchmark (about 1-2 minutes), then prints a table:
# TRANSFER_TO_HOST_2D of a 1280x800 XRGB frame next to a plain MemorySegment.copy of the same bytes (same run),
# RESOURCE_FLUSH of that frame, and GET_CAPSET_INFO latency.
#   scripts/bench-core.sh [extra JMH options]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JSON="$ROOT/benchmarks/target/jmh.json"
bash "$ROOT/scripts/jmh.sh" DispatcherBenchmark "$JSON" "$@"
python3 - "$JSON" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
frame = 1280 * 800 * 4
def ops(name): return float(rows[name]["score"]), float(rows[name]["scoreError"])
t, te = ops("transferToHost2dFrame"); c, ce = ops("plainCopyFrame"); f, fe = ops("resourceFlushFrame")
n, ne = ops("getCapsetInfo")
print(f"| measurement | result | GB/s |")
print(f"|---|---|---|")
print(f"| TRANSFER_TO_HOST_2D 1280x800 XRGB | {t:,.0f} ± {te:,.0f} commands/s | {t*frame/1e9:.2f} |")
print(f"| MemorySegment.copy of the same {frame} bytes | {c:,.0f} ± {ce:,.0f} copies/s | {c*frame/1e9:.2f} |")
print(f"| transfer / plain copy | {t/c:.2f} | |")
print(f"| RESOURCE_FLUSH 1280x800 (DisplaySink.NONE) | {f:,.0f} ± {fe:,.0f} commands/s | |")
print(f"| GET_CAPSET_INFO | {n:.1f} ± {ne:.1f} ns/command | |")
PY
