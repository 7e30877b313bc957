#version 330 core
// A triangle that covers the whole viewport, from gl_VertexID alone (draw 3 vertices with an
// empty vertex array). Used to render one heatmap into its colour texture, one texel per cell.
void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));  // (0,0) (2,0) (0,2)
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
