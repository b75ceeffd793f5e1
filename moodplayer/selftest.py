"""``moodplayer --self-test``: check each part of an installation and print a table.

Each check returns (passed, detail, what to do when it failed). The output is
plain text a user can paste into a bug report; the exit status is 0 only when
every check passes.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer import __version__, paths

QT_PROBE_FLAG = "--probe-qt"


@dataclass
class CheckResult:
    name: str
    passed: bool
    detail: str
    fix: str = ""


def _self_command() -> list[str]:
    """How to start moodplayer again: the bundle's executable, or this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "moodplayer"]


def probe_qt() -> int:
    """Run in a child process: start Qt on its platform plugin and quit."""
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([sys.argv[0]])
    label = QLabel("moodplayer")
    label.show()
    app.processEvents()
    print(app.platformName())
    return 0


def check_home() -> CheckResult:
    home = paths.home()
    try:
        with tempfile.NamedTemporaryFile(dir=home, prefix=".selftest-") as f:
            f.write(b"ok")
            f.flush()
    except OSError as err:
        return CheckResult("data folder writable", False, f"{home}: {err}",
                           "Set MOODPLAYER_HOME to a folder you can write to.")
    return CheckResult("data folder writable", True, str(home))


def check_qt() -> CheckResult:
    results = []
    platforms = ["offscreen"]
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY"):
        platforms.append(os.environ.get("QT_QPA_PLATFORM") or "xcb")
    for name in platforms:
        env = dict(os.environ, QT_QPA_PLATFORM=name)
        try:
            out = subprocess.run([*_self_command(), QT_PROBE_FLAG], env=env, capture_output=True,
                                 text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return CheckResult("Qt platform plugin", False, f"{name}: {err}", "")
        if out.returncode != 0:
            tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
            return CheckResult(
                "Qt platform plugin", False, f"{name} failed: {tail}",
                "On Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4 "
                "libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 "
                "libxcb-shape0 libxkbcommon-x11-0 libegl1 libgl1",
            )
        results.append(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else name)
    return CheckResult("Qt platform plugin", True, ", ".join(results) + " load")


def check_models() -> CheckResult:
    from moodplayer.analysis import Analyzer
    from moodplayer.sample import sample_face

    t0 = time.perf_counter()
    analyzer = Analyzer()
    analyzer.load()
    result = analyzer.analyze_array(sample_face())
    elapsed = time.perf_counter() - t0
    if len(result.faces) != 1:
        return CheckResult("faces and emotions", False,
                           f"found {len(result.faces)} faces in the built-in sample, expected 1",
                           "Reinstall moodplayer; the face detector's weights may be damaged.")
    face = result.faces[0]
    weights = analyzer.emotions.in_use
    detail = (f"MTCNN found the sample face ({face.confidence:.2f}); emotion model "
              f"({weights.choice}, {weights.engine}) says {face.emotion}; {elapsed:.1f} s")
    return CheckResult("faces and emotions", True, detail)


def check_scene() -> CheckResult:
    from moodplayer.sample import sample_face
    from moodplayer.vision import scene

    classifier = None
    note = "colour and light only (the ImageNet model is not installed yet)"
    try:
        classifier = scene.load_default_classifier()
        if classifier is not None:
            note = "colour and light + ImageNet classifier"
    except Exception as err:  # noqa: BLE001 - reported, the colour describer still runs
        note = f"colour and light only (classifier failed: {err})"
    description = scene.describe_scene(sample_face(), classifier)
    ok = bool(description.caption or description.phrase)
    return CheckResult("scene describer", ok, note, "" if ok else "Reinstall moodplayer.")


def check_catalog() -> CheckResult:
    from moodplayer.catalog import store
    from moodplayer.catalog.clusters import load_cluster_model

    conn = store.connect()
    try:
        n = conn.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
        model = load_cluster_model(conn)
    finally:
        conn.close()
    return CheckResult("catalog and mood clusters", True,
                       f"{n} catalog tracks, {model.k} mood clusters")


def _tone(path: Path, seconds: float = 0.6, rate: int = 22050) -> None:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def check_vlc() -> CheckResult:
    from moodplayer.errors import PlaybackError
    from moodplayer.playback.player import Player, PlayerOptions

    try:
        player = Player(PlayerOptions.dummy())
    except PlaybackError as err:
        return CheckResult("libvlc playback", False, str(err).split(".")[0],
                           "On Debian/Ubuntu: sudo apt-get install libvlc5 vlc-plugin-base "
                           "vlc-plugin-video-output")
    ended = []
    player.on_end = lambda: ended.append(True)
    with tempfile.TemporaryDirectory() as tmp:
        tone = Path(tmp) / "tone.wav"
        _tone(tone)
        player.load(tone)
        player.play()
        deadline = time.monotonic() + 10
        while not ended and time.monotonic() < deadline:
            time.sleep(0.05)
        version = player.libvlc_version()
        state = player.state()
        player.close()
    if not ended:
        return CheckResult("libvlc playback", False, f"libvlc {version}: the tone did not play "
                           f"(state {state.name})", "Install vlc-plugin-base.")
    return CheckResult("libvlc playback", True, f"libvlc {version} played a synthesised tone")


CHECKS: list[Callable[[], CheckResult]] = [
    check_home, check_qt, check_models, check_scene, check_catalog, check_vlc,
]


def run_self_test(out=None) -> int:
    out = out or sys.stdout
    print(f"moodplayer {__version__} self-test — Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}"
          f"{' (bundle)' if getattr(sys, 'frozen', False) else ''}", file=out)
    print(f"MOODPLAYER_HOME: {paths.home()}", file=out)
    rows: list[CheckResult] = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        try:
            rows.append(check())
        except Exception as err:  # noqa: BLE001 - a crashing check is a failed check
            rows.append(CheckResult(name, False, f"{type(err).__name__}: {err}",
                                    "Reinstall moodplayer, or report this output as a bug."))
        r = rows[-1]
        mark = "PASS" if r.passed else "FAIL"
        print(f"  {mark}  {r.name:<28s} {r.detail}", file=out, flush=True)
        if not r.passed and r.fix:
            print(f"        -> {r.fix}", file=out)
    failed = sum(not r.passed for r in rows)
    print(f"{len(rows) - failed} passed, {failed} failed", file=out)
    return 0 if failed == 0 else 1
