#version 450
// vkhostile draw 1 fragout: a colour output at location 7 where the render pass has one colour attachment
layout(location = 7) out vec4 outColour;

void main() {
    outColour = vec4(1.0);
}
