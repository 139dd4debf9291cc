#version 450
// vkhostile spec: a workgroup size, a workgroup array and a function-local array sized by specialization constants
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SHARED = 4;
layout(constant_id = 2) const uint LOCAL = 4;
layout(std430, set = 0, binding = 0) buffer B { uint d[]; };
shared uint s[SHARED];

void main() {
    uint t[LOCAL];
    uint i = gl_LocalInvocationID.x;
    t[i % LOCAL] = i;
    s[i % SHARED] = t[(i + 1) % LOCAL];
    barrier();
    d[i % 4] = s[(i + 1) % SHARED];
}
