#version 450
// vkhostile pipeline/draw tess*: a pass-through tessellation control shader whose level is specialization constant 0
// (the client may raise its OutputVertices past the limit)
layout(vertices = 3) out;
layout(constant_id = 0) const float LEVEL = 4.0;

void main() {
    gl_out[gl_InvocationID].gl_Position = gl_in[gl_InvocationID].gl_Position;
    if (gl_InvocationID == 0) {
        gl_TessLevelInner[0] = LEVEL;
        gl_TessLevelOuter[0] = LEVEL;
        gl_TessLevelOuter[1] = LEVEL;
        gl_TessLevelOuter[2] = LEVEL;
    }
}
