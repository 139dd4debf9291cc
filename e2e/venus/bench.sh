#!/bin/bash
# Runs e2e/venus/vkclient three ways in one go and prints each step's median and the ratios, then the same for the
# fastest of the runs:
#   limit    lavapipe direct (VK_ICD_FILENAMES=lvp_icd.json)
#   peer     Mesa's Venus ICD -> virglrenderer 1.1 virgl_test_server --venus (Debian trixie chroot, see
#            ../shared/anchors/virglrenderer/README.md; needs root; set up on first use)
#   virtgpu  Mesa's Venus ICD -> virtgpu's vtest server with the venus context on lavapipe: the launcher jar
#            (launcher/target/virtgpu.jar --vtest-socket)
# usage: [WARMUP=N] [BENCH_CLIENT=glbench] e2e/venus/bench.sh [RUNS]   (default 5 measured runs per way, after
#        WARMUP (default 1) discarded warm-up rounds; a JVM server compiles its decoder over the first several
#        thousand commands). BENCH_CLIENT=glbench runs e2e/venus/glbench (OpenGL through Mesa's Zink on each way's
#        Vulkan) instead of vkclient, and no vkrt.
# env:   ANCHOR_DIR (default ../shared/anchors/virglrenderer), VTEST_WORK (anchor work dir), SKIP_PEER=1,
#        JAVA_HOME (default the JDK 25 scripts/setup.sh finds, as ./virtgpu), VIRTGPU_JAVA_OPTS (e.g.
#        -Dvirtgpu.venus.profile=true), VIRTGPU_SERVER_LOG (copy the server's log there), VIRTGPU_GLIBC_TUNABLES
#        (the server's GLIBC_TUNABLES; default glibc.malloc.arena_max=2 as ./virtgpu run; empty for glibc's default)
set -euo pipefail
RUNS=${1:-5}
WARMUP=${WARMUP:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# ../shared beside the repository root; from a git worktree elsewhere, beside the main checkout's root
if [ -z "${ANCHOR_DIR:-}" ]; then
    ANCHOR_DIR=$REPO/../shared/anchors/virglrenderer
    if [ ! -d "$ANCHOR_DIR" ] && common=$(git -C "$REPO" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
        ANCHOR_DIR=$(dirname "$common")/../shared/anchors/virglrenderer
    fi
fi
JAVA_HOME=${JAVA_HOME:-$(bash "$REPO/scripts/setup.sh" --print-java-home)}
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
BENCH_CLIENT=${BENCH_CLIENT:-vkclient}
CLIENT=$WORK/build/$BENCH_CLIENT
# glbench: OpenGL through Zink, which skips CPU devices unless asked for software rendering
CLIENT_ENV=()
[ "$BENCH_CLIENT" != glbench ] || CLIENT_ENV=(LIBGL_ALWAYS_SOFTWARE=1 MESA_LOADER_DRIVER_OVERRIDE=zink)
# the launcher jar with every bundle (Felix, SCR, ConfigAdmin), vtest on our socket
log "building virtgpu (launcher and bundles)"
(cd "$REPO" && JAVA_HOME=$JAVA_HOME ./mvnw -B -q -o package -DskipTests >"$WORK/mvn.log" 2>&1) \
    || { tail -30 "$WORK/mvn.log" >&2; exit 1; }
SERVER=(-jar "$REPO/launcher/target/virtgpu.jar" --vtest-socket)
# the build's AOT cache, as ./virtgpu run passes it (docs/launcher.md "Start-up time")
AOT=$(bash "$REPO/scripts/aot-cache.sh" "$REPO/launcher/target")
[ -n "$AOT" ] && SERVER=("$AOT" "${SERVER[@]}")

# run_once NAME ICD SOCKET RUN: one client run; a "NAME step ms" line per step into $WORK/steps (runs below 0
# are the discarded warm-up: caches, JIT, lazy host initialisation)
run_once() {
    local name=$1 icd=$2 sock=$3 i=$4 out=$WORK/$1.$4.log
    if ! env "${CLIENT_ENV[@]}" VK_ICD_FILENAMES="$icd" ${sock:+VN_DEBUG=vtest VTEST_SOCKET_NAME=$sock} \
            XDG_RUNTIME_DIR="$WORK" timeout 300 "$CLIENT" >"$out" 2>&1 || ! grep -q '^result PASS' "$out"; then
        log "$name run $i failed:"; tail -20 "$out" >&2; exit 1
    fi
    [ "$i" -le 0 ] || awk -v w="$name" '$1 == "step" { print w, $2, $3 }' "$out" >>"$WORK/steps"
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

log "virtgpu: launcher jar (Felix, all bundles), venus context on lavapipe"
SOCK=$WORK/virtgpu.sock
# the server's glibc allocator and JVM options as ./virtgpu run sets them (docs/venus-performance.md, "Host driver allocations";
# docs/launcher.md, "JVM options")
VK_ICD_FILENAMES=$LVP_ICD GLIBC_TUNABLES=${VIRTGPU_GLIBC_TUNABLES-glibc.malloc.arena_max=2} "$JAVA_HOME/bin/java" "@$REPO/launcher/jvm.args" \
    ${VIRTGPU_JAVA_OPTS:-} "${SERVER[@]}" "$SOCK" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/server.log" >&2; exit 1; }
# the server warms up in the background once it listens (the Venus context's replay, docs/venus.md, and the vtest
# transport's, docs/vtest.md, where it runs): the rounds start when both have finished, so that they do not run
# beside the clients (the same test as seqab.sh's)
for _ in $(seq 1 300); do
    grep -q "warm-up replayed" "$WORK/server.log" && { grep -q "vtest warm-up ran" "$WORK/server.log" \
        || ! grep -q "vtest warm-up opened" "$WORK/server.log"; } && break
    sleep 0.1
done

# the three ways take turns, so that load from elsewhere on the machine hits them alike
: >"$WORK/steps"
for i in $(seq $((1 - WARMUP)) "$RUNS"); do
    log "round $i of $RUNS (<= 0: warm-up)"
    run_once limit "$LVP_ICD" "" "$i"
    [ -z "$PEER_SOCK" ] || run_once peer "$VENUS_ICD" "$PEER_SOCK" "$i"
    run_once virtgpu "$VENUS_ICD" "$SOCK" "$i"
done
# the submit + wait round trip as a distribution (e2e/venus/vkrt.c, 2000 round trips per way): the mean in the
# table hides whether round trips end within Mesa's 15 yields or after one of its 160 us sleeps. limit+venus-wait is
# lavapipe direct with the Venus ICD's fence feedback and wait done by vkrt itself (a Venus server that cost nothing)
: >"$WORK/rt"
for way in limit limit+venus-wait peer virtgpu; do
    [ "$BENCH_CLIENT" = vkclient ] || continue
    case $way in
        limit) env VK_ICD_FILENAMES="$LVP_ICD" "$WORK/build/vkrt" 2000 ;;
        limit+venus-wait) env VK_ICD_FILENAMES="$LVP_ICD" "$WORK/build/vkrt" 2000 venus-wait ;;
        peer) [ -z "$PEER_SOCK" ] || env VK_ICD_FILENAMES="$VENUS_ICD" VN_DEBUG=vtest VTEST_SOCKET_NAME="$PEER_SOCK" \
            XDG_RUNTIME_DIR="$WORK" "$WORK/build/vkrt" 2000 ;;
        virtgpu) env VK_ICD_FILENAMES="$VENUS_ICD" VN_DEBUG=vtest VTEST_SOCKET_NAME="$SOCK" XDG_RUNTIME_DIR="$WORK" \
            "$WORK/build/vkrt" 2000 ;;
    esac 2>/dev/null | awk -v w=$way '$1 == "rt" { print w, $4, $6, $8, $10, $12 }' >>"$WORK/rt"
