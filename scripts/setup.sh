#!/usr/bin/env bash
# Installs what virtgpu's build and tests need on a fresh Debian 12 (bookworm) machine:
#   - Debian's bookworm-backports suite, added by reusing the URIs of the machine's own Debian entry
#   - Mesa 25 (Venus ICD, lavapipe), vulkan-tools, QEMU 10, Linux 6.12 image (for the guest), busybox
#   - checks that a JDK 25 is present under /usr/lib/jvm
# Idempotent; safe to run on every test run. Prints the selected JAVA_HOME on its last line when
# called with --print-java-home.
set -euo pipefail

say() { echo "[setup] $*" >&2; }

find_jdk25() {
  local d
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/javac" ] && "$d/bin/java" -version 2>&1 | grep -q '"25'; then
      echo "$d"; return 0
    fi
  done
  return 1
}

if [ "${1:-}" = "--print-java-home" ]; then
  find_jdk25 || { echo "error: no JDK 25 under /usr/lib/jvm (install Temurin 25)" >&2; exit 1; }
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- bookworm-backports, reusing the machine's own Debian mirror URI -------------------------------
add_backports() {
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
    return 0
  fi
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822: take the URIs line of the stanza whose Suites has plain "bookworm"
    uri=$(awk 'BEGIN{RS="";FS="\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !/security/ {for(i=1;i<=NF;i++) if ($i ~ /^URIs:/) {sub(/^URIs:[ \t]*/,"",$i); print $i; exit}}' \
          /etc/apt/sources.list.d/debian.sources | awk '{print $1}')
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list)
  fi
  if [ -z "$uri" ]; then
    echo "error: cannot find the URI of this machine's Debian bookworm source to add bookworm-backports" >&2
    exit 1
  fi
  say "adding bookworm-backports from $uri"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
    | $SUDO tee /etc/apt/sources.list.d/virtgpu-backports.sources >/dev/null
}

# Packages (and from which suite). Checked with dpkg-query so a warm machine skips apt entirely.
# libegl-dev, libgl-dev, libopengl-dev and Mesa 25's EGL and Zink (libegl-mesa0, libgl1-mesa-dri):
# e2e/venus/glzink, OpenGL through Zink on Venus.
BASE_PKGS=(maven unzip busybox-static cpio gzip xz-utils zstd file strace gcc libc6-dev spirv-tools libegl-dev libgl-dev libopengl-dev)
BPO_PKGS=(weston mesa-vulkan-drivers libvulkan1 vulkan-tools libvulkan-dev qemu-system-x86 qemu-system-gui glslang-tools
  libegl-mesa0 libgl1-mesa-dri)

need_install() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 0
  done
  return 1
}

bpo_ok() {
  # Mesa must be 25.x (Venus wire format 1; Zink of the same Mesa) and QEMU >= 10
  local mesa zink qemu
  mesa=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  zink=$(dpkg-query -W -f='${Version}' libgl1-mesa-dri 2>/dev/null || true)
  qemu=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
  [[ "$mesa" == 25.* ]] && [[ "$zink" == 25.* ]] && [[ "$qemu" == 1:10.* || "$qemu" == 10.* ]]
}

if need_install "${BASE_PKGS[@]}" "${BPO_PKGS[@]}" || ! bpo_ok; then
  add_backports
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${BASE_PKGS[@]}"
  $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}"
fi

# Guest kernel for the vhost-user end-to-end test: Debian's 6.12 image from backports, unpacked
# into a cache directory (never installed on the host).
KDIR=${VIRTGPU_GUEST_KERNEL_DIR:-/var/cache/virtgpu/guest-kernel}
if [ ! -f "$KDIR/.done" ]; then
  add_backports
  $SUDO mkdir -p "$KDIR"
  tmp=$(mktemp -d)
  pkg=$(apt-cache depends -t bookworm-backports linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -n "$pkg" ]; then
    say "fetching guest kernel $pkg"
    (cd "$tmp" && apt-get download -q -t bookworm-backports "$pkg" >/dev/null)
    $SUDO dpkg-deb -x "$tmp"/"$pkg"_*.deb "$KDIR"
    echo "$pkg" | $SUDO tee "$KDIR/.done" >/dev/null
  else
    say "warning: could not resolve linux-image-amd64 from bookworm-backports"
  fi
  rm -rf "$tmp"
fi

JH=$(find_jdk25) || { echo "error: no JDK 25 under /usr/lib/jvm; install Temurin 25 (see README)" >&2; exit 1; }
say "JDK: $JH"
say "mesa $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), qemu $(dpkg-query -W -f='${Version}' qemu-system-x86)"
