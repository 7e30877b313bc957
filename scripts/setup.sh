#!/usr/bin/env bash
# Installs, with apt-get, only the Debian 12 packages ConvT Lab needs that are missing.
# Idempotent; works as root or through sudo; no prompts (CI=true, no stdin is fine).
#   scripts/setup.sh                         build + test dependencies
#   scripts/setup.sh --with-fashion-mnist    also Debian's dataset-fashion-mnist
#   scripts/setup.sh --with-reference        also python3-torch and python3-numpy, to regenerate
#                                            the test fixtures and run ../shared/bench
set -euo pipefail

packages=(build-essential cmake pkg-config libimgui-dev libglfw3-dev libstb-dev python3-glad
          zlib1g-dev libopenblas-dev libgtest-dev nlohmann-json3-dev xvfb xauth fonts-dejavu-core)
for arg in "$@"; do
  case "$arg" in
    --with-fashion-mnist) packages+=(dataset-fashion-mnist) ;;
    --with-reference) packages+=(python3-torch python3-numpy) ;;
    *) echo "setup.sh: unknown option '$arg' (expected --with-fashion-mnist or --with-reference)" >&2
       exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
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
