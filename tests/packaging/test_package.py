"""The packaged installer, end to end (slow: it builds the whole bundle).

The package is built from a clean tree (a copy of the files git tracks, as they
are in the working tree) into temporary folders, unpacked with ``dpkg-deb -x``
into a temporary root, and its executable runs with an empty environment: a
fresh ``HOME``, ``PATH=/usr/bin:/bin``, no virtual environment and no project
on any path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from moodplayer import __version__, paths

ROOT = Path(__file__).resolve().parents[2]
APP = "moodplayer"
#: What the package cannot work without; all of it must be tracked by git.
REQUIRED = (
    "models/emotion/facial_expression_model_weights.onnx",
    "data/scene_label_vad.csv",
    "data/default_clusters.json",
    "assets/icons/moodplayer.svg",
    "packaging/moodplayer.spec",
)
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in out.stdout.decode().split("\0") if name]


def _snapshot(tree: Path) -> dict[str, int]:
    return {str(p.relative_to(tree)): p.lstat().st_size for p in tree.rglob("*")}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    missing = [tool for tool in ("git", "dpkg", "dpkg-deb", "objdump") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} absent: the Debian package cannot be built here")
    pytest.importorskip("PyInstaller", reason="PyInstaller absent: pip install -e '.[packaging]'")
    base = tmp_path_factory.mktemp("package")
    src = base / "src"
    for name in _tracked_files():
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree stays out
            dest = src / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    untracked = [name for name in REQUIRED if not (src / name).is_file()]
    if untracked:
        pytest.fail(f"the package needs files git does not track: {', '.join(untracked)}; "
                    "commit them")
    dist = base / "dist"
    proc = subprocess.run(
        [sys.executable, str(src / "packaging" / "build.py"), "--dist", str(dist),
         "--work", str(base / "work"), "--level", "0", "--json"],
        cwd=src, capture_output=True, text=True, timeout=1500,
    )
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    deb = Path(summary["deb"])
    assert deb.name == f"{APP}_{__version__}_{summary['deb'].rsplit('_', 1)[1]}"
    root = base / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    home = base / "home"
    home.mkdir()
    # Stands in for /usr/bin/moodplayer, whose target (/opt/...) is not where we unpacked.
    link = base / "bin" / APP
    link.parent.mkdir()
    link.symlink_to(root / "opt" / APP / APP)
    yield {"src": src, "work": base / "work", "deb": deb, "root": root, "home": home,
           "link": link, "summary": summary, "before": _snapshot(root)}
    shutil.rmtree(base, ignore_errors=True)  # some 5 GB: do not keep it for pytest's history


def _run_bare(package: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the unpacked executable with an empty environment; it must not write into its tree."""
    proc = subprocess.run(
        ["env", "-i", f"HOME={package['home']}", "PATH=/usr/bin:/bin", str(package["link"]),
         *args],
        cwd=package["home"], capture_output=True, text=True, timeout=timeout,
    )
    assert _snapshot(package["root"]) == package["before"], "the program wrote into its install"
    return proc


def test_built_from_the_clean_tree(package):
    """Every moodplayer module in the bundle's archive came from the copied tree."""
    toc = (package["work"] / APP / "PYZ-00.toc").read_text()
    sources = re.findall(r"\('(moodplayer(?:\.\w+)*)',\s*'([^']+)'", toc)
    assert len(sources) > 20
    outside = [(m, s) for m, s in sources if not s.startswith(str(package["src"]))]
    assert not outside, outside[:5]
    for name in ("moodplayer.commands.gui", "moodplayer.ui.main_window", "moodplayer.selftest"):
        if (package["src"] / (name.replace(".", "/") + ".py")).is_file():
            assert name in dict(sources)


