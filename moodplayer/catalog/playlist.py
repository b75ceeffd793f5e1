"""Write recommendations as M3U or XSPF playlists.

* **M3U** (extended, UTF-8, ``#EXTM3U``): one entry per playable file (absolute
  path, with ``#EXTINF`` duration -1, "artist - title"). Catalog-only songs have no
  file a player could open; they are listed as comments with their link, so the
  playlist stays valid for every player and still says what was recommended.
* **XSPF** (XML Shareable Playlist Format, version 1): every song; files have a
  ``file://`` ``<location>``, catalog-only songs only ``<creator>``/``<title>`` (which
  XSPF players may resolve themselves) plus an ``<info>`` link; each track's
  ``<annotation>`` carries the reason it was chosen.

Files are written to a temporary file beside the target and renamed into place, so a
failed export never leaves half a playlist.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from moodplayer.catalog.recommend import Recommendation
from moodplayer.errors import CatalogError

FORMATS = ("m3u", "xspf")


def format_for(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("m3u", "m3u8"):
        return "m3u"
    if suffix == "xspf":
        return "xspf"
    raise CatalogError(
        f"Cannot tell the playlist format of {path.name}: name it .m3u, .m3u8 or .xspf."
    )


def to_m3u(items: Sequence[Recommendation], title: str = "moodplayer") -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for r in items:
        label = _one_line(f"{r.artist} - {r.track}" if r.artist else r.track)
        if r.playable and r.path:
            lines.append(f"#EXTINF:-1,{label}")
            lines.append(str(Path(r.path).resolve()))
        else:
            link = r.spotify_url or r.video_search_url
            lines.append(f"# not in your library: {label}" + (f" <{link}>" if link else ""))
    return "\n".join(lines) + "\n"


def to_xspf(items: Sequence[Recommendation], title: str = "moodplayer") -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<playlist version="1" xmlns="http://xspf.org/ns/0/">',
        f"  <title>{escape(title)}</title>",
        "  <trackList>",
    ]
    for r in items:
        out.append("    <track>")
        if r.playable and r.path:
            out.append(f"      <location>{escape(Path(r.path).resolve().as_uri())}</location>")
        out.append(f"      <identifier>{escape('moodplayer:' + r.key)}</identifier>")
        if r.track:
            out.append(f"      <title>{escape(r.track)}</title>")
        if r.artist:
            out.append(f"      <creator>{escape(r.artist)}</creator>")
        if r.reason:
            out.append(f"      <annotation>{escape(r.reason)}</annotation>")
        link = r.spotify_url or (r.video_search_url if not r.playable else None)
        if link:
            out.append(f"      <info>{escape(link)}</info>")
        out.append("    </track>")
    out += ["  </trackList>", "</playlist>"]
    return "\n".join(out) + "\n"


def export_playlist(
    items: Sequence[Recommendation], path: str | Path, *, title: str = "moodplayer"
) -> Path:
    """Write ``items`` to ``path`` (format from the suffix); returns the path written."""
    path = Path(path).expanduser()
    fmt = format_for(path)
    text = to_m3u(items, title) if fmt == "m3u" else to_xspf(items, title)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CatalogError(f"The folder {folder} does not exist.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise CatalogError(f"Cannot write the playlist {path}: {err.strerror or err}.") from err
    return path


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
