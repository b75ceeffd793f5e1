"""Build ``dist/moodplayer_<version>_<arch>.deb`` from the PyInstaller bundle ``dist/moodplayer/``.

    .venv/bin/python packaging/build_deb.py [--bundle dist/moodplayer] [--out dist]

The package installs

* the bundle under ``/opt/moodplayer`` and a ``/usr/bin/moodplayer`` link to it;
* ``/usr/share/applications/moodplayer.desktop`` (application menu, "Open with"
  for pictures);
* the icon in the hicolor theme: ``assets/icons/moodplayer.svg`` and PNGs of
  16 to 256 pixels rendered from it here with Qt's SVG renderer;
* ``/usr/share/doc/moodplayer/copyright``.

``Depends:`` is worked out from the bundle: every shared library that a file in
it links against and that the bundle does not hold itself is looked up in the
dynamic linker's cache and mapped to its Debian package with ``dpkg -S`` (the
spec leaves the system's libraries out on purpose), plus what is loaded at run
time without being linked (libvlc and its plugins, Qt's xcb libraries), and
``libc6`` at least as new as the newest glibc symbol version the bundle uses.
Nothing is removed on purge: a user's data lives in their home folder.

Needs ``dpkg-deb``, ``dpkg``, ``ldconfig`` and ``objdump`` (binutils, which
PyInstaller needs on Linux as well).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "moodplayer"
ICON_SVG = ROOT / "assets" / "icons" / "moodplayer.svg"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
MAINTAINER = os.environ.get("MOODPLAYER_MAINTAINER", "moodplayer developers <moodplayer@localhost>")

#: Loaded at run time without being linked, or dlopen()ed by Qt; the same runtime
#: packages ``packaging/system-deps.sh`` installs for a checkout (less xvfb).
RUNTIME_PACKAGES = (
    "libvlc5", "vlc-plugin-base", "vlc-plugin-video-output",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
    "libxcb-render-util0", "libxcb-xinerama0", "libxcb-shape0", "libxkbcommon-x11-0",
    "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3",
)

#: Libraries Qt links that need not be installed on the build machine, by package.
KNOWN_PACKAGES = {
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libxkbcommon.so.0": "libxkbcommon0",
}

#: Linked by files we ship but never loaded by moodplayer; no dependency on them.
OPTIONAL_SONAMES = re.compile(r"^(libcuda|libnvidia|libcudart|libcublas|libcudnn)")

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.4
Name=moodplayer
GenericName=Mood Music Player
Comment=Plays music that fits the mood of a face or a photo
Exec=moodplayer gui %F
TryExec=moodplayer
Icon=moodplayer
Terminal=false
Categories=AudioVideo;Audio;Player;
MimeType=image/jpeg;image/png;image/bmp;image/webp;image/gif;image/tiff;
Keywords=music;mood;emotion;face;photo;webcam;playlist;
StartupNotify=true
StartupWMClass=moodplayer
"""

DESCRIPTION = """\
music player that plays to the mood of a face or a photo
 moodplayer finds the faces in a webcam picture or a photo, reads the emotion
 of each one, describes the scene, and places the mood in valence-arousal-
 dominance space. It then plays and queues songs and music videos that fit
 that mood, from the MuSe catalog, your own music, or a demo library it makes
 itself.
 .
 Everything runs on this computer; camera pictures are never stored or sent.
 Run "moodplayer --self-test" to check an installation."""

POSTINST = """\
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
fi
exit 0
"""

POSTRM = """\
#!/bin/sh
set -e
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
fi
exit 0
"""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: moodplayer

Files: *
Copyright: moodplayer developers
License: GPL-3.0-or-later
 On Debian systems the full text of the GNU General Public License version 3
 is in /usr/share/common-licenses/GPL-3.