def test_control_fields_and_files(package):
    deb = package["deb"]
    fields = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True,
                            check=True).stdout
    control = dict(re.findall(r"^(\S+): (.*)$", fields, re.MULTILINE))
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert control["Package"] == APP
    assert control["Version"] == __version__
    assert control["Architecture"] == arch
    depends = {d.split()[0] for d in control["Depends"].split(", ")}
    # Everything a checkout needs from Debian at run time (system-deps.sh), less the test screen.
    script = (package["src"] / "packaging" / "system-deps.sh").read_text()
    wanted = set(re.search(r"PACKAGES=\(([^)]*)\)", script).group(1).split()) - {"xvfb"}
    assert wanted <= depends, wanted - depends
    assert re.search(r"libc6 \(>= 2\.\d+\)", control["Depends"])

    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    names = [line.split()[5] for line in listing]
    assert all(line.split()[1] == "root/root" for line in listing)
    allowed = ("./opt/moodplayer/", "./usr/bin/moodplayer", "./usr/share/applications/",
               "./usr/share/icons/hicolor/", "./usr/share/doc/moodplayer/")
    strays = [n for n in names if not n.startswith(allowed)
              and n not in ("./", "./opt/", "./usr/", "./usr/bin/", "./usr/share/",
                            "./usr/share/icons/", "./usr/share/doc/")]
    assert not strays, strays[:10]

    root = package["root"]
    assert os.readlink(root / "usr" / "bin" / APP) == f"/opt/{APP}/{APP}"
    desktop = (root / "usr" / "share" / "applications" / f"{APP}.desktop").read_text()
    assert "Categories=AudioVideo;Audio;Player;" in desktop
    assert re.search(r"^MimeType=.*image/jpeg;.*image/png;", desktop, re.MULTILINE)
    assert re.search(r"^Exec=moodplayer gui %F$", desktop, re.MULTILINE)
    assert re.search(r"^Icon=moodplayer$", desktop, re.MULTILINE)
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(root / "usr/share/applications" /
                                                             f"{APP}.desktop")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    icons = root / "usr" / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{APP}.svg").read_bytes().startswith(b"<?xml")
    for size in ICON_SIZES:
        png = (icons / f"{size}x{size}" / "apps" / f"{APP}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)

    scripts = deb.parent / "control"
    subprocess.run(["dpkg-deb", "--control", str(deb), str(scripts)], check=True)
    for name in ("postinst", "postrm"):
        assert os.access(scripts / name, os.X_OK)
        assert "gtk-update-icon-cache" in (scripts / name).read_text()


def test_bundle_holds_what_it_needs_and_not_more(package):
    internal = package["root"] / "opt" / APP / "_internal"
    src = package["src"]
    onnx = "models/emotion/facial_expression_model_weights.onnx"
    assert _digest(internal / onnx) == _digest(src / onnx)
    for name in ("data/scene_label_vad.csv", "data/default_clusters.json"):
        assert (internal / name).read_bytes() == (src / name).read_bytes()
    for net in ("pnet", "rnet", "onet"):
        assert (internal / "mtcnn" / "assets" / "weights" / f"{net}.lz4").is_file()
    platforms = internal / "PySide6" / "Qt" / "plugins" / "platforms"
    for plugin in ("libqxcb.so", "libqwayland.so", "libqoffscreen.so"):
        assert (platforms / plugin).is_file()
    assert not (platforms / "libqeglfs.so").exists()
    assert not (internal / "PySide6" / "Qt" / "translations").exists()
    for absent in ("keras", "torch", "tests", "pytest", "onnx", "tensorflow/include"):
        assert not (internal / absent).exists(), absent
    archive = (package["work"] / APP / "PYZ-00.toc").read_text()
    # tf.keras is tf_keras, which TensorFlow and deepface import by name only.
    for module in ("tf_keras.api._v2.keras", "deepface.models.demography.onnx.Emotion"):
        assert f"('{module}'" in archive, module
    for top in ("keras", "torch", "pytest", "tf2onnx"):
        assert not re.search(rf"\('{top}[.']", archive), top
    names = {p.name for p in internal.rglob("*")}
    for banned in ("libvlc.so.5", "libvlccore.so.9", "libstdc++.so.6", "libgcc_s.so.1"):
        assert banned not in names, banned
    assert not [n for n in names if n.startswith(("libcudart", "libcublas", "libcudnn"))]


def test_self_test_passes_with_an_empty_environment(package):
    proc = _run_bare(package, "--self-test")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "(bundle)" in proc.stdout
    assert re.search(r"^6 passed, 0 failed$", proc.stdout, re.MULTILINE), proc.stdout
    assert str(package["home"]) in proc.stdout  # the user's data lives in the fresh HOME


def test_analyze_finds_the_four_faces(package):
    shared = paths.shared_data_dir()
    photo = shared / "data" / "photos" / "face.jpg" if shared else None
    if photo is None or not photo.is_file():
        pytest.skip("../shared/data/photos/face.jpg absent")
    proc = _run_bare(package, "analyze", str(photo), "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    result = result[0] if isinstance(result, list) else result
    assert len(result["faces"]) == 4
    for face in result["faces"]:
        assert abs(sum(face["probabilities"].values()) - 1.0) < 1e-3
        assert face["confidence"] > 0.9
    assert result["caption"]
