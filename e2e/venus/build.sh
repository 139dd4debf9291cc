#!/bin/sh
# Builds the Venus e2e clients into $1 (default: e2e/venus/build): shaders to SPIR-V as C arrays
# (glslangValidator, glslang-tools), then vkclient, vkgfx, vkrt, vkchurn, vkfreerace and vkhostile against the system libvulkan
# (libvulkan-dev), and glzink and glbench against libEGL and libOpenGL (libegl-dev, libgl-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
mkdir -p "$out"
# each shader becomes $out/<name>_<stage>_spv.h holding the array <name>_<stage>_spv (add.comp: add_comp_spv)
for shader in add.comp tri.vert tri.frag sample.comp misc.comp invert.frag index.comp spec.comp view3d.comp push.comp \
        out7.frag geom.geom tess.tesc tess.tese store.comp multiview.frag xfb.vert stream.geom; do
    var=$(echo "$shader" | tr . _)_spv
    glslangValidator -V --quiet --vn "$var" -o "$out/$var.h" "$here/$shader"
done
for client in vkclient vkgfx vkrt vkchurn vkfreerace vkhostile; do
    gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/$client" "$here/$client.c" -lvulkan
done
for client in glzink glbench; do
    gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$here" -o "$out/$client" "$here/$client.c" -lEGL -lOpenGL
done
