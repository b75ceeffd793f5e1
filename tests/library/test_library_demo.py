"""The demo library: made on first use, real files libvlc plays, moods you can hear and see."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from moodplayer import cli
from moodplayer.catalog import demo, library
from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS, nearest_emotion


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A fresh MOODPLAYER_HOME with the demo library made once for this module."""
    home = tmp_path_factory.mktemp("demo-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOODPLAYER_HOME", str(home))
        calls = []
        started = time.perf_counter()
        items = demo.ensure_demo_library(progress=lambda d, t, n: calls.append((d, t, n)))
        elapsed = time.perf_counter() - started
        yield {"home": home, "items": items, "progress": calls, "seconds": elapsed}


def _manifest(home: Path) -> dict:
    return json.loads((home / "demo" / demo.MANIFEST).read_text())["items"]


def _by_name(made) -> dict[str, library.LocalItem]:
    return {i.key.split(":", 1)[1]: i for i in made["items"]}


def _decode_mono(path: str) -> tuple[np.ndarray, int]:
    import av

    with av.open(path) as container:
        stream = container.streams.audio[0]
        chunks = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.rate
    return np.concatenate(chunks, axis=1).mean(axis=0).astype(np.float32), rate


# --------------------------------------------------------------------------- files


def test_every_item_is_made_with_progress(made):
    specs = demo.DEMO_SPECS
    assert [i.key for i in made["items"]] == [s.key for s in specs]
    assert len(made["progress"]) == len(specs)
    assert made["progress"][-1][:2] == (len(specs), len(specs))
    assert {n for _, _, n in made["progress"]} == {s.name for s in specs}
    assert sum(s.video for s in specs) >= 3
    assert sum(not s.video for s in specs) >= 10
    print(f"demo library made in {made['seconds']:.1f} s")


def test_files_are_real_media_of_the_right_length(made):
    import av

    manifest = _manifest(made["home"])
    for spec, item in zip(demo.DEMO_SPECS, made["items"]):
        path = Path(item.path)
        assert path.parent == made["home"] / "demo" and path.is_file()
        entry = manifest[spec.name]
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        with av.open(str(path)) as container:
            duration = container.duration / 1e6
            audio = container.streams.audio
            video = container.streams.video
            assert len(audio) == 1 and audio[0].channels == 2
            if spec.video:
                assert path.suffix == ".mp4"
                assert video[0].codec_context.name == "h264"
                assert audio[0].codec_context.name == "aac"
                assert (video[0].width, video[0].height) == demo.VIDEO_SIZE
                assert video[0].frames == pytest.approx(duration * demo.VIDEO_FPS, abs=3)
                assert 18.0 <= duration <= 26.0
            else:
                assert not video
                assert path.suffix == demo.audio_format().extension
                assert 20.0 <= duration <= 40.0
        assert duration == pytest.approx(entry["duration_s"], abs=0.1)
        assert item.duration_s == pytest.approx(duration, abs=0.1)


def test_files_are_tagged_with_their_mood(made):
    for spec, item in zip(demo.DEMO_SPECS, made["items"]):
        tags = library.read_tags(item.path)
        assert (tags.title, tags.artist, tags.genre) == (spec.title, demo.DEMO_ARTIST, spec.genre)
        assert tags.album == demo.DEMO_ALBUM
        v, a, d = spec.vad.as_tuple()
        assert f"valence={v:.2f} arousal={a:.2f} dominance={d:.2f}" in tags.comment
    # the VAD is also in machine-readable custom tags
    import mutagen

    audio = next(i for i in made["items"] if not i.is_video)
    spec = demo.DEMO_SPECS[0]
    media = mutagen.File(audio.path)
    assert float(media["valence"][0]) == pytest.approx(spec.vad.valence, abs=0.005)
    assert float(media["arousal"][0]) == pytest.approx(spec.vad.arousal, abs=0.005)
    video = next(i for i in made["items"] if i.is_video)
    vspec = next(s for s in demo.DEMO_SPECS if s.key == video.key)
    mp4 = mutagen.File(video.path)
    assert float(bytes(mp4.tags["----:org.moodplayer:DOMINANCE"][0])) == pytest.approx(
        vspec.vad.dominance, abs=0.005)


# --------------------------------------------------------------------------- database


