#!/usr/bin/env bash
# Installs, with apt-get, only the Debian 12 packages ConvT Lab needs that are missing.
# Idempotent; works as root or through sudo; no prompts (CI=true, no stdin is fine).
#   scripts/setup.sh                         build + test dependencies
#   scripts/setup.sh --with-fashion-mnist    also Debian's dataset-fashion-mnist
#   scripts/setup.sh --with-reference        also python3-torch and python3-numpy: the tests run
#                                            the "As PyTorch" scripts with them (./test.sh asks for
#                                            it); they also regenerate the test fixtures and run
#                                            scripts/bench_torch_dcgan20.py
#   scripts/setup.sh --with-emoji            also the RGB emoji images (npm package
#                                            emoji-datasource-twitter, Twemoji, CC BY 4.0) in
#                                            ${XDG_CACHE_HOME:-~/.cache}/convt-lab/ (--data emoji)
set -euo pipefail

with_emoji=0
packages=(build-essential cmake ninja-build pkg-config libimgui-dev libglfw3-dev libstb-dev python3-glad
          zlib1g-dev libopenblas-dev libgtest-dev nlohmann-json3-dev xvfb xauth xdotool fonts-dejavu-core
          libegl-dev libegl-mesa0 libgif-dev libavcodec-dev libavformat-dev libswscale-dev
          libavutil-dev)
for arg in "$@"; do
  case "$arg" in
    --with-fashion-mnist) packages+=(dataset-fashion-mnist) ;;
    --with-reference) packages+=(python3-torch python3-numpy) ;;
    --with-emoji) with_emoji=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --with-fashion-mnist, --with-reference or --with-emoji)" >&2
       exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The emoji images: npm pack (no node_modules, no scripts run) of a pinned version, unpacked
# into the cache; convt::load_dataset("emoji") finds package/img/twitter/64/ there.
install_emoji() {
  local version=16.0.0
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/convt-lab/emoji-datasource-twitter-$version"
  if [ -d "$dir/package/img/twitter/64" ]; then
    echo "setup: emoji images present in $dir"
    return
  fi
  if ! command -v npm >/dev/null; then
    echo "setup: --with-emoji needs npm (Node.js) on PATH; found none (Debian: apt-get install npm)" >&2
    exit 1
  fi
  echo "setup: fetching emoji-datasource-twitter@$version into $dir"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "emoji-datasource-twitter@$version" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar xzf "$tmp/emoji-datasource-twitter-$version.tgz" -C "$tmp/unpacked"
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp/unpacked" "$dir"
  rm -rf "$tmp"
  echo "setup: $(ls "$dir/package/img/twitter/64" | wc -l) emoji PNGs (64x64 RGBA) in $dir/package/img/twitter/64"
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  if [ "$with_emoji" -eq 1 ]; then install_emoji; fi
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "setup: need root to install: ${missing[*]} (run as root, or install sudo)" >&2
    exit 1
  fi
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
if [ "$with_emoji" -eq 1 ]; then install_emoji; fi
