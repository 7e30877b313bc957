#version 330 core
// Heatmap colouring: one fragment per grid cell, the value read from an R32F texture.
//
// u_colormap 0, diverging (signed values), centred on zero: blue for negative, white for zero,
//   red for positive, ColorBrewer's RdBu reversed (matplotlib's "RdBu_r"). Zero is always white:
//   negative values are scaled by |vmin|, positive ones by vmax (matplotlib's TwoSlopeNorm), so
//   with a symmetric range (vmin = -vmax) the mapping is plain linear.
// u_colormap 1, sequential gray: vmin black, vmax white (images, counts).
// Not-a-number cells are drawn magenta, so they cannot be mistaken for a value.
//
// Keep in step with app/gfx/colormap.cpp (the CPU copy, used for text contrast and in tests).
uniform sampler2D u_values;  // R32F, width = columns, height = rows; texel (col, row)
uniform float u_vmin;
uniform float u_vmax;
uniform int u_colormap;

out vec4 frag_color;

// ColorBrewer RdBu, 11 classes, reversed: dark blue ... white ... dark red (sRGB / 255).
const vec3 k_rdbu_r[11] = vec3[11](
    vec3(5.0, 48.0, 97.0), vec3(33.0, 102.0, 172.0), vec3(67.0, 147.0, 195.0),
    vec3(146.0, 197.0, 222.0), vec3(209.0, 229.0, 240.0), vec3(247.0, 247.0, 247.0),
    vec3(253.0, 219.0, 199.0), vec3(244.0, 165.0, 130.0), vec3(214.0, 96.0, 77.0),
    vec3(178.0, 24.0, 43.0), vec3(103.0, 0.0, 31.0));

// Position of v on the colour axis, 0..1, zero at 0.5.
float diverging_t(float v, float vmin, float vmax) {
  if (v < 0.0) {
    float neg = max(-vmin, 1e-30);
    return 0.5 - 0.5 * clamp(-v / neg, 0.0, 1.0);
  }
  float pos = max(vmax, 1e-30);
  return 0.5 + 0.5 * clamp(v / pos, 0.0, 1.0);
}

vec3 rdbu_r(float t) {
  float x = clamp(t, 0.0, 1.0) * 10.0;
  int i = min(int(floor(x)), 9);
  return mix(k_rdbu_r[i], k_rdbu_r[i + 1], x - float(i)) / 255.0;
}

void main() {
  float v = texelFetch(u_values, ivec2(gl_FragCoord.xy), 0).r;
  if (isnan(v)) {
    frag_color = vec4(1.0, 0.0, 1.0, 1.0);
    return;
  }
  if (u_colormap == 1) {
    float span = max(u_vmax - u_vmin, 1e-30);
    frag_color = vec4(vec3(clamp((v - u_vmin) / span, 0.0, 1.0)), 1.0);
    return;
  }
  frag_color = vec4(rdbu_r(diverging_t(v, u_vmin, u_vmax)), 1.0);
}
