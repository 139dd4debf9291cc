#!/usr/bin/env bash
# End-to-end test of the vhost-user back-end: QEMU 10 (TCG) boots Debian's kernel with a tiny initramfs whose
# guest program (e2e/guest/vgpu-guest.c) drives virtio-gpu through DRM/virtgpu ioctls; virtgpu is the device.
#
#   e2e/vhost-user/run-e2e.sh            against virtgpu (launcher/target/virtgpu.jar, every bundle)
#   BACKEND=c e2e/vhost-user/run-e2e.sh  against QEMU's C back-end (no 3D: only the display checks apply)
#   BACKEND=custom BACKEND_CMD='java ... {sock}' ...   any back-end command listening on {sock}
#   KEEP=1 ...                           keep the work directory (serial.log, backend.log, screen*.ppm)
#
# Prints "RESULT PASS|FAIL <check> <details>" lines and exits 0 only if every check passed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BACKEND=${BACKEND:-virtgpu}
FAILED=0
result() { echo "RESULT $1 $2 ${*:3}"; [ "$1" = PASS ] || FAILED=1; }

build_guest
log "guest program built (${SECONDS}s)"
build_initramfs test
log "initramfs built (${SECONDS}s)"
SOCK=$W/vu.sock
case "$BACKEND" in
  c) start_c_backend "$SOCK" ;;
  custom) start_custom "$SOCK" ;;
  *) start_virtgpu "$SOCK" ;;
esac
log "back-end listening (${SECONDS}s)"
T0=$SECONDS
start_qemu "$SOCK"

# screen_differs K FILE: how many of 8 sampled pixels of the screendump FILE differ from pattern K (each on stderr)
screen_differs() {
  local k=$1 f=$2 size w h bad=0 x y exp got
  size=$(ppm_size "$f"); w=${size% *}; h=${size#* }
  for xy in "0 0" "1 0" "0 1" "100 50" "255 255" "$((w / 2)) $((h / 2))" "$((w - 1)) $((h - 1))" "$((w - 7)) 3"; do
    x=${xy% *}; y=${xy#* }
    exp=$(pattern "$k" "$x" "$y"); got=$(ppm_pixel "$f" "$x" "$y")
    if [ "$exp" != "$got" ]; then bad=$((bad + 1)); echo "  pixel ($x,$y): expected $exp, got $got" >&2; fi
  done
  echo $bad
}

# The guest prints its marker once its KMS call returned, but the back-end's scanout update reaches QEMU's console
# over the vhost-user-gpu socket afterwards, so a screendump right after the marker can still show the previous
# frame (one clean-clone run saw pattern 1 black). The guest holds each pattern 1.5 s: up to 5 looks 0.2 s apart.
check_screen() {
  local k=$1 f=$W/screen$1.ppm size bad=8 look
  if ! wait_serial "SCREEN pattern=$k" 120; then result FAIL "screen$k" "guest never showed pattern $k"; return; fi
  for look in 1 2 3 4 5; do
    if ! screendump "$f"; then result FAIL "screen$k" "screendump produced nothing"; return; fi
    bad=$(screen_differs "$k" "$f" 2>"$f.diff")
    [ "$bad" = 0 ] && break
    sleep 0.2
  done
  size=$(ppm_size "$f")
  if [ "$bad" = 0 ]; then result PASS "screen$k" "screendump ${size% *}x${size#* } shows the guest's pattern $k (look $look)"
  else cat "$f.diff" >&2; result FAIL "screen$k" "$bad of 8 sampled pixels differ from pattern $k after 5 looks"; fi
}

for k in 1 2 3; do
  [ "$BACKEND" = c ] && [ $k = 3 ] && break # the C back-end without virgl has no 3D resources
  check_screen $k
done
wait_serial "GUEST-EXIT" 120 || result FAIL guest "did not finish (serial.log tail below)"
wait_qemu_exit 30 || result FAIL qemu "did not power off"
S=$W/serial.log

grep -q "DMESG.*Initialized virtio_gpu" "$S" && result PASS bind "$(grep -m1 'Initialized virtio_gpu' "$S" | sed 's/.*\] //')" \
  || result FAIL bind "no 'Initialized virtio_gpu' in dmesg"
feat=$(grep -m1 "DMESG.*features:" "$S" | sed 's/.*features: //' || true)
echo "guest features: $feat"
while read -r line; do
  set -- $line
  check=$2; shift 2
  if [ "$BACKEND" = c ]; then
    case "$check" in 3d|capsets|getcaps|resource_create|map|transfer_to_host|execbuffer|fence) continue ;; esac
  fi
  result "$(echo "$line" | cut -d' ' -f1)" "$check" "$*"
done < <(grep -E '^(PASS|FAIL) ' "$S")

if [ "$BACKEND" != c ]; then
  case "$feat" in *+virgl*) result PASS virgl "$feat" ;; *) result FAIL virgl "guest features: $feat" ;; esac
  # the capsets the guest lists must be exactly those virtgpu's loaded bundles serve, with their sizes
  host=$(sed -n 's/.*vhost-user capsets: //p' "$W/backend.log" | head -1 | tr ' ' '\n' | sed -n 's/^\([0-9]*\):[^:]*:\([0-9]*\)$/\1:\2/p' | sort -n | tr '\n' ' ')
  guest=$(sed -n 's/^CAPSET id=\([0-9]*\) size=\([0-9]*\).*/\1:\2/p' "$S" | sort -n | tr '\n' ' ')
  if [ -n "$host" ] && [ "$host" = "$guest" ]; then result PASS capset-table "guest and virtgpu agree: $guest"
  else result FAIL capset-table "virtgpu serves [$host], guest saw [$guest]"; fi
fi
echo "e2e wall time: $((SECONDS - T0)) s (QEMU start to power-off)"
if [ $FAILED != 0 ]; then
  echo "---- serial.log (tail) ----"; tail -n 60 "$S" || true
  echo "---- backend.log (tail) ----"; tail -n 60 "$W/backend.log" || true
  exit 1
fi
