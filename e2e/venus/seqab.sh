#!/bin/bash
# Sequential A/B of two virtgpu builds (or two JVM settings) on the Venus client: unlike ab.sh, only one server runs
# at a time, so work one server does in the background (freeing and faulting memory, compiling) cannot land on the
# other's clients. Each of ROUNDS rounds starts server A, runs CLIENTS clients, stops it, then the same for B; the
# first SKIP (default 3) clients of each start are left out. Prints each step's median per side and B/A.
#   DIR_A, DIR_B   launcher directories, each with virtgpu.jar, lib/ and bundles/ (copy launcher/target's after a
#                  build: mkdir -p /tmp/a && cp -r launcher/target/{virtgpu.jar,lib,bundles} /tmp/a); may be the same
# usage: [JOPTS_A=..] [JOPTS_B=..] [ARGS_A=..] [ARGS_B=..] [SKIP=n] e2e/venus/seqab.sh DIR_A DIR_B [ROUNDS [CLIENTS]]
#        (default 3 rounds, 15 clients); JOPTS_* go to the JVM, ARGS_* to the launcher (e.g. --config FILE)
# The servers run as ./virtgpu run runs them (GLIBC_TUNABLES glibc.malloc.arena_max=2, java @launcher/jvm.args; an
# option in JOPTS_* overrides the file's, e.g. JOPTS_A=-XX:PerMethodTrapLimit=100 for the JVM default) on lavapipe.
set -euo pipefail
DIR_A=$(cd "$1" && pwd)
DIR_B=$(cd "$2" && pwd)
ROUNDS=${3:-3}
CLIENTS=${4:-15}
SKIP=${SKIP:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-$(bash "$REPO/scripts/setup.sh" --print-java-home)}
WORK=$(mktemp -d /tmp/virtgpu-seqab.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

sh "$HERE/build.sh" "$WORK/build"
for r in $(seq 1 "$ROUNDS"); do
    for side in a b; do
        if [ $side = a ]; then dir=$DIR_A; opts=${JOPTS_A:-}; args=${ARGS_A:-}
        else dir=$DIR_B; opts=${JOPTS_B:-}; args=${ARGS_B:-}; fi
        sock=$WORK/$side.sock
        rm -f "$sock"
        (cd "$dir" && VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json GLIBC_TUNABLES=glibc.malloc.arena_max=2 \
            exec "$JAVA_HOME/bin/java" "@$REPO/launcher/jvm.args" $opts \
            -jar virtgpu.jar $args --vtest-socket "$sock" >"$WORK/$side.log" 2>&1) &
        PID=$!
        for _ in $(seq 1 300); do [ -S "$sock" ] && break; sleep 0.1; done
        [ -S "$sock" ] || { cat "$WORK/$side.log" >&2; exit 1; }
        # both warm-ups (the Venus context's and the vtest transport's, where it runs) have finished
        for _ in $(seq 1 100); do
            grep -q "warm-up replayed" "$WORK/$side.log" && { grep -q "vtest warm-up ran" "$WORK/$side.log" \
                || ! grep -q "vtest warm-up opened" "$WORK/$side.log"; } && break
            sleep 0.1
        done
        for c in $(seq 1 "$CLIENTS"); do
            out=$WORK/client.log
            if ! VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/virtio_icd.json VN_DEBUG=vtest VTEST_SOCKET_NAME=$sock \
                    timeout 300 "$WORK/build/vkclient" >"$out" 2>&1 || ! grep -q '^result PASS' "$out"; then
                echo "client $c of round $r on $side failed:" >&2; tail -20 "$out" >&2; exit 1
            fi
            [ "$c" -le "$SKIP" ] || awk -v s="$side" '$1 == "step" { print s, $2, $3 }' "$out" >>"$WORK/steps"
        done
        kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    done
done

echo "medians of $((ROUNDS * (CLIENTS - SKIP))) clients per side ($ROUNDS starts, first $SKIP clients of each left out);" \
    "A: $DIR_A ${JOPTS_A:-} ${ARGS_A:-}; B: $DIR_B ${JOPTS_B:-} ${ARGS_B:-}"
awk -f "$HERE/abtable.awk" "$WORK/steps"
