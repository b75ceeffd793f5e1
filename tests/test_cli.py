from __future__ import annotations

from moodplayer import cli


def test_a_leading_photo_or_folder_means_the_window(tmp_path):
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(b"x")
    commands = cli._commands(cli.build_parser())
    assert {"gui", "analyze", "recommend", "catalog", "library"} <= commands
    assert cli.route([str(photo)], commands) == ["gui", str(photo)]
    assert cli.route([str(tmp_path)], commands) == ["gui", str(tmp_path)]
    assert cli.route(["analyze", str(photo)], commands) == ["analyze", str(photo)]
    assert cli.route(["--version"], commands) == ["--version"]
    assert cli.route(["no-such-thing"], commands) == ["no-such-thing"]  # argparse explains
