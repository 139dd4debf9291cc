#version 450
// vkhostile pushbig: a push constant block of 4 KiB read at its end, where the pipeline layout gives 4 bytes
layout(local_size_x = 1) in;
layout(push_constant) uniform P { uint words[1024]; };
layout(std430, set = 0, binding = 0) writeonly buffer Out { uint v[]; };

void main() {
    v[0] = words[1023];
    v[1] = words[gl_LocalInvocationID.x + 700];
}
