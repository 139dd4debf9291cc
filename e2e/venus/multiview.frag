#version 450
#extension GL_EXT_multiview : require
// vkgfx: the push-constant colour in view 0 and its inverse in view 1 of a multiview render pass
layout(push_constant) uniform P { vec4 colour; };
layout(location = 0) out vec4 outColour;

void main() {
    outColour = gl_ViewIndex == 0 ? colour : vec4(1.0 - colour.rgb, colour.a);
}
