"""Audio and video playback through libvlc (python-vlc), without any GUI toolkit.

One :class:`Player` owns one ``vlc.Instance`` and one media player.  Events
(end of media, errors, state changes) arrive on a libvlc thread and are handed
to plain callbacks; a callback must return quickly and must not call back into
the player (libvlc deadlocks when an event handler calls the media player).  The
desktop app turns them into queued Qt signals; scripts and tests can set a
``threading.Event``.

libvlc is a system library.  When it is missing, :func:`load_vlc` and
:class:`Player` raise :class:`PlaybackError` with a message that tells the user
what to install, so the rest of moodplayer still works without sound.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from moodplayer.errors import PlaybackError

log = logging.getLogger(__name__)

INSTALL_HINT_DEBIAN = "sudo apt install libvlc5 vlc-plugin-base vlc-plugin-video-output"


def install_hint() -> str:
    """One sentence telling the user how to get libvlc on this platform."""
    if sys.platform.startswith("win"):
        return "Install VLC media player (64-bit) from https://www.videolan.org/ and restart."
    if sys.platform == "darwin":
        return "Install VLC media player from https://www.videolan.org/ into /Applications."
    return (
        f"On Debian or Ubuntu run: {INSTALL_HINT_DEBIAN} "
        "(on Fedora: sudo dnf install vlc-libs; on Arch: sudo pacman -S vlc)."
    )


_vlc_module: ModuleType | None = None


def load_vlc() -> ModuleType:
    """Import python-vlc, or raise :class:`PlaybackError` when libvlc is absent."""
    global _vlc_module
    if _vlc_module is not None:
        return _vlc_module
    try:
        import vlc  # noqa: PLC0415 - the system library is optional
    except (ImportError, OSError, NotImplementedError, AttributeError) as err:
        raise PlaybackError(
            f"moodplayer cannot play music because libvlc was not found ({err}). {install_hint()}"
        ) from err
    except SystemExit as err:  # python-vlc exits when PYTHON_VLC_LIB_PATH is wrong
        raise PlaybackError(
            "moodplayer cannot play music because the libvlc named by PYTHON_VLC_LIB_PATH "
            f"could not be loaded. {install_hint()}"
        ) from err
    _vlc_module = vlc
    return vlc


def vlc_available() -> bool:
    try:
        load_vlc()
    except PlaybackError:
        return False
    return True


class PlayerState(enum.Enum):
    """The media player's state, independent of python-vlc's enum."""

    IDLE = "idle"
    OPENING = "opening"
    BUFFERING = "buffering"
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"
    ENDED = "ended"
    ERROR = "error"


_STATE_NAMES = {
    "NothingSpecial": PlayerState.IDLE,
    "Opening": PlayerState.OPENING,
    "Buffering": PlayerState.BUFFERING,
    "Playing": PlayerState.PLAYING,
    "Paused": PlayerState.PAUSED,
    "Stopped": PlayerState.STOPPED,
    "Ended": PlayerState.ENDED,
    "Error": PlayerState.ERROR,
}


@dataclass(frozen=True)
class PlayerOptions:
    """How libvlc is started.

    ``audio_output``/``video_output`` name libvlc modules; ``"dummy"`` plays
    without a sound card or a screen (tests, headless machines).
    """

    audio_output: str | None = None
    video_output: str | None = None
    quiet: bool = True
    extra_args: tuple[str, ...] = ()

    def args(self) -> list[str]:
        out = ["--no-video-title-show", "--no-snapshot-preview", "--no-stats"]
        if sys.platform.startswith(("linux", "freebsd")):
            # libvlc's Xlib-based outputs (VDPAU, GLX) crash when TensorFlow is loaded in
            # the same process; its xcb outputs draw into our window just as well.
            out.append("--no-xlib")
        if self.quiet:
            out.append("--quiet")
        if self.audio_output:
            out.append(f"--aout={self.audio_output}")
        if self.video_output:
            out.append(f"--vout={self.video_output}")
        out.extend(self.extra_args)
        return out

    @staticmethod
    def dummy() -> PlayerOptions:
        """Outputs that need no sound card and no display."""
        return PlayerOptions(audio_output="dummy", video_output="dummy")


Callback = Callable[[], None]


class Player:
    """Plays one media file at a time.

    ``on_end`` runs when a file played to its end, ``on_error(message)`` when
    libvlc could not play it, ``on_state(state)`` on every state change.  All
    three run on a libvlc thread (see the module docstring).
    """

    def __init__(
        self,
        options: PlayerOptions | None = None,
        *,
        on_end: Callback | None = None,
        on_error: Callable[[str], None] | None = None,
        on_state: Callable[[PlayerState], None] | None = None,
    ) -> None:
        vlc = load_vlc()
        self.options = options or PlayerOptions()
        instance = vlc.Instance(self.options.args())
        if instance is None:
            raise PlaybackError(
                "libvlc is installed but could not start (its plugins may be missing). "
                + install_hint()
            )
        self._vlc = vlc
        self._instance = instance
        self._player = instance.media_player_new()
        self._media = None
        self._path: Path | None = None
        self._volume = 80
        self._muted = False
        self._video_window: int | None = None
        self._seen_length_ms = 0
        self.on_end = on_end
        self.on_error = on_error
        self.on_state = on_state
        events = self._player.event_manager()
        et = vlc.EventType
        events.event_attach(et.MediaPlayerEndReached, self._handle_end)
        events.event_attach(et.MediaPlayerEncounteredError, self._handle_error)
        events.event_attach(et.MediaPlayerLengthChanged, self._handle_length)
        for kind in (
            et.MediaPlayerPlaying,
            et.MediaPlayerPaused,
            et.MediaPlayerStopped,
            et.MediaPlayerOpening,
        ):
            events.event_attach(kind, self._handle_state)
        log.debug("libvlc %s started with %s", self.libvlc_version(), self.options.args())

    # ---- media -------------------------------------------------------------------------------

    def libvlc_version(self) -> str:
        raw = self._vlc.libvlc_get_version()
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)

    @property
    def path(self) -> Path | None:
        """The loaded file, if any."""
        return self._path

    def load(self, path: str | Path) -> None:
        """Load a local file (stopping what plays); raises :class:`PlaybackError` if unusable."""
        file = Path(path)
        if not file.is_file():
            raise PlaybackError(f"The file {file} does not exist or is not a file.")
        try:
            with file.open("rb") as handle:
                if not handle.read(16):
                    raise PlaybackError(f"The file {file} is empty.")
        except OSError as err:
            raise PlaybackError(f"The file {file} cannot be read: {err.strerror}.") from err
        media = self._instance.media_new_path(str(file.resolve()))
        if media is None:
            raise PlaybackError(f"libvlc could not open {file}.")
        self._player.set_media(media)
        if self._media is not None:
            self._media.release()
        self._media = media
        self._path = file
        self._seen_length_ms = 0
        if self._video_window is not None:
            self._bind_window(self._video_window)

    def play(self) -> None:
        """Start or resume playback."""
        if self._media is None:
            raise PlaybackError("Nothing is loaded to play.")
        if self._player.play() != 0:
            raise PlaybackError(f"libvlc could not start playing {self._path}.")
        self._apply_audio()

    def pause(self) -> None:
        self._player.set_pause(1)

    def resume(self) -> None:
        self._player.set_pause(0)

    def toggle_pause(self) -> None:
        """Pause when playing, play when paused, stopped or ended."""
        state = self.state()
        if state in (PlayerState.PLAYING, PlayerState.BUFFERING, PlayerState.OPENING):
            self.pause()
        elif state == PlayerState.PAUSED:
            self.resume()
        elif self._media is not None:
            self.play()

    def stop(self) -> None:
        self._player.stop()

    def unload(self) -> None:
        """Stop and forget the current media."""
        self._player.stop()
        self._player.set_media(None)
        if self._media is not None:
            self._media.release()
        self._media = None
        self._path = None

    def close(self) -> None:
        """Release libvlc; the player cannot be used afterwards."""
        try:
            self.unload()
            self._player.release()
            self._instance.release()
        except Exception:  # noqa: BLE001 - closing must never raise
            log.debug("error while releasing libvlc", exc_info=True)

    # ---- queries -----------------------------------------------------------------------------

    def state(self) -> PlayerState:
        raw = self._player.get_state()
        name = str(raw).rsplit(".", 1)[-1]
        return _STATE_NAMES.get(name, PlayerState.IDLE)

    def is_playing(self) -> bool:
        return self.state() == PlayerState.PLAYING

    def position_s(self) -> float:
        """Seconds played of the current media (0 when unknown)."""
        ms = self._player.get_time()
        return max(0.0, ms / 1000.0) if ms is not None else 0.0

    def duration_s(self) -> float:
        """Length of the current media in seconds (0 while unknown)."""
        ms = self._player.get_length()
        return max(0.0, ms / 1000.0) if ms is not None else 0.0

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds`` from the start (clamped to the media)."""
        length = self.duration_s()
        target = max(0.0, seconds)
        if length > 0:
            target = min(target, max(0.0, length - 0.05))
        self._player.set_time(int(target * 1000))

    def has_video(self) -> bool:
        """True once the playing media has shown a video track."""
        return bool(self._player.has_vout())

    # ---- audio -------------------------------------------------------------------------------

    @property
    def volume(self) -> int:
        return self._volume

    def set_volume(self, percent: int) -> None:
        """0 to 100 (remembered while nothing plays and applied when audio starts)."""
        self._volume = int(min(100, max(0, percent)))
        self._player.audio_set_volume(self._volume)

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        self._player.audio_set_mute(self._muted)

    def _apply_audio(self) -> None:
        self._player.audio_set_volume(self._volume)
        self._player.audio_set_mute(self._muted)

    # ---- video -------------------------------------------------------------------------------

    def set_video_window(self, win_id: int | None) -> None:
        """Draw video into the native window ``win_id`` (X11 id, HWND or NSView pointer).

        ``None`` returns video to libvlc's own window.  With ``video_output="dummy"``
        the call is remembered but not passed on: binding a window makes libvlc pick a
        real video output again, which a headless machine does not have.
        """
        previous = self._video_window
        self._video_window = int(win_id) if win_id else None
        if self._video_window is None and previous is None:
            return
        self._bind_window(self._video_window)

    def _bind_window(self, win_id: int | None) -> None:
        if self.options.video_output == "dummy":
            return
        handle = win_id or 0
        if sys.platform.startswith(("linux", "freebsd")):
            self._player.set_xwindow(handle)
        elif sys.platform.startswith("win"):
            self._player.set_hwnd(handle)
        elif sys.platform == "darwin":
            self._player.set_nsobject(handle)

    # ---- events (libvlc thread) ----------------------------------------------------------------

    def _handle_length(self, event: object) -> None:
        with contextlib.suppress(AttributeError, TypeError, ValueError):
            self._seen_length_ms = int(event.u.new_length)  # type: ignore[attr-defined]

    def _handle_end(self, event: object) -> None:
        if self._seen_length_ms <= 0:
            # libvlc "ends" files it could not decode at all without raising an error;
            # a file that never had a length was not played.
            self._handle_error(event)
            return
        self._notify_state(PlayerState.ENDED)
        if self.on_end is not None:
            try:
                self.on_end()
            except Exception:  # noqa: BLE001 - never let an exception into libvlc's thread
                log.exception("end-of-media callback failed")

    def _handle_error(self, _event: object) -> None:
        self._notify_state(PlayerState.ERROR)
        if self.on_error is not None:
            name = self._path.name if self._path else "the media"
            try:
                self.on_error(
                    f"libvlc could not play {name}: the file may be damaged or of an "
                    "unsupported format."
                )
            except Exception:  # noqa: BLE001
                log.exception("error callback failed")

    def _handle_state(self, event: object) -> None:
        et = self._vlc.EventType
        kind = getattr(event, "type", None)
        state = {
            et.MediaPlayerPlaying: PlayerState.PLAYING,
            et.MediaPlayerPaused: PlayerState.PAUSED,
            et.MediaPlayerStopped: PlayerState.STOPPED,
            et.MediaPlayerOpening: PlayerState.OPENING,
        }.get(kind)
        if state is not None:
            self._notify_state(state)

    def _notify_state(self, state: PlayerState) -> None:
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:  # noqa: BLE001
                log.exception("state callback failed")


def supported_suffixes() -> Sequence[str]:
    """File name endings moodplayer offers to play."""
    return (".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".mp4", ".mkv", ".webm")
