#!/bin/sh
# Builds vkclient into $1 (default: e2e/venus/build): the compute shader to SPIR-V as a C array
# (glslangValidator, glslang-tools), then the client against the system libvulkan (libvulkan-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
mkdir -p "$out"
glslangValidator -V --quiet --vn add_comp_spv -o "$out/add_comp_spv.h" "$here/add.comp"
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/vkclient" "$here/vkclient.c" -lvulkan
