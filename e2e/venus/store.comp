#version 450
// vkhostile storefmt: stores at texel (x, 1), x pushed as a constant, of an rgba32f storage image (the client binds a
// view of that format on an RGBA8 image)
layout(local_size_x = 1) in;
layout(set = 0, binding = 0, rgba32f) uniform writeonly image2D img;
layout(push_constant) uniform P { int x; };

void main() {
    imageStore(img, ivec2(x, 1), vec4(1.0));
}