def test_items_are_registered_and_spread_over_the_moods(made):
    conn = library.connect()
    try:
        playable = library.playable_items(conn)
    finally:
        conn.close()
    assert {i.key for i in playable} == {s.key for s in demo.DEMO_SPECS}
    specs = {s.key: s for s in demo.DEMO_SPECS}
    for item in playable:
        spec = specs[item.key]
        assert item.source == "demo" and not item.estimated
        assert item.vad == spec.vad and item.is_video == spec.video
        assert item.artist == demo.DEMO_ARTIST and item.seeds == list(spec.seeds)
        assert Path(item.path).is_file()
    # every face emotion has an item made for its very VAD, and items for happy and sad differ
    assert {nearest_emotion(i.vad) for i in playable} == set(EMOTIONS)
    nearest = {
        e: min(playable, key=lambda i, e=e: i.vad.distance(EMOTION_VAD[e])) for e in EMOTIONS
    }
    assert all(nearest[e].vad.distance(EMOTION_VAD[e]) < 1e-9 for e in EMOTIONS)
    assert nearest["happy"].path != nearest["sad"].path
    # every mood cluster of the shipped default model holds at least one item
    from moodplayer.catalog.clusters import load_default_model

    model = load_default_model()
    assert {model.assign(i.vad) for i in playable} == set(range(model.k))
    # a video at each end of the valence axis
    videos = [i for i in playable if i.is_video]
    assert min(v.vad.valence for v in videos) < 3.5 < 6.5 < max(v.vad.valence for v in videos)


def test_second_call_is_fast_and_touches_nothing(made):
    folder = made["home"] / "demo"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    conn = library.connect()
    try:
        rows_before = conn.execute("SELECT * FROM library_items ORDER BY key").fetchall()
        started = time.perf_counter()
        again = demo.ensure_demo_library(conn)
        elapsed = time.perf_counter() - started
        rows_after = conn.execute("SELECT * FROM library_items ORDER BY key").fetchall()
    finally:
        conn.close()
    assert elapsed < 0.2, f"the check took {elapsed:.3f} s"
    assert again == made["items"]
    assert rows_after == rows_before
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_missing_and_corrupt_files_are_made_again(made):
    folder = made["home"] / "demo"
    items = _by_name(made)
    gone = Path(items["grey-morning"].path)
    flipped = Path(items["drifting-clouds"].path)
    truncated = Path(items["night-drive"].path)
    keep = Path(items["sunlit-parade"].path)
    keep_mtime = keep.stat().st_mtime_ns

    gone.unlink()
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # same size, damaged content
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:1000])

    remade = []
    demo.ensure_demo_library(progress=lambda d, t, n: remade.append(n))
    assert sorted(remade) == ["drifting-clouds", "grey-morning", "night-drive"]
    manifest = _manifest(made["home"])
    for path in (gone, flipped, truncated):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == manifest[path.stem]["sha256"]
    assert keep.stat().st_mtime_ns == keep_mtime
    assert not list(folder.glob(".*.partial.*"))


def test_changed_recipes_replace_old_files_and_rows(made, monkeypatch):
    original = demo.DEMO_SPECS
    old = original[-1]
    new = demo.DemoSpec("short-test-piece", "Short Test Piece", old.vad, old.genre, old.seeds,
                        20.0)
    monkeypatch.setattr(demo, "DEMO_SPECS", (*original[:-1], new))
    items = demo.ensure_demo_library()
    folder = made["home"] / "demo"
    assert items[-1].key == "demo:short-test-piece" and Path(items[-1].path).is_file()
    assert not (folder / f"{old.name}.mp4").exists()  # the file of the dropped item is gone
    conn = library.connect()
    try:
        keys = {i.key for i in library.list_items(conn, source="demo")}
    finally:
        conn.close()
    assert new.key in keys and old.key not in keys

    monkeypatch.setattr(demo, "DEMO_SPECS", original)
    items = demo.ensure_demo_library()
    assert [i.key for i in items] == [s.key for s in original]
    assert not (folder / "short-test-piece.opus").exists()


