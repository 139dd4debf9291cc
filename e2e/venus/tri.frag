#version 450
// vkgfx: the whole triangle in one colour given as a push constant
layout(push_constant) uniform P { vec4 colour; };
layout(location = 0) out vec4 outColour;

void main() {
    outColour = colour;
}