Files: opt/moodplayer/_internal/*
Comment: Python {python} and the Python packages moodplayer uses (TensorFlow,
 tf-keras, DeepFace, mtcnn, OpenCV, ONNX Runtime, PySide6/Qt, NumPy, SciPy,
 scikit-learn, pandas, Pillow, PyAV, python-vlc and their dependencies), each
 under its own licence; the licence files their authors ship are kept in the
 *.dist-info folders of this bundle.
"""


class BuildError(RuntimeError):
    """The package could not be built; the message says why."""


@dataclass
class Dependencies:
    packages: dict[str, str | None] = field(default_factory=dict)  # name -> lowest version
    unresolved: dict[str, list[str]] = field(default_factory=dict)  # soname -> needed by

    def depends_field(self) -> str:
        names = dict.fromkeys(RUNTIME_PACKAGES)
        names.update(self.packages)
        return ", ".join(f"{name} (>= {version})" if version else name
                         for name, version in sorted(names.items()))


def project_version(root: Path = ROOT) -> str:
    text = (root / "moodplayer" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise BuildError("moodplayer/__init__.py has no __version__.")
    return match.group(1)


def _run(cmd: list[str], **kwargs) -> str:
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)
    except FileNotFoundError as err:
        raise BuildError(f"{cmd[0]} is not installed; it is needed to build the package.") from err
    except subprocess.CalledProcessError as err:
        raise BuildError(f"{' '.join(cmd[:3])} failed: {err.stderr.strip()[-2000:]}") from err
    return out.stdout


def debian_arch() -> str:
    return _run(["dpkg", "--print-architecture"]).strip()


# --- what the bundle needs from the system ----------------------------------------------------

def _is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def _elf_needs(path: Path) -> tuple[list[str], dict[str, set[str]]]:
    """NEEDED sonames, and the symbol versions required from each (``objdump -p``)."""
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    needed = re.findall(r"^\s+NEEDED\s+(\S+)", out, re.MULTILINE)
    versions: dict[str, set[str]] = {}
    current = None
    references = out.split("Version References:", 1)[1] if "Version References:" in out else ""
    for line in references.splitlines():
        match = re.match(r"\s+required from (\S+):", line)
        if match:
            current = versions.setdefault(match.group(1), set())
        elif current is not None and re.match(r"\s+0x", line):
            current.add(line.split()[-1])
    return needed, versions


def _version_key(version: str) -> tuple:
    """Enough of Debian's version order for symbols files' versions (2.35, 12, 3.0.0~alpha1)."""
    key: list = []
    for part in re.findall(r"\d+|~|[^\d~]+", version):
        key.append((2, int(part)) if part.isdigit() else (0, 0) if part == "~" else (1, part))
    return (*key, (1, ""))


def _symbol_versions(package: str) -> dict[str, str]:
    """Symbol version -> the package version that introduced it, from dpkg's symbols file."""
    info = Path("/var/lib/dpkg/info")
    for candidate in (info / f"{package}:{debian_arch()}.symbols", info / f"{package}.symbols"):
        if candidate.is_file():
            found = {}
            for line in candidate.read_text(encoding="utf-8", errors="replace").splitlines():
                match = re.match(r"^ (\S+)@(\S+) (\S+)", line)
                if match and match.group(1) == match.group(2):
                    found[match.group(2)] = match.group(3)
            return found
    return {}


def _linker_cache() -> dict[str, str]:
    """soname -> path, for this machine's architecture, from ``ldconfig -p``."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    out = _run([ldconfig, "-p"])
    bits = "x86-64" if sys.maxsize > 2**32 and os.uname().machine == "x86_64" else None
    cache: dict[str, str] = {}
    for line in out.splitlines()[1:]:
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if not match:
            continue
        soname, flags, path = match.groups()
        if bits and "x86-64" not in flags and "64" not in flags:
            continue
        cache.setdefault(soname, path)
    return cache


def _owning_packages(paths: list[str]) -> dict[str, str]:
    """path -> Debian package, trying each path as given, /usr-merged and resolved."""
    candidates: dict[str, str] = {}
    for path in paths:
        real = os.path.realpath(path)
        for variant in (path, real):
            for alt in (variant, "/usr" + variant if not variant.startswith("/usr/") else
                        variant.removeprefix("/usr")):
                candidates.setdefault(alt, path)
    proc = subprocess.run(["dpkg", "-S", *candidates], capture_output=True, text=True)
    owners: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith(("diversion by", "local diversion")) or ": " not in line:
            continue
        pkgs, path = line.split(": ", 1)
        original = candidates.get(path.strip())
        if original and original not in owners:
            owners[original] = pkgs.split(",")[0].strip().split(":")[0]
    return owners


def bundle_dependencies(bundle: Path) -> Dependencies:
    """The Debian packages the bundle's files link against (see the module docstring)."""
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    shipped = {p.name for p in bundle.rglob("*")}
    needers: dict[str, list[str]] = {}
    tags: dict[str, set[str]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, (needed, versions) in zip(files, pool.map(_elf_needs, files)):
            for soname in needed:
                if soname not in shipped:
                    needers.setdefault(soname, []).append(str(path.relative_to(bundle)))
            for soname, required in versions.items():
                if soname not in shipped:
                    tags.setdefault(soname, set()).update(required)
    cache = _linker_cache()
    located = {soname: cache[soname] for soname in needers if soname in cache}
    owners = _owning_packages(sorted(set(located.values())))
    deps = Dependencies()
    package_tags: dict[str, set[str]] = {}
    for soname, users in sorted(needers.items()):
        package = owners.get(located.get(soname, "")) or KNOWN_PACKAGES.get(soname)
        if package:
            package_tags.setdefault(package, set()).update(tags.get(soname, ()))
        elif not OPTIONAL_SONAMES.match(soname):
            deps.unresolved[soname] = users
    for package, required in package_tags.items():
        introduced = _symbol_versions(package) if required else {}
        versions = [introduced[t] for t in required if t in introduced]
        deps.packages[package] = max(versions, key=_version_key) if versions else None
    return deps


# --- icons -------------------------------------------------------------------------------------

def render_icons(svg: Path, sizes: tuple[int, ...], out_dir: Path) -> dict[int, Path]:
    """PNG renderings of ``svg``, one per size, with Qt's SVG renderer (PySide6 Essentials)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - needed alive
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise BuildError(f"The icon {svg} is not a valid SVG picture.")
    out: dict[int, Path] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"{size}x{size}" / "apps" / f"{PACKAGE}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise BuildError(f"Could not write {path}.")
        out[size] = path
    return out


# --- the package ---------------------------------------------------------------------------------

def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _normalise_modes(tree: Path) -> None:
    """Folders 0755, files 0644, or 0755 where anyone may execute them (as dpkg expects)."""
    for dirpath, _dirnames, filenames in os.walk(tree):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            os.chmod(path, 0o755 if mode & 0o111 else 0o644)


def _installed_size_kib(tree: Path) -> int:
    total = 0
    for dirpath, _dirs, filenames in os.walk(tree):
        for name in filenames:
            path = os.path.join(dirpath, name)
            total += os.lstat(path).st_size if os.path.islink(path) else os.stat(path).st_size
    return (total + 1023) // 1024


def build_deb(bundle: Path, out_dir: Path, *, version: str | None = None,
              compression: str = "xz", level: int | None = None,
              allow_unresolved: bool = False) -> Path:
    """Build the .deb and return its path."""
    bundle = bundle.resolve()
    executable = bundle / PACKAGE
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        raise BuildError(f"{executable} is missing: build the bundle first "
                         "(pyinstaller packaging/moodplayer.spec).")
    for tool, package in (("dpkg-deb", "dpkg"), ("objdump", "binutils")):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} is not installed; it is needed to build the package "
                             f"(apt-get install {package}).")
    version = version or project_version()
    arch = debian_arch()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{arch}.deb"

    with tempfile.TemporaryDirectory(prefix="moodplayer-deb-", dir=out_dir) as tmp:
        root = Path(tmp) / "root"
        opt = root / "opt" / PACKAGE
        shutil.copytree(bundle, opt, symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        os.symlink(f"/opt/{PACKAGE}/{PACKAGE}", root / "usr" / "bin" / PACKAGE)
        share = root / "usr" / "share"
        _write(share / "applications" / f"{PACKAGE}.desktop", DESKTOP_ENTRY)
        icons = share / "icons" / "hicolor"
        (icons / "scalable" / "apps").mkdir(parents=True)
        shutil.copyfile(ICON_SVG, icons / "scalable" / "apps" / f"{PACKAGE}.svg")
        render_icons(ICON_SVG, ICON_SIZES, icons)
        python = ".".join(map(str, sys.version_info[:2]))
        _write(share / "doc" / PACKAGE / "copyright", COPYRIGHT.format(python=python))

        deps = bundle_dependencies(opt)
        if deps.unresolved:
            lines = [f"  {soname} (needed by {', '.join(users[:3])}"
                     f"{' ...' if len(users) > 3 else ''})"
                     for soname, users in sorted(deps.unresolved.items())]
            message = ("These libraries are linked by the bundle but are neither in it nor in "
                       "any installed Debian package:\n" + "\n".join(lines))
            if not allow_unresolved:
                raise BuildError(message)
            print(f"build_deb: warning: {message}", file=sys.stderr)

        _normalise_modes(root)
        control = (
            f"Package: {PACKAGE}\n"
            f"Version: {version}\n"
            f"Architecture: {arch}\n"
            f"Maintainer: {MAINTAINER}\n"
            f"Installed-Size: {_installed_size_kib(root)}\n"
            f"Depends: {deps.depends_field()}\n"
            "Section: sound\n"
            "Priority: optional\n"
            f"Description: {DESCRIPTION}\n"
        )
        _write(root / "DEBIAN" / "control", control)
        _write(root / "DEBIAN" / "postinst", POSTINST, 0o755)
        _write(root / "DEBIAN" / "postrm", POSTRM, 0o755)
        (root / "DEBIAN").chmod(0o755)

        cmd = ["dpkg-deb", "--root-owner-group", f"-Z{compression}"]
        if level is not None:
            cmd.append(f"-z{level}")
        cmd += ["--build", str(root), str(target)]
        _run(cmd)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / PACKAGE,
                        help="the PyInstaller onedir bundle (default: dist/moodplayer)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist",
                        help="where the .deb goes (default: dist)")
    parser.add_argument("--version", help="package version (default: moodplayer.__version__)")
    parser.add_argument("--compression", default="xz", choices=("xz", "gzip", "zstd", "none"))
    parser.add_argument("--level", type=int, help="compression level (dpkg-deb's default: 6)")
    parser.add_argument("--allow-unresolved", action="store_true",
                        help="build even when a linked library has no Debian package here")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    try:
        deb = build_deb(args.bundle, args.out, version=args.version,
                        compression=args.compression, level=args.level,
                        allow_unresolved=args.allow_unresolved)
    except BuildError as err:
        print(f"build_deb: {err}", file=sys.stderr)
        return 1
    fields = _run(["dpkg-deb", "--field", str(deb), "Installed-Size", "Depends"])
    print(f"build_deb: {deb} ({deb.stat().st_size / 2**20:.0f} MiB, "
          f"{time.monotonic() - t0:.0f} s)\n{fields}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
