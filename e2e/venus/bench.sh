#!/bin/bash
# Runs e2e/venus/vkclient three ways in one go and prints each step's median and the ratios:
#   limit    lavapipe direct (VK_ICD_FILENAMES=lvp_icd.json)
#   peer     Mesa's Venus ICD -> virglrenderer 1.1 virgl_test_server --venus (Debian trixie chroot, see
#            ../shared/anchors/virglrenderer/README.md; needs root; set up on first use)
#   virtgpu  Mesa's Venus ICD -> virtgpu's vtest server with the venus context (in-process server main from
#            context-venus' test classes, on lavapipe)
# usage: e2e/venus/bench.sh [RUNS]     (default 5 measured runs per way, after one discarded warm-up run)
# env:   ANCHOR_DIR (default ../shared/anchors/virglrenderer), VTEST_WORK (anchor work dir), SKIP_PEER=1,
#        JAVA_HOME (default the Temurin 25 the project uses)
set -euo pipefail
RUNS=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ANCHOR_DIR=${ANCHOR_DIR:-$REPO/../shared/anchors/virglrenderer}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
VENUS_ICD=/usr/share/vulkan/icd.d/virtio_icd.json
LVP_ICD=/usr/share/vulkan/icd.d/lvp_icd.json
WORK=$(mktemp -d /tmp/virtgpu-bench.XXXXXX)
SERVER_PID=""
PEER_STARTED=0

cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ $PEER_STARTED = 1 ]; then "$ANCHOR_DIR/stop-anchor.sh" ${VTEST_WORK:+"$VTEST_WORK"} >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

# --- build the client and the server ------------------------------------------------------------------------
sh "$HERE/build.sh" "$WORK/build"
CLIENT=$WORK/build/vkclient
log "building virtgpu (core-bundle, venus-gen, context-venus) and its test class path"
(cd "$REPO" && JAVA_HOME=$JAVA_HOME ./mvnw -B -q -o -pl core-bundle,tools/venus-gen,context-venus -am test-compile \
    dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >"$WORK/mvn.log" 2>&1) \
    || { tail -30 "$WORK/mvn.log" >&2; exit 1; }
CP=$REPO/context-venus/target/test-classes:$REPO/context-venus/target/classes:$(cat "$WORK/cp.txt")

# run_way NAME ICD [SOCKET]: one warm-up run, then $RUNS runs; "NAME step ms" lines into $WORK/steps
run_way() {
    local name=$1 icd=$2 sock=${3:-} i out
    for i in $(seq 0 "$RUNS"); do
        out=$WORK/$name.$i.log
        if ! env VK_ICD_FILENAMES="$icd" ${sock:+VN_DEBUG=vtest VTEST_SOCKET_NAME=$sock} XDG_RUNTIME_DIR="$WORK" \
                timeout 300 "$CLIENT" >"$out" 2>&1 || ! grep -q '^result PASS' "$out"; then
            log "$name run $i failed:"; tail -20 "$out" >&2; return 1
        fi
        [ "$i" = 0 ] && continue # warm-up: caches, JIT, lazy host initialisation
        awk -v w="$name" '$1 == "step" { print w, $2, $3 }' "$out" >>"$WORK/steps"
    done
    log "$name: $RUNS runs passed"
}

: >"$WORK/steps"
log "limit: lavapipe direct"
run_way limit "$LVP_ICD"

if [ "${SKIP_PEER:-0}" != 1 ]; then
    log "peer: virglrenderer 1.1 (anchor chroot; setting it up if needed)"
    "$ANCHOR_DIR/setup-anchor.sh" ${VTEST_WORK:+"$VTEST_WORK"} >"$WORK/anchor-setup.log" 2>&1 \
        || { tail -20 "$WORK/anchor-setup.log" >&2; exit 1; }
    PEER_SOCK=$("$ANCHOR_DIR/start-anchor.sh" ${VTEST_WORK:+"$VTEST_WORK"} 2>"$WORK/anchor-start.log")
    PEER_STARTED=1
    run_way peer "$VENUS_ICD" "$PEER_SOCK"
    "$ANCHOR_DIR/stop-anchor.sh" ${VTEST_WORK:+"$VTEST_WORK"} >/dev/null 2>&1 || true
    PEER_STARTED=0
fi

log "virtgpu: in-process vtest server (venus context on lavapipe)"
SOCK=$WORK/virtgpu.sock
VK_ICD_FILENAMES=$LVP_ICD "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    --sun-misc-unsafe-memory-access=allow -cp "$CP" org.virtgpu.context.venus.e2e.InProcessVtest "$SOCK" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/server.log" >&2; exit 1; }
run_way virtgpu "$VENUS_ICD" "$SOCK"

# --- table: medians and ratios -------------------------------------------------------------------------------
python3 - "$WORK/steps" "$RUNS" <<'EOF'
import statistics, sys
from collections import OrderedDict
runs = OrderedDict()
for line in open(sys.argv[1]):
    way, step, ms = line.split()
    runs.setdefault(step, {}).setdefault(way, []).append(float(ms))
def med(step, way):
    v = runs[step].get(way)
    return statistics.median(v) if v else None
def fmt(x, spec="{:.3f}"):
    return "-" if x is None else spec.format(x)
def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b
print(f"medians of {sys.argv[2]} runs, milliseconds (submit_wait: per round trip)")
print("| step | lavapipe (limit) | virglrenderer (peer) | virtgpu | virtgpu/peer | virtgpu/limit |")
print("|---|---:|---:|---:|---:|---:|")
for step in runs:
    l, p, v = med(step, "limit"), med(step, "peer"), med(step, "virtgpu")
    print(f"| {step} | {fmt(l)} | {fmt(p)} | {fmt(v)} | {fmt(ratio(v, p), '{:.2f}')} | {fmt(ratio(v, l), '{:.2f}')} |")
EOF
