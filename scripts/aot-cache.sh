#!/usr/bin/env bash
# aot-cache.sh TARGET_DIR: prints the JVM option that uses the launcher's AOT cache (TARGET_DIR/virtgpu.aot, written
# by the build's training run, launcher/src/build/aot-train.sh), or nothing when there is none or when virtgpu.jar
# or lib/ changed after it was written. The JVM does not notice such a change itself: Temurin 25.0.3 was seen running
# the cached launcher classes of an older build after virtgpu.jar was replaced (docs/launcher.md "Start-up time").
set -euo pipefail
target=$1
cache="$target/virtgpu.aot"
[ -f "$cache" ] || exit 0
if [ -n "$(find "$target/virtgpu.jar" "$target/lib" -newer "$cache" -print -quit)" ]; then
  echo "[virtgpu] $cache is older than the launcher jars: not used (./virtgpu build writes a new one)" >&2
  exit 0
fi
echo "-XX:AOTCache=$cache"
