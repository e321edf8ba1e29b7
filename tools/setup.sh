#!/usr/bin/env bash
# Installs everything Cloud Park needs on a fresh Debian machine: a Python virtual
# environment with the package, the Node tools (glTF validator, three.js), Debian's
# ffmpeg (showcase streams) and, with --test, what the test suite needs (Debian's
# chromium, Xvfb, Mesa). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

python=${PYTHON:-python3}
stamp=.venv/.installed
apt_install() {  # apt_install PACKAGE... (root, or sudo)
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  if ! command -v apt-get >/dev/null || { [ -n "$SUDO" ] && ! command -v sudo >/dev/null; }; then
    echo "setup: please install the Debian packages $* (no apt-get or sudo here)"
    return 0
  fi
  echo "setup: installing Debian packages: $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
# The room's hot loops and the ticker's write loop are compiled (world/*.pyx, server/net/*.pyx; Cython): pip builds them with the C
# compiler, and again whenever a .pyx (or a .pxd they share) changed since the last install.
stale_ext=0
for pyx in world/*.pyx server/net/*.pyx; do
  so=$(ls "${pyx%.pyx}".cpython-*.so 2>/dev/null | head -1 || true)
  { [ -z "$so" ] || [ "$pyx" -nt "$so" ] || [ setup.py -nt "$so" ]; } && stale_ext=1
  for pxd in world/*.pxd; do { [ -n "$so" ] && [ "$pxd" -nt "$so" ]; } && stale_ext=1; done
done
if ! command -v cc >/dev/null && ! command -v gcc >/dev/null; then
  apt_install gcc libc6-dev
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ $stale_ext = 1 ] || { [ $want_test = 1 ] && ! grep -q dev "$stamp"; }; then
  echo "setup: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  if [ $want_test = 1 ]; then
    .venv/bin/python -m pip install -q -e ".[dev,bench]"
    echo dev > "$stamp"
  else
    .venv/bin/python -m pip install -q -e .
    echo base > "$stamp"
  fi
fi

# Every package tools/node/package.json pins must be there (the WebXR export bundles
# three + @msgpack/msgpack + hls.js with esbuild; scene checks run gltf-validator; the web app
# serves echarts' browser build for the consoles' charts, hls.js for the event player and jsQR
# for the check-in scanner).
node_ok=1
for need in gltf-validator three @msgpack/msgpack hls.js/dist/hls.light.mjs .bin/esbuild echarts/dist/echarts.min.js jsqr/dist/jsQR.js; do
  [ -e "tools/node/node_modules/$need" ] || node_ok=0
done
if [ $node_ok = 0 ] || [ tools/node/package.json -nt tools/node/node_modules ]; then
  command -v npm >/dev/null || { echo "setup: npm is required (Debian: apt-get install nodejs npm)"; exit 1; }
  echo "setup: installing Node packages (tools/node)"
  (cd tools/node && npm install --no-audit --no-fund --silent)
  touch tools/node/node_modules
fi


# The desktop client and the scene previews draw Chinese text (park names, booth
# panels, the interface in Chinese) with Noto Sans CJK.
if ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  apt_install fonts-noto-cjk fontconfig
fi

# Showcase streams: the server packages every live event into HLS with Debian's ffmpeg
# (test pattern, video files, RTMP/SRT pushes) and probes files with ffprobe.
if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
  apt_install ffmpeg
fi

if [ $want_test = 1 ]; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v Xvfb >/dev/null || need+=(xvfb xauth)
  [ -e /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so ] || [ -e /usr/lib/aarch64-linux-gnu/dri/swrast_dri.so ] || need+=(libgl1-mesa-dri libglx-mesa0 libegl1)
  if [ ${#need[@]} -gt 0 ]; then
    apt_install "${need[@]}"
  fi
fi
