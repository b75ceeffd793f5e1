"""Build moodplayer's installer: the PyInstaller bundle, then (on Debian/Ubuntu) the .deb.

    .venv/bin/python packaging/build.py            # what `make package` runs
    .venv/bin/python packaging/build.py --json     # ... and a JSON summary on the last line

Writes ``dist/moodplayer/`` (the onedir bundle) and
``dist/moodplayer_<version>_<arch>.deb``, then prints the build times, the
bundle's size and what takes the space. Where ``dpkg-deb`` is missing (not a
Debian-based system) only the bundle is built.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import build_deb  # noqa: E402 - beside this file

SPEC = HERE / "moodplayer.spec"


def tree_size(path: Path) -> int:
    """Bytes of the files under ``path`` (symbolic links count as themselves)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def biggest_entries(bundle: Path, count: int = 15) -> list[tuple[str, int]]:
    """The largest top-level entries of the bundle's library folder, largest first."""
    internal = bundle / "_internal"
    base = internal if internal.is_dir() else bundle
    sizes = [(str(p.relative_to(bundle)), tree_size(p)) for p in base.iterdir()]
    return sorted(sizes, key=lambda item: item[1], reverse=True)[:count]


def run_pyinstaller(dist: Path, work: Path, clean: bool = False) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError as err:
        raise build_deb.BuildError(
            "PyInstaller is not installed: .venv/bin/pip install -e '.[packaging]'"
        ) from err
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        cmd.append("--clean")
    cmd.append(str(SPEC))
    # The hooks import Qt and TensorFlow to look inside them: no display is needed for
    # that, tf.keras is to be tf_keras as in the bundle, and TensorFlow's notes are noise.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_USE_LEGACY_KERAS="1",
               TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(cmd, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise build_deb.BuildError(f"PyInstaller failed (exit status {proc.returncode}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    parser.add_argument("--no-deb", action="store_true", help="build the bundle only")
    parser.add_argument("--compression", default="xz", choices=("xz", "gzip", "zstd", "none"))
    parser.add_argument("--level", type=int, help="compression level of the .deb")
    parser.add_argument("--json", action="store_true", help="a JSON summary on the last line")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    bundle = dist / build_deb.PACKAGE
    summary: dict = {"version": build_deb.project_version()}
    try:
        t0 = time.monotonic()
        run_pyinstaller(dist, work, args.clean)
        summary["bundle_seconds"] = round(time.monotonic() - t0, 1)
        summary["bundle"] = str(bundle)
        summary["bundle_bytes"] = tree_size(bundle)
        summary["biggest"] = biggest_entries(bundle)
        if not args.no_deb and shutil.which("dpkg-deb"):
            t1 = time.monotonic()
            deb = build_deb.build_deb(bundle, dist, compression=args.compression,
                                      level=args.level)
            summary["deb_seconds"] = round(time.monotonic() - t1, 1)
            summary["deb"] = str(deb)
            summary["deb_bytes"] = deb.stat().st_size
        elif not args.no_deb:
            print("build: dpkg-deb is not installed (not Debian/Ubuntu?): "
                  "built the bundle only", file=sys.stderr)
    except build_deb.BuildError as err:
        print(f"build: {err}", file=sys.stderr)
        return 1
    summary["total_seconds"] = round(time.monotonic() - t0, 1)

    mib = 2**20
    print(f"\nbundle  {bundle}: {summary['bundle_bytes'] / mib:.0f} MiB "
          f"(built in {summary['bundle_seconds']:.0f} s)")
    for name, size in summary["biggest"]:
        print(f"  {size / mib:8.1f} MiB  {name}")
    if "deb" in summary:
        print(f"package {summary['deb']}: {summary['deb_bytes'] / mib:.0f} MiB "
              f"(built in {summary['deb_seconds']:.0f} s)")
        print(f"install: sudo apt install ./{Path(summary['deb']).name}")
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
