#!/usr/bin/env bash
# Writes launcher/target/virtgpu.aot, the JDK AOT cache (JEP 483/514) that `./virtgpu run` and the launcher's
# integration tests pass with -XX:AOTCache: a training run of the packaged launcher (`--check`: every bundle
# started, capsets reported, then stopped) records the classes of the launcher's class path and the JDK that
# start-up loads and links, and the JVM stores them loaded and linked. docs/launcher.md "Start-up time".
#   aot-train.sh JAVA TARGET_DIR JVM_ARGS_FILE
# Skipped when the cache is newer than the class path it was made for (the JVM refuses a cache whose jars changed).
set -euo pipefail
java=$1 target=$2 jvm_args=$3
cache="$target/virtgpu.aot"
# scripts/aot-cache.sh prints the option only for a cache newer than the jars; the JVM options and the JDK count too
if [ -n "$(bash "$(dirname "$0")/../../../scripts/aot-cache.sh" "$target" 2>/dev/null)" ] \
    && [ -z "$(find "$jvm_args" "$java" -newer "$cache" -print -quit)" ]; then
  echo "[aot] $cache is up to date"
  exit 0
fi
work="$target/aot-training"
rm -rf "$work" "$cache"
mkdir -p "$work"
start=$(date +%s%N)
# -AOTAdapterCaching: with it, Temurin 25.0.3 stores adapters that every later run warns it cannot link
# ("Saved blob's name ... is different from the expected name"); the cache works the same without them
if ! "$java" "@$jvm_args" -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:AOTCacheOutput="$cache" \
    -jar "$target/virtgpu.jar" --check --storage "$work/felix" --vtest-socket "$work/vtest.sock" > "$work/training.log" 2>&1; then
  cat "$work/training.log" >&2
  echo "[aot] the training run failed (log above)" >&2
  exit 1
fi
echo "[aot] $cache: $(du -m "$cache" | cut -f1) MiB in $(( ($(date +%s%N) - start) / 1000000 )) ms"
