#version 450
// vkgfx: one invocation per element i (dispatched indirectly):
//   out[i] = K (specialization constant) + u (uniform buffer at a dynamic offset) + texel i of an R32_UINT
//   uniform texel buffer; and texel (i, 0) of an R32_UINT storage image = i * 7
layout(local_size_x = 1) in;
layout(constant_id = 0) const uint K = 1u;
layout(set = 0, binding = 0) uniform U { uint u; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { uint v[]; };
layout(set = 0, binding = 2) uniform usamplerBuffer texels;
layout(set = 0, binding = 3, r32ui) uniform writeonly uimage2D img;

void main() {
    uint i = gl_GlobalInvocationID.x;
    v[i] = K + u + texelFetch(texels, int(i)).x;
    imageStore(img, ivec2(int(i), 0), uvec4(i * 7u));
}
