#!/usr/bin/env bash
# Installs the build into a temporary prefix as a user would, then checks it from there:
#   cmake --install BUILD --prefix P; cd elsewhere; P/bin/convt-lab --version names
#   P/share/convt-lab as its assets; a panel renders headless (needs DISPLAY, e.g. xvfb-run) to a
#   PNG of the requested size; the desktop entry and icon are in place. Then cpack -G DEB: the
#   package holds usr/bin/convt-lab and the assets, and declares its library dependencies.
# Usage: install_test.sh CMAKE CPACK BUILD_DIR
set -euo pipefail
cmake_cmd=$1 cpack_cmd=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cmake_cmd" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log"; fail "cmake --install"; }
p="$tmp/prefix"
[ -x "$p/bin/convt-lab" ] || fail "no $p/bin/convt-lab"
for f in share/convt-lab/models/dcgan20.json share/convt-lab/digits/digits20.png \
         share/convt-lab/checkpoints/dcgan20_digits.safetensors \
         share/convt-lab/lessons/01-convolution.json share/convt-lab/lessons/README.md \
         share/applications/convt-lab.desktop share/icons/hicolor/256x256/apps/convt-lab.png; do
  [ -f "$p/$f" ] || fail "not installed: $f"
done
grep -q '^Exec=convt-lab$' "$p/share/applications/convt-lab.desktop" || fail "desktop entry Exec"

mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"
version=$(env -u CONVT_ASSET_DIR "$p/bin/convt-lab" --version)
echo "$version"
grep -qx "assets: $p/share/convt-lab" <<<"$version" || fail "assets not read from the prefix"

if [ -n "${DISPLAY:-}" ]; then
  env -u CONVT_ASSET_DIR "$p/bin/convt-lab" --panel latent --size 1024x640 \
    --screenshot "$tmp/latent.png" >"$tmp/render.log" 2>&1 ||
    { cat "$tmp/render.log"; fail "render from the prefix"; }
  # PNG header: width and height, big-endian, at bytes 16..23
  size=$(od -An -tu1 -j16 -N8 "$tmp/latent.png" | awk '{print $3*256+$4 "x" $7*256+$8}')
  [ "$size" = "1024x640" ] || fail "screenshot is $size, expected 1024x640"
else
  echo "no DISPLAY: render step skipped"
fi

cd "$build"
"$cpack_cmd" -G DEB -B "$tmp/deb" >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(ls "$tmp"/deb/convt-lab_*.deb)
info=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $info"
for dep in libglfw3 libopenblas fonts-dejavu-core libstdc++6; do
  grep -q "$dep" <<<"$info" || fail "the package does not declare $dep"
done
dpkg-deb -c "$deb" >"$tmp/contents"
grep -q '\./usr/bin/convt-lab$' "$tmp/contents" || fail "no usr/bin/convt-lab in the package"
grep -q '\./usr/share/convt-lab/models/dcgan20.json$' "$tmp/contents" ||
  fail "no assets in the package"
grep -q '\./usr/share/convt-lab/lessons/10-other-generators.json$' "$tmp/contents" ||
  fail "no lessons in the package"
echo "OK"
