#!/bin/bash
# A/B of two virtgpu builds (or two JVM settings) on the Venus client, for changes smaller than this machine's
# run-to-run noise: both servers run at once and clients alternate between them, so load from elsewhere hits both
# alike; prints each step's median per side and B/A.
#   DIR_A, DIR_B   launcher directories, each with virtgpu.jar, lib/ and bundles/ (copy launcher/target's after a
#                  build: mkdir -p /tmp/a && cp -r launcher/target/{virtgpu.jar,lib,bundles} /tmp/a); may be the same
#   ROUNDS         clients per side (default 40); the first SKIP (default 5) per side are left out (JIT warm-up)
# usage: [JOPTS_A=..] [JOPTS_B=..] [VKCLIENT_BUFFERS=n] e2e/venus/ab.sh DIR_A DIR_B [ROUNDS]
# The servers run as ./virtgpu run runs them (GLIBC_TUNABLES glibc.malloc.arena_max=2, java @launcher/jvm.args) on
# lavapipe.
set -euo pipefail
DIR_A=$(cd "$1" && pwd)
DIR_B=$(cd "$2" && pwd)
ROUNDS=${3:-40}
SKIP=${SKIP:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-$(bash "$REPO/scripts/setup.sh" --print-java-home)}
WORK=$(mktemp -d /tmp/virtgpu-ab.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

sh "$HERE/build.sh" "$WORK/build"
start() { # DIR SOCKET JOPTS
    (cd "$1" && VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json GLIBC_TUNABLES=glibc.malloc.arena_max=2 \
        exec "$JAVA_HOME/bin/java" "@$REPO/launcher/jvm.args" $3 \
        -jar virtgpu.jar --vtest-socket "$2" >"$2.log" 2>&1) &
    PIDS+=($!)
}
start "$DIR_A" "$WORK/a.sock" "${JOPTS_A:-}"
start "$DIR_B" "$WORK/b.sock" "${JOPTS_B:-}"
for _ in $(seq 1 300); do [ -S "$WORK/a.sock" ] && [ -S "$WORK/b.sock" ] && break; sleep 0.1; done
[ -S "$WORK/a.sock" ] && [ -S "$WORK/b.sock" ] || { cat "$WORK"/*.log >&2; exit 1; }
sleep 2 # both JIT warm-ups done

for i in $(seq 1 "$ROUNDS"); do
    for side in a b; do
        out=$WORK/$side.$i.log
        if ! VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/virtio_icd.json VN_DEBUG=vtest VTEST_SOCKET_NAME=$WORK/$side.sock \
                timeout 300 "$WORK/build/vkclient" >"$out" 2>&1 || ! grep -q '^result PASS' "$out"; then
            echo "client $i on $side failed:" >&2; tail -20 "$out" >&2; exit 1
        fi
        [ "$i" -le "$SKIP" ] || awk -v s="$side" '$1 == "step" { print s, $2, $3 }' "$out" >>"$WORK/steps"
    done
done

echo "medians of $((ROUNDS - SKIP)) clients per side after $SKIP; A: $DIR_A ${JOPTS_A:-}; B: $DIR_B ${JOPTS_B:-}"
awk -f "$HERE/abtable.awk" "$WORK/steps"