def test_an_item_that_cannot_be_made_costs_only_itself(made, monkeypatch):
    items = _by_name(made)
    victim = Path(items["paper-boats"].path)
    victim.unlink()
    real = demo.generate_item

    def failing(folder, spec, fmt=None):
        if spec.name == "paper-boats":
            raise OSError(28, "No space left on device")
        return real(folder, spec, fmt)

    monkeypatch.setattr(demo, "generate_item", failing)
    result = demo.ensure_demo_library()
    assert "demo:paper-boats" not in {i.key for i in result}
    assert len(result) == len(demo.DEMO_SPECS) - 1
    conn = library.connect()
    try:
        assert "demo:paper-boats" not in {i.key for i in library.playable_items(conn)}
    finally:
        conn.close()

    monkeypatch.setattr(demo, "generate_item", real)
    result = demo.ensure_demo_library()
    assert [i.key for i in result] == [s.key for s in demo.DEMO_SPECS]
    assert victim.is_file()


# --------------------------------------------------------------------------- playing


def _vlc_plays(path: str, expected_s: float) -> dict:
    vlc = pytest.importorskip("vlc")
    instance = vlc.Instance("--aout=dummy --vout=dummy --no-video-title-show --quiet")
    if instance is None:
        pytest.skip("libvlc could not start here")
    player = instance.media_player_new()
    media = instance.media_new_path(path)
    player.set_media(media)
    try:
        assert player.play() == 0
        end = time.monotonic() + 10
        while time.monotonic() < end and player.get_state() not in (
            vlc.State.Playing, vlc.State.Error, vlc.State.Ended
        ):
            time.sleep(0.02)
        state = player.get_state()
        end = time.monotonic() + 5
        while time.monotonic() < end and player.get_time() < 300:
            time.sleep(0.02)
        result = {
            "state": state,
            "time_ms": player.get_time(),
            "length_ms": player.get_length(),
            "tracks": sorted(str(t.type) for t in media.tracks_get()),
        }
    finally:
        player.stop()
        player.release()
        instance.release()
    assert result["state"] == vlc.State.Playing
    assert result["time_ms"] >= 300
    assert result["length_ms"] == pytest.approx(expected_s * 1000, abs=500)
    return result


def test_libvlc_plays_a_demo_song(made):
    item = _by_name(made)["rain-on-the-window"]
    result = _vlc_plays(item.path, item.duration_s)
    assert result["tracks"] == ["TrackType.audio"]


def test_libvlc_plays_a_demo_music_video(made):
    item = _by_name(made)["sunburst"]
    result = _vlc_plays(item.path, item.duration_s)
    assert result["tracks"] == ["TrackType.audio", "TrackType.video"]


# --------------------------------------------------------------------------- moods you can hear


