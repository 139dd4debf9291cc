#!/usr/bin/env bash
# bench-startup.sh [-c CPUS] [-n PAIRS] DIR_A DIR_B: start-up time of two launcher builds, alternating.
# DIR_x holds virtgpu.jar, lib/, bundles/ and, if its build wrote one, virtgpu.aot (a launcher/target, or a copy:
# `cp -r launcher/target/{virtgpu.jar,lib,bundles,virtgpu.aot} DIR`); a side uses its cache when scripts/aot-cache.sh
# says it is fresh, or not at all with NOAOT_A=1 / NOAOT_B=1. Each start is `java @launcher/jvm.args [cache] -jar
# virtgpu.jar --vtest-socket ... --storage ...` until it logs "virtgpu up in N ms" (N is what is compared); -c pins
# both to CPUS with taskset. Prints every pair, then each side's median, min and max and the ratio B/A of the medians.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cpus="" pairs=10
while getopts "c:n:" o; do case $o in c) cpus=$OPTARG ;; n) pairs=$OPTARG ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-c CPUS] [-n PAIRS] DIR_A DIR_B" >&2; exit 2; }
JAVA_HOME=$(bash "$REPO/scripts/setup.sh" --print-java-home)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

once() { # DIR NOAOT -> ms
  local dir=$1 aot="" pid ms=""
  [ "$2" = 1 ] || aot=$(bash "$REPO/scripts/aot-cache.sh" "$dir" 2>/dev/null)
  rm -rf "$WORK/felix" "$WORK/log" "$WORK/s.sock"
  : > "$WORK/log"
  ${cpus:+taskset -c "$cpus"} "$JAVA_HOME/bin/java" "@$REPO/launcher/jvm.args" $aot -jar "$dir/virtgpu.jar" \
      --vtest-socket "$WORK/s.sock" --storage "$WORK/felix" >> "$WORK/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    ms=$(sed -n 's/.*virtgpu up in \([0-9]*\) ms.*/\1/p' "$WORK/log")
    [ -n "$ms" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true
  [ -n "$ms" ] || { cat "$WORK/log" >&2; echo "no 'virtgpu up' line from $dir" >&2; exit 1; }
  echo "$ms"
}

for i in $(seq 1 "$pairs"); do
  a=$(once "$1" "${NOAOT_A:-0}"); b=$(once "$2" "${NOAOT_B:-0}")
  echo "pair $i: A $a ms  B $b ms"
  echo "$a $b" >> "$WORK/pairs"
done
stats() { sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%d %d %d\n", m, v[1], v[NR]}'; }
read -r ma mina maxa <<< "$(awk '{print $1}' "$WORK/pairs" | stats)"
read -r mb minb maxb <<< "$(awk '{print $2}' "$WORK/pairs" | stats)"
echo "A: median $ma ms (min $mina, max $maxa)  $1${NOAOT_A:+ (no AOT cache)}"
echo "B: median $mb ms (min $minb, max $maxb)  $2${NOAOT_B:+ (no AOT cache)}"
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "B/A %.2fx\n", b / a}'
