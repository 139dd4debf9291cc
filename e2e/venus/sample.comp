#version 450
// vkgfx: samples a 2x2 RGBA8 texture at its four texel centres with a NEAREST sampler (binding 0) and at the
// image centre with an immutable LINEAR sampler (binding 1, the average of all four texels).
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) uniform sampler2D nearestTex;
layout(set = 0, binding = 1) uniform sampler2D linearTex;
layout(std430, set = 0, binding = 2) writeonly buffer Out { vec4 v[]; };

void main() {
    for (int i = 0; i < 4; i++) {
        vec2 uv = vec2((float(i % 2) + 0.5) / 2.0, (float(i / 2) + 0.5) / 2.0);
        v[i] = textureLod(nearestTex, uv, 0.0);
    }
    v[4] = textureLod(linearTex, vec2(0.5), 0.0);
}
