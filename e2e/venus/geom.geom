#version 450
// vkhostile pipeline geom: a pass-through geometry shader whose OutputVertices the client raises past the limit
layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;

void main() {
    for (int i = 0; i < 3; i++) {
        gl_Position = gl_in[i].gl_Position;
        EmitVertex();
    }
    EndPrimitive();
}
