#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages moodplayer needs, when they are missing.
#   libvlc + plugins : audio and video playback (python-vlc loads libvlc)
#   xcb libraries    : Qt's X11 platform plugin (the window, embedded video)
#   xvfb             : a virtual screen for the GUI tests
# As root it runs apt-get; otherwise it prints the command to run and carries on.
set -u
PACKAGES=(libvlc5 vlc-plugin-base vlc-plugin-video-output
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
          libxcb-xinerama0 libxcb-shape0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
          libdbus-1-3 xvfb)
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-based system; install libvlc (VLC 3) and Qt's xcb libraries with your package manager." >&2
  exit 0
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's own Python needs python3-venv to make the virtual environment.
"${PYTHON:-python3}" -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "system-deps: apt-get failed" >&2; exit 1; }
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: run: sudo apt-get install ${missing[*]}" >&2
fi
