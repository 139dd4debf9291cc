#version 450
// vkgfx: a triangle straight from a vec2 vertex buffer (clip space)
layout(location = 0) in vec2 pos;

void main() {
    gl_Position = vec4(pos, 0.0, 1.0);
}
