#version 450
// vkhostile arrayindex: a storage buffer from an array of four, at an index the client pushes (out of range there)
layout(local_size_x = 1) in;
layout(std430, set = 0, binding = 0) buffer B { uint d[]; } bufs[4];
layout(push_constant) uniform P { uint index; };

void main() {
    bufs[index].d[0] = 0xdeadbeefu;
}
