#!/bin/sh
# Builds the launcher e2e clients into $1 (default: e2e/launcher/build): vkloop (Vulkan, against the system
# libvulkan from libvulkan-dev) and xdclient (a plain vtest client on the cross-domain context type).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
mkdir -p "$out"
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$here/../venus" -o "$out/vkloop" "$here/vkloop.c" -lvulkan
gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$out/xdclient" "$here/xdclient.c"