def _tempo_bpm(x: np.ndarray, rate: int) -> float:
    """Tempo from the autocorrelation of spectral flux (onsets), searched in 60-180 bpm."""
    hop, win = 512, 1024
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop] * np.hanning(win)
    mag = np.log1p(10 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(0.0, np.diff(mag, axis=0)).sum(axis=1)
    flux -= flux.mean()
    ac = np.correlate(flux, flux, "full")[len(flux) - 1 :]
    fps = rate / hop
    lags = np.arange(int(fps * 60 / 180), int(fps * 60 / 60) + 1)
    return 60 * fps / lags[np.argmax(ac[lags])]


def _centroid_hz(x: np.ndarray, rate: int) -> float:
    power = np.abs(np.fft.rfft(x)) ** 2
    return float((power * np.fft.rfftfreq(len(x), 1 / rate)).sum() / power.sum())


_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _major_minor(x: np.ndarray, rate: int) -> tuple[float, float]:
    """Best correlation of the pitch-class profile with the Krumhansl-Kessler key profiles."""
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    band = (freqs > 60) & (freqs < 2000)
    pitch_class = np.round(12 * np.log2(freqs[band] / 440.0) + 69).astype(int) % 12
    chroma = np.bincount(pitch_class, weights=power[band], minlength=12)
    major = max(np.corrcoef(np.roll(_MAJOR, k), chroma)[0, 1] for k in range(12))
    minor = max(np.corrcoef(np.roll(_MINOR, k), chroma)[0, 1] for k in range(12))
    return major, minor


def test_happy_and_sad_music_differ_in_measured_sound(made):
    items = _by_name(made)
    happy, rate = _decode_mono(items["sunlit-parade"].path)
    sad, rate_sad = _decode_mono(items["rain-on-the-window"].path)
    manifest = _manifest(made["home"])

    tempo_happy, tempo_sad = _tempo_bpm(happy, rate), _tempo_bpm(sad, rate_sad)
    assert tempo_happy == pytest.approx(manifest["sunlit-parade"]["music"]["bpm"], rel=0.05)
    assert tempo_sad == pytest.approx(manifest["rain-on-the-window"]["music"]["bpm"], rel=0.05)
    assert tempo_happy > 1.2 * tempo_sad  # faster

    assert _centroid_hz(happy, rate) > 2.0 * _centroid_hz(sad, rate_sad)  # brighter

    def rms_db(x):
        return 20 * np.log10(np.sqrt(np.mean(x**2)))

    assert rms_db(happy) > rms_db(sad) + 4.0  # louder

    major, minor = _major_minor(happy, rate)
    assert major > minor + 0.05  # a major key
    major, minor = _major_minor(sad, rate_sad)
    assert minor > major + 0.05  # a minor key

    for x in (happy, sad):  # clean: no clipping, no silence in the middle
        assert np.abs(x).max() < 0.99
        seconds = x[: len(x) // rate * rate].reshape(-1, rate)
        assert (np.sqrt((seconds[1:-2] ** 2).mean(axis=1)) > 1e-3).all()


# --------------------------------------------------------------------------- moods you can see


def _frames(path: str) -> tuple[np.ndarray, float]:
    """Every frame, at half size (plenty for colour and motion), as uint8 RGB."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = [f.to_ndarray(format="rgb24")[::2, ::2] for f in container.decode(stream)]
        fps = float(stream.average_rate)
    return np.stack(frames), fps


def test_music_videos_colour_and_motion_follow_the_mood(made):
    items = _by_name(made)
    happy, fps = _frames(items["sunburst"].path)
    sad, _ = _frames(items["blue-hour"].path)
    angry, _ = _frames(items["red-alert"].path)
    calm, _ = _frames(items["drifting-clouds"].path)
    after_title = int(5 * fps)

    def mean_rgb(frames):
        return frames[after_title:].mean(axis=(0, 1, 2), dtype=np.float64)

    r, g, b = mean_rgb(happy)
    assert r > b + 30 and g > b  # warm, golden
    r, g, b = mean_rgb(sad)
    assert b > r + 20  # blue
    r, g, b = mean_rgb(angry)
    assert r > g + 20 and r > b + 10  # red

    def motion(frames):
        return float(np.abs(np.diff(frames[after_title:].astype(np.int16), axis=0)).mean())

    assert motion(angry) > 1.5 * motion(calm)
    assert motion(happy) > 1.5 * motion(sad)


def test_music_video_pulses_on_the_beat(made):
    item = _by_name(made)["sunburst"]
    frames, fps = _frames(item.path)
    bpm = _manifest(made["home"])["sunburst"]["music"]["bpm"]
    h, w = frames.shape[1:3]
    centre = frames[:, h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].mean(
        axis=(1, 2, 3), dtype=np.float64
    )
    signal = centre[int(5 * fps) :] - centre[int(5 * fps) :].mean()
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    freqs = np.fft.rfftfreq(len(signal), 1 / fps)
    band = (freqs > 0.8) & (freqs < fps / 2 - 0.5)
    strongest = freqs[band][np.argmax(spectrum[band])]
    assert strongest == pytest.approx(bpm / 60, abs=0.1)


# --------------------------------------------------------------------------- recommend


def test_recommend_on_a_fresh_home_plays_demo_items(made, capsys):
    firsts = {}
    for emotion in ("sad", "happy"):
        assert cli.main(["recommend", "--emotion", emotion, "--json", "--top", "5"]) == 0
        recs = json.loads(capsys.readouterr().out)
        playable = [r for r in recs if r["playable"]]
        assert playable, recs
        assert all(r["source"] == "demo" and os.path.isfile(r["path"]) for r in playable)
        firsts[emotion] = playable[0]
    assert firsts["sad"]["path"] != firsts["happy"]["path"]
    assert firsts["sad"]["valence"] < 4.0 < 7.0 < firsts["happy"]["valence"]
