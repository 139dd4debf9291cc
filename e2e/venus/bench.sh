#!/bin/bash
# Runs e2e/venus/vkclient three ways in one go and prints each step's median and the ratios:
#   limit    lavapipe direct (VK_ICD_FILENAMES=lvp_icd.json)
#   peer     Mesa's Venus ICD -> virglrenderer 1.1 virgl_test_server --venus (Debian trixie chroot, see
#            ../shared/anchors/virglrenderer/README.md; needs root; set up on first use)
#   virtgpu  Mesa's Venus ICD -> virtgpu's vtest server with the venus context (in-process server main from
#            context-venus' test classes, on lavapipe)
# usage: e2e/venus/bench.sh [RUNS]     (default 5 measured runs per way, after one discarded warm-up run)
# env:   ANCHOR_DIR (default ../shared/anchors/virglrenderer), VTEST_WORK (anchor work dir), SKIP_PEER=1,
#        JAVA_HOME (default the Temurin 25 the project uses), VIRTGPU_JAVA_OPTS (e.g.
#        -Dvirtgpu.venus.profile=true), VIRTGPU_SERVER_LOG (copy the server's log there)
set -euo pipefail
RUNS=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# ../shared beside the repository root; from a git worktree elsewhere, beside the main checkout's root
if [ -z "${ANCHOR_DIR:-}" ]; then
    ANCHOR_DIR=$REPO/../shared/anchors/virglrenderer
    if [ ! -d "$ANCHOR_DIR" ] && common=$(git -C "$REPO" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
        ANCHOR_DIR=$(dirname "$common")/../shared/anchors/virglrenderer
    fi
fi
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

# run_once NAME ICD SOCKET RUN: one client run; a "NAME step ms" line per step into $WORK/steps (run 0 is the
# discarded warm-up: caches, JIT, lazy host initialisation)
run_once() {
    local name=$1 icd=$2 sock=$3 i=$4 out=$WORK/$1.$4.log
    if ! env VK_ICD_FILENAMES="$icd" ${sock:+VN_DEBUG=vtest VTEST_SOCKET_NAME=$sock} XDG_RUNTIME_DIR="$WORK" \
            timeout 300 "$CLIENT" >"$out" 2>&1 || ! grep -q '^result PASS' "$out"; then
        log "$name run $i failed:"; tail -20 "$out" >&2; exit 1
    fi
    [ "$i" = 0 ] || awk -v w="$name" '$1 == "step" { print w, $2, $3 }' "$out" >>"$WORK/steps"
}

PEER_SOCK=""
if [ "${SKIP_PEER:-0}" != 1 ]; then
    log "peer: virglrenderer 1.1 (anchor chroot; setting it up if needed)"
    "$ANCHOR_DIR/setup-anchor.sh" ${VTEST_WORK:+"$VTEST_WORK"} >"$WORK/anchor-setup.log" 2>&1 \
        || { tail -20 "$WORK/anchor-setup.log" >&2; exit 1; }
    PEER_STARTED=1
    PEER_SOCK=$("$ANCHOR_DIR/start-anchor.sh" ${VTEST_WORK:+"$VTEST_WORK"} 2>"$WORK/anchor-start.log") \
        || { cat "$WORK/anchor-start.log" >&2; exit 1; }
fi

log "virtgpu: in-process vtest server (venus context on lavapipe)"
SOCK=$WORK/virtgpu.sock
VK_ICD_FILENAMES=$LVP_ICD "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    --sun-misc-unsafe-memory-access=allow ${VIRTGPU_JAVA_OPTS:-} -cp "$CP" \
    org.virtgpu.context.venus.e2e.InProcessVtest "$SOCK" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/server.log" >&2; exit 1; }

# the three ways take turns, so that load from elsewhere on the machine hits them alike
: >"$WORK/steps"
for i in $(seq 0 "$RUNS"); do
    log "round $i of $RUNS"
    run_once limit "$LVP_ICD" "" "$i"
    [ -z "$PEER_SOCK" ] || run_once peer "$VENUS_ICD" "$PEER_SOCK" "$i"
    run_once virtgpu "$VENUS_ICD" "$SOCK" "$i"
done
[ -z "${VIRTGPU_SERVER_LOG:-}" ] || cp "$WORK/server.log" "$VIRTGPU_SERVER_LOG"

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
