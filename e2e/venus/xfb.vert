#version 450
// vkhostile xfb: tri.vert whose position is also captured by transform feedback (buffer 0, offset 0)
layout(location = 0) in vec2 pos;
layout(push_constant) uniform P { layout(offset = 16) float z; };
layout(location = 0, xfb_buffer = 0, xfb_offset = 0, xfb_stride = 16) out vec4 captured;

void main() {
    gl_Position = vec4(pos, z, 1.0);
    captured = gl_Position;
}
