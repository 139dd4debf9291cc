#!/usr/bin/env bash
# Frame rate of the same guest against virtgpu and against QEMU's own C back-end, in one run:
# the guest (e2e/guest/vgpu-guest.c, mode "bench") page-flips N full-screen 1280x800 frames it has drawn into
# dumb buffers and waits for each flip to complete, which includes TRANSFER_TO_HOST_2D + RESOURCE_FLUSH on the
# device and the UPDATE of the pixels to QEMU over the vhost-user-gpu socket.
#
#   e2e/vhost-user/bench-fps.sh [FRAMES]     (default 200)
#   BACKEND_CMD='... {sock}' e2e/vhost-user/bench-fps.sh   measure another virtgpu start command
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
FRAMES=${1:-200}
build_guest
build_initramfs "bench $FRAMES"

run_one() {
  local which=$1 sock=$W/$1.sock
  rm -f "$W/serial.log" "$W/mon.in"
  if [ "$which" = c ]; then start_c_backend "$sock"
  elif [ -n "${BACKEND_CMD:-}" ]; then start_custom "$sock"
  else start_virtgpu "$sock"; fi
  start_qemu "$sock"
  wait_serial "GUEST-EXIT" 600 || die "$which: guest did not finish"
  wait_qemu_exit 30 || true
  exec 3>&-
  local fps; fps=$(sed -n 's/^FPS \([0-9.]*\).*/\1/p' "$W/serial.log")
  [ -n "$fps" ] || { tail -n 30 "$W/serial.log" >&2; die "$which: no FPS line"; }
  echo "$which: $(grep '^FPS' "$W/serial.log")" >&2
  # stop this back-end before the next one
  stop_pids
  echo "$fps"
}

V=$(run_one virtgpu)
C=$(run_one c)
echo "virtgpu_fps=$V"
echo "qemu_c_fps=$C"
echo "ratio_virtgpu_over_c=$(awk -v a="$V" -v b="$C" 'BEGIN { printf "%.2f", a / b }')"