done
[ -z "${VIRTGPU_SERVER_LOG:-}" ] || cp "$WORK/server.log" "$VIRTGPU_SERVER_LOG"

# --- table: medians and ratios -------------------------------------------------------------------------------
echo "client: $BENCH_CLIENT; virtgpu: launcher jar (Felix, all bundles); peer: $([ -n "$PEER_SOCK" ] && echo "virgl_test_server --venus (anchor)" || echo skipped); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v runs="$RUNS" -v warmup="$WARMUP" '
# the median of the runs of a step by one way, or with fastest set the fastest of them ("" when it has none)
function stat(key, fastest,    n, i, j, t, v) {
    n = cnt[key]; if (n == 0) return "";
    for (i = 1; i <= n; i++) v[i] = val[key, i];
    for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    if (fastest) return v[1];
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function num(x) { return x == "" ? "-" : sprintf("%.3f", x) }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
function table(fastest,    i, s, l, p, v) {
    print "| step | lavapipe (limit) | virglrenderer (peer) | virtgpu | virtgpu/peer | virtgpu/limit |"
    print "|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= steps; i++) {
        s = order[i]
        l = stat(s SUBSEP "limit", fastest); p = stat(s SUBSEP "peer", fastest); v = stat(s SUBSEP "virtgpu", fastest)
        printf "| %s | %s | %s | %s | %s | %s |\n", s, num(l), num(p), num(v), ratio(v, p), ratio(v, l)
    }
}
{ if (!(($2) in seen)) { seen[$2] = 1; order[++steps] = $2 } key = $2 SUBSEP $1; val[key, ++cnt[key]] = $3 }
END {
    printf "medians of %d runs after %d warm-up rounds, milliseconds (submit_wait: per round trip)\n", runs, warmup
    table(0)
    # the same runs, fastest of each: what each way can do when nothing else on the machine gets in its way (on a
    # shared two-CPU VM single runs of a step can take twice as long on every way; docs/venus-performance.md "Session 20")
    printf "\nfastest of the same %d runs, milliseconds\n", runs
    table(1)
}' "$WORK/steps"
[ "$BENCH_CLIENT" = vkclient ] || exit 0
echo
echo "submit + wait round trips (e2e/venus/vkrt 2000, once per way after the rounds above), microseconds"
echo "| way | p10 | p50 | p90 | p99 | mean |"
echo "|---|---:|---:|---:|---:|---:|"
awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$WORK/rt"
