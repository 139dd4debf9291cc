#version 450
// vkhostile viewtype: a 3D texture (and a storage 3D image) read where the client binds 2D views of 16x16 images
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) uniform sampler3D tex;
layout(set = 0, binding = 1, rgba8) uniform readonly image3D img;
layout(std430, set = 0, binding = 2) writeonly buffer Out { vec4 v[]; };

void main() {
    v[0] = textureLod(tex, vec3(0.5, 0.5, 0.99), 0.0);
    v[1] = imageLoad(img, ivec3(15, 15, 4000));
}
