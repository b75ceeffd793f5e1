"""The libvlc player on real media files written by the tests, with dummy outputs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from moodplayer.errors import PlaybackError
from moodplayer.playback.player import Player, PlayerOptions, PlayerState, vlc_available

pytestmark = pytest.mark.skipif(not vlc_available(), reason="libvlc is not installed here")

ROOT = Path(__file__).resolve().parents[2]


def write_wav(path: Path, seconds: float, rate: int = 8000, freq: float = 440.0) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    samples = (np.sin(2 * np.pi * freq * t) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def write_video(path: Path, frames: int = 25) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(frames):
            image = np.full((120, 160, 3), (i * 9) % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def wait_for(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def player():
    p = Player(PlayerOptions.dummy())
    yield p
    p.close()


def test_plays_a_wav_to_the_end_and_reports_it(tmp_path, player):
    song = write_wav(tmp_path / "tone.wav", 1.0)
    ended = threading.Event()
    states: list[PlayerState] = []
    player.on_end = ended.set
    player.on_state = states.append
    player.load(song)
    player.play()
    assert wait_for(lambda: PlayerState.PLAYING in states)
    assert ended.wait(10), "libvlc never reported the end of the file"
    assert player.state() == PlayerState.ENDED
    assert player.duration_s() == pytest.approx(1.0, abs=0.05)
    assert states.index(PlayerState.PLAYING) < states.index(PlayerState.ENDED)


def test_pause_seek_resume_and_audio_settings(tmp_path, player):
    song = write_wav(tmp_path / "long.wav", 30.0)
    player.load(song)
    player.set_volume(140)
    player.set_muted(True)
    player.play()
    assert wait_for(player.is_playing)
    assert wait_for(lambda: player.duration_s() > 29)
    player.pause()
    assert wait_for(lambda: player.state() == PlayerState.PAUSED)
    held = player.position_s()
    time.sleep(0.3)
    assert player.position_s() == pytest.approx(held, abs=0.01)
    player.seek(20)
    player.resume()
    assert wait_for(lambda: player.position_s() >= 20)
    assert player.volume == 100 and player.muted
    player.toggle_pause()
    assert wait_for(lambda: player.state() == PlayerState.PAUSED)
    player.stop()
    assert wait_for(lambda: player.state() == PlayerState.STOPPED)


def test_missing_empty_and_undecodable_files(tmp_path, player):
    with pytest.raises(PlaybackError, match="does not exist"):
        player.load(tmp_path / "nowhere.mp3")
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(PlaybackError, match="empty"):
        player.load(empty)
    with pytest.raises(PlaybackError, match="Nothing is loaded"):
        player.play()

    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(np.random.default_rng(1).bytes(8000))
    errors: list[str] = []
    ended = threading.Event()
    player.on_error = errors.append
    player.on_end = ended.set
    player.load(garbage)
    player.play()
    assert wait_for(lambda: bool(errors), 10), "an undecodable file must be reported as an error"
    assert "garbage.mp3" in errors[0]
    assert not ended.is_set()


def test_video_plays_with_a_video_track(tmp_path, player):
    clip = write_video(tmp_path / "clip.mp4")
    ended = threading.Event()
    player.on_end = ended.set
    player.set_video_window(0x1234)  # ignored with the dummy video output
    player.load(clip)
    player.play()
    assert wait_for(player.has_video), "the video track was not opened"
    assert ended.wait(10)


def test_missing_libvlc_gives_install_instructions(tmp_path):
    code = (
        "from moodplayer.playback.player import Player\n"
        "from moodplayer.errors import PlaybackError\n"
        "try:\n    Player()\nexcept PlaybackError as err:\n    print('ERR', err)\n"
    )
    env = dict(
        os.environ, PYTHON_VLC_LIB_PATH=str(tmp_path / "libvlc-missing.so"), PYTHONPATH=str(ROOT)
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ERR")
    assert "libvlc" in out.stdout and "apt install libvlc5" in out.stdout
