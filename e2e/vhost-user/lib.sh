# Shared by run-e2e.sh and bench-fps.sh: guest build, initramfs, back-ends, QEMU, monitor, PPM checks.
# shellcheck shell=bash
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KDIR=${VIRTGPU_GUEST_KERNEL_DIR:-/var/cache/virtgpu/guest-kernel}
QEMU=${QEMU:-qemu-system-x86_64}
C_BACKEND=${C_BACKEND:-/usr/lib/qemu/vhost-user-gpu}
BUSYBOX=${BUSYBOX:-$(command -v busybox || echo /bin/busybox)}
W=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-e2e.XXXXXX")
PIDS=()
KEEP=${KEEP:-0}

log() { echo "[e2e] $*" >&2; }
die() { echo "[e2e] ERROR: $*" >&2; exit 1; }

# stop_pids: kills every process in PIDS, waits for them and forgets them.
stop_pids() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

cleanup() {
  stop_pids
  exec 3>&- 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then log "work dir kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

java_home() {
  if [ -z "${JAVA_HOME:-}" ]; then JAVA_HOME=$(bash "$ROOT/scripts/setup.sh" --print-java-home); fi
  echo "$JAVA_HOME"
}

kernel_image() {
  local k; k=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -1)
  [ -n "$k" ] || die "no guest kernel in $KDIR (run scripts/setup.sh)"
  echo "$k"
}

# Index of the kernel's module files by name ('-' and '_' are the same to the kernel), built once.
declare -A MODFILE
MODS_INDEXED=0
index_modules() {
  MODS_INDEXED=1
  local f b
  while IFS= read -r f; do
    b=${f##*/}; b=${b%%.ko*}; b=${b//-/_}
    MODFILE[$b]=$f
  done < <(find "$KDIR/lib/modules" -name '*.ko*')
}

module_file() {
  local f=${MODFILE[${1//-/_}]:-}
  [ -n "$f" ] && echo "$f"
}

# decompress FILE: a module file's contents (.ko, .ko.xz, .ko.zst or .ko.gz) on stdout.
decompress() {
  case "$1" in
    *.xz) xz -dc "$1" ;; *.zst) zstd -dc "$1" ;; *.gz) gzip -dc "$1" ;; *) cat "$1" ;;
  esac
}

