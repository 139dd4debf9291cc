#!/usr/bin/env bash
# scripts/fuzz.sh TEST [DURATION]
#
# Runs one Jazzer fuzz test (ControlQueueFuzzTest, VtestFramingFuzzTest, VhostUserFuzzTest, VenusDecoderFuzzTest)
# for DURATION (default 30m; 90s, 30m, 2h) instead of the 60 s its @FuzzTest gives a fuzzing run, without touching
# this checkout: it fuzzes in a git worktree of this checkout's HEAD whose copy of the test has the longer
# maxDuration (Jazzer takes the duration from the annotation only; docs/fuzzing.md). The worktree and its corpus stay
# between runs under $VIRTGPU_FUZZ_DIR (default ~/.cache/virtgpu-fuzz), so a later run goes on from what an earlier
# one found; a finding (Jazzer's crash-* file) is copied to $VIRTGPU_FUZZ_DIR/findings/ and the script exits 1.
# One fuzz test per run (Jazzer refuses more); each uses about one core.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEST=${1:-}
DURATION=${2:-30m}
if [[ ! "$TEST" =~ ^[A-Za-z]+FuzzTest$ ]] || [[ ! "$DURATION" =~ ^[0-9]+[smh]$ ]]; then
  echo "usage: scripts/fuzz.sh ControlQueueFuzzTest|VtestFramingFuzzTest|VhostUserFuzzTest|VenusDecoderFuzzTest [90s|30m|2h]" >&2
  exit 2
fi
cd "$ROOT"
SRC=$(git ls-files "*/src/test/java/*/$TEST.java")
[ -n "$SRC" ] || { echo "error: no fuzz test $TEST in this checkout" >&2; exit 2; }
MODULE=${SRC%%/src/test/*}
DIR=${VIRTGPU_FUZZ_DIR:-$HOME/.cache/virtgpu-fuzz}
WT="$DIR/$TEST"
mkdir -p "$DIR/findings"
HEAD=$(git rev-parse HEAD)
if git -C "$WT" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$WT" checkout -q -- "$SRC"
  git -C "$WT" checkout -q --detach "$HEAD"
else
  git worktree prune
  git worktree add -q --detach "$WT" "$HEAD"
fi
sed -i -E "s/@FuzzTest\(maxDuration = \"[^\"]*\"\)/@FuzzTest(maxDuration = \"$DURATION\")/" "$WT/$SRC"
grep -q "maxDuration = \"$DURATION\"" "$WT/$SRC" || { echo "error: no @FuzzTest(maxDuration = ...) in $SRC" >&2; exit 2; }

JAVA_HOME=$(bash "$ROOT/scripts/setup.sh" --print-java-home)
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
echo "[fuzz] $TEST for $DURATION on $(git rev-parse --short HEAD) in $WT" >&2
rm -f "$WT/$MODULE"/target/crash-*
status=0
(cd "$WT" && JAZZER_FUZZ=1 MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" \
  ./mvnw -B -pl "$MODULE" -am test -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false) || status=$?
shopt -s nullglob
found=("$WT/$MODULE"/target/crash-*)
if [ ${#found[@]} -gt 0 ]; then
  cp "${found[@]}" "$DIR/findings/"
  echo "[fuzz] finding(s) copied to $DIR/findings/: ${found[*]##*/}" >&2
  echo "[fuzz] to keep one as a regression seed, copy it into $MODULE/src/test/resources/<package>/${TEST}Inputs/<method>/" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "[fuzz] the Maven run failed (exit $status) without a crash file: see its output above" >&2
  exit "$status"
fi
echo "[fuzz] no finding" >&2
