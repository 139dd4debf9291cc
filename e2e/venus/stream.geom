#version 450
// vkhostile draw geomstream: a geometry shader emitting to vertex streams 0 and 1, whose stream 1 the client moves
// to stream 100 (its constants and the Stream decoration; spirv-val accepts that, maxTransformFeedbackStreams is 4)
layout(triangles) in;
layout(triangle_strip, max_vertices = 6) out;
layout(location = 0, stream = 1) out vec4 other;

void main() {
    for (int i = 0; i < 3; i++) {
        gl_Position = gl_in[i].gl_Position;
        EmitStreamVertex(0);
    }
    EndStreamPrimitive(0);
    for (int i = 0; i < 3; i++) {
        other = gl_in[i].gl_Position;
        EmitStreamVertex(1);
    }
    EndStreamPrimitive(1);
}