module_depends() {
  decompress "$1" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

# Resolves the load order of virtio-gpu's module dependencies (depth first, dependencies first)
# from each module's depends= tag; modules the kernel has built in are skipped.
declare -A SEEN
ORDER=()
resolve_module() {
  local name=${1//-/_}
  [ -n "${SEEN[$name]:-}" ] && return 0
  SEEN[$name]=1
  local f
  if ! f=$(module_file "$name"); then
    local mb; mb=$(ls "$KDIR"/lib/modules/*/modules.builtin)
    grep -q "/${name}.ko\$\|/${1}.ko\$" "$mb" && return 0
    die "module $1 neither built in nor in $KDIR"
  fi
  local d
  for d in $(module_depends "$f"); do resolve_module "$d"; done
  ORDER+=("$name:$f")
}

build_guest() {
  gcc -static -O2 -Wall -o "$W/vgpu-guest" "$ROOT/e2e/guest/vgpu-guest.c"
}

# build_initramfs "guest args": busybox, the modules, the guest program and an /init that runs it.
build_initramfs() {
  local args=$1 root=$W/root
  rm -rf "$root"; mkdir -p "$root"/{bin,dev,proc,sys,lib/modules,tmp}
  cp "$BUSYBOX" "$root/bin/busybox"
  cp "$W/vgpu-guest" "$root/vgpu-guest"
  ORDER=(); SEEN=()
  [ "$MODS_INDEXED" = 1 ] || index_modules
  resolve_module virtio-gpu
  local e names=()
  for e in "${ORDER[@]}"; do
    local n=${e%%:*} f=${e#*:}
    decompress "$f" > "$root/lib/modules/$n.ko"
    names+=("$n")
  done
  log "modules: ${names[*]}"
  cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in ${names[*]}; do insmod /lib/modules/\$m.ko || echo "FAIL insmod \$m"; done
i=0; while [ ! -e /dev/dri/card0 ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done
dmesg | grep -iE 'drm|virtio.gpu' | sed 's/^/DMESG /'
for f in /sys/bus/virtio/devices/*/features; do echo "VIRTIO-FEATURES \$(cat \$f) \$(cat \${f%/features}/device)"; done
echo GUEST-START
/vgpu-guest $args
echo "GUEST-EXIT \$?"
poweroff -f
INIT
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initrd.gz"
}

# start_virtgpu SOCK: the launcher jar with every bundle, vhost-user on SOCK, vtest off.
start_virtgpu() {
  local sock=$1 jar=${VIRTGPU_JAR:-$ROOT/launcher/target/virtgpu.jar} jh
  [ -f "$jar" ] || die "$jar missing (./virtgpu build)"
  jh=$(java_home)
  printf '{"vhostUser": {"enabled": true, "socketPath": "%s"}}\n' "$sock" > "$W/virtgpu.json"
  local aot=()
  # the build's AOT cache for the build's jar, as ./virtgpu run passes it (docs/launcher.md "Start-up time")
  [ "$jar" = "$ROOT/launcher/target/virtgpu.jar" ] && aot=($(bash "$ROOT/scripts/aot-cache.sh" "$ROOT/launcher/target"))
  "$jh/bin/java" "@$ROOT/launcher/jvm.args" "${aot[@]}" \
    -jar "$jar" --config "$W/virtgpu.json" --no-vtest --storage "$W/felix" > "$W/backend.log" 2>&1 &
  PIDS+=($!)
  wait_socket "$sock"
}

# start_custom SOCK: BACKEND_CMD with {sock} replaced (a development harness, e.g. a standalone device).
start_custom() {
  local sock=$1
  bash -c "${BACKEND_CMD//\{sock\}/$sock}" > "$W/backend.log" 2>&1 &
  PIDS+=($!)
  wait_socket "$sock"
}

start_c_backend() {
  local sock=$1
  [ -x "$C_BACKEND" ] || die "$C_BACKEND missing (apt-get install qemu-system-gui)"
  "$C_BACKEND" --socket-path="$sock" > "$W/backend.log" 2>&1 &
  PIDS+=($!)
  wait_socket "$sock"
}

wait_socket() {
  local i
  for i in $(seq 1 300); do [ -S "$1" ] && return 0; sleep 0.1; done
  cat "$W/backend.log" >&2 || true
  die "back-end did not create $1"
}

# start_qemu SOCK: TCG guest with vhost-user-gpu-pci; the monitor reads fd 3 (a FIFO), serial to serial.log.
start_qemu() {
  local sock=$1
  mkfifo "$W/mon.in"
  "$QEMU" -machine q35,accel=tcg,memory-backend=mem0 -cpu max -smp 1 -m 512M \
    -object memory-backend-memfd,id=mem0,size=512M,share=on \
    -kernel "$(kernel_image)" -initrd "$W/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
    -chardev socket,id=vgpu,path="$sock" -device vhost-user-gpu-pci,chardev=vgpu \
    -vga none -display none -serial file:"$W/serial.log" -monitor stdio -no-reboot -nodefaults \
    < "$W/mon.in" > "$W/monitor.log" 2>&1 &
  QEMU_PID=$!
  PIDS+=($QEMU_PID)
  exec 3>"$W/mon.in"
}

monitor() { echo "$*" >&3; }

# wait_serial PATTERN SECONDS
wait_serial() {
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    grep -q -- "$1" "$W/serial.log" 2>/dev/null && return 0
    kill -0 "$QEMU_PID" 2>/dev/null || { grep -q -- "$1" "$W/serial.log" 2>/dev/null && return 0; return 1; }
    sleep 0.1
  done
  return 1
}

wait_qemu_exit() {
  local end=$((SECONDS + $1))
  while kill -0 "$QEMU_PID" 2>/dev/null; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
  done
}

# screendump FILE: asks QEMU for the console image (PPM) and waits for the file to be complete.
screendump() {
  local f=$1 i
  rm -f "$f"
  monitor "screendump $f"
  for i in $(seq 1 100); do
    if [ -s "$f" ]; then sleep 0.2; return 0; fi
    sleep 0.1
  done
  return 1
}

# ppm_pixel FILE X Y -> "R G B"
ppm_pixel() {
  local f=$1 x=$2 y=$3 hdr w
  # P6\n<w> <h>\n255\n: QEMU writes exactly this header
  hdr=$(head -c 32 "$f" | head -n 3 | wc -c)
  w=$(head -n 2 "$f" | tail -n 1 | cut -d' ' -f1)
  dd if="$f" bs=1 skip=$((hdr + (y * w + x) * 3)) count=3 2>/dev/null | od -An -tu1 | tr -s ' ' | sed 's/^ //'
}

ppm_size() { head -n 2 "$1" | tail -n 1; }

# pattern K X Y -> "R G B" (the guest's formula)
pattern() { echo "$(( ($2 + $1 * 37) & 255 )) $(( ($3 + $1 * 53) & 255 )) $(( ($1 * 80 + 32) & 255 ))"; }
