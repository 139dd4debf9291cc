#!/bin/sh
# Builds the Venus e2e clients into $1 (default: e2e/venus/build): shaders to SPIR-V as C arrays
# (glslangValidator, glslang-tools), then vkclient, vkgfx, vkrt, vkfreerace and vkhostile against the system libvulkan
# (libvulkan-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
mkdir -p "$out"
glslangValidator -V --quiet --vn add_comp_spv -o "$out/add_comp_spv.h" "$here/add.comp"
glslangValidator -V --quiet --vn tri_vert_spv -o "$out/tri_vert_spv.h" "$here/tri.vert"
glslangValidator -V --quiet --vn tri_frag_spv -o "$out/tri_frag_spv.h" "$here/tri.frag"
glslangValidator -V --quiet --vn sample_comp_spv -o "$out/sample_comp_spv.h" "$here/sample.comp"
glslangValidator -V --quiet --vn misc_comp_spv -o "$out/misc_comp_spv.h" "$here/misc.comp"
glslangValidator -V --quiet --vn invert_frag_spv -o "$out/invert_frag_spv.h" "$here/invert.frag"
glslangValidator -V --quiet --vn index_comp_spv -o "$out/index_comp_spv.h" "$here/index.comp"
glslangValidator -V --quiet --vn spec_comp_spv -o "$out/spec_comp_spv.h" "$here/spec.comp"
glslangValidator -V --quiet --vn view3d_comp_spv -o "$out/view3d_comp_spv.h" "$here/view3d.comp"
glslangValidator -V --quiet --vn push_comp_spv -o "$out/push_comp_spv.h" "$here/push.comp"
glslangValidator -V --quiet --vn out7_frag_spv -o "$out/out7_frag_spv.h" "$here/out7.frag"
glslangValidator -V --quiet --vn geom_geom_spv -o "$out/geom_geom_spv.h" "$here/geom.geom"
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/vkclient" "$here/vkclient.c" -lvulkan
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/vkgfx" "$here/vkgfx.c" -lvulkan
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/vkrt" "$here/vkrt.c" -lvulkan
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/vkfreerace" "$here/vkfreerace.c" -lvulkan
gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$out" -o "$out/vkhostile" "$here/vkhostile.c" -lvulkan
