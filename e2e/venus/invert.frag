#version 450
// vkgfx: second subpass, reads the first subpass' colour as an input attachment and writes its inverse
layout(input_attachment_index = 0, set = 0, binding = 0) uniform subpassInput first;
layout(location = 0) out vec4 outColour;

void main() {
    outColour = vec4(1.0) - subpassLoad(first);
}
