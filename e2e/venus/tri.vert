#version 450
// vkgfx: vertices straight from a vec2 vertex buffer (clip space) at the depth given as a push constant
layout(location = 0) in vec2 pos;
layout(push_constant) uniform P { layout(offset = 16) float z; };

void main() {
    gl_Position = vec4(pos, z, 1.0);
}
