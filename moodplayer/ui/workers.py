"""All of the window's threading, in one place.

The GUI thread never waits on a model, the camera, the disk or the network.  Work
leaves it in one of three ways:

* :class:`TaskRunner` runs one-off jobs (loading models, analysing a photo or an
  album, recommending, scanning a music folder, importing the catalog, saving the
  queue) on a pool of worker threads.  A job is a plain function; it may take
  ``progress`` and ``cancel`` keyword arguments.  Its result, error and progress
  come back as signals of a :class:`Task` object that lives in the GUI thread, so
  handlers run there.  A runner with ``max_threads=1`` is a lane: its jobs run in
  order (the database writes use one).
* :class:`CaptureThread` reads the camera at the camera's own rate.  Each frame
  goes into two one-slot mailboxes: one for the preview (the GUI is told only when
  the slot was empty, so events never pile up) and one for analysis.
* :class:`AnalysisWorker` takes the newest frame from its mailbox, analyses it and
  reports the mood; frames that arrived meanwhile are dropped, never queued.

libvlc's own threads report through :class:`PlayerEvents`, whose signals are
delivered to the GUI thread as queued events.

Why Python threads and not ``QThreadPool``/``QThread``: TensorFlow's pybind11
bindings deadlock (the thread waits for a GIL it already holds, under a second
thread state) when TensorFlow runs in a thread that Qt created while another
Qt-created thread runs Python.  Threads made by Python's ``threading`` module have
one thread state for life, which pybind11 finds; Qt only carries the signals,
which it delivers to the GUI thread as queued events.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


# ---- one-off tasks -------------------------------------------------------------------------


class Task(QObject):
    """Handle of a submitted job; its signals arrive in the GUI thread."""

    progress = Signal(object, object, str)  # done, total (None when unknown), message
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = threading.Event()
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.started_at = time.monotonic()
        self.finished_at: float | None = None
        self.finished.connect(self._mark_done)

    def cancel(self) -> None:
        """Ask the job to stop (it checks between steps)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def _mark_done(self) -> None:
        self.done = True
        self.finished_at = time.monotonic()


def _run_job(task: Task, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """Body of one job, in a worker thread; reports through the task's signals."""
    try:
        result = fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - every failure goes back to the GUI
        log.debug("task %s failed:\n%s", task.name, traceback.format_exc())
        task.error = err
        task.failed.emit(err)
    else:
        task.result = result
        task.succeeded.emit(result)
    finally:
        task.finished.emit()


#: Background jobs (model loading, scans, imports, demo synthesis) run this much "nicer"
#: than the GUI thread (Linux, macOS): when the CPU is contended the GUI and the live
#: threads are scheduled first, so the window stays smooth.
WORKER_NICENESS = 5


def lower_thread_priority(step: int = WORKER_NICENESS) -> None:
    """Make the calling thread yield the CPU to the GUI thread (no-op where unsupported)."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + step))
    except OSError:  # not permitted here: keep the default priority
        pass


def freeze_heap() -> None:
    """Exclude everything allocated so far (TensorFlow's large object graph) from garbage
    collection.

    Without this, a full collection that happens to run in the GUI thread walks every
    model object and stalls the window for 100-200 ms; with it, collections only look
    at what was allocated since.  Call once the models are loaded.
    """
    import gc

    gc.freeze()


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class TaskRunner(QObject):
    """Runs functions on worker threads and reports back through :class:`Task` signals.

    ``max_threads=1`` makes a lane: one thread, jobs in the order submitted.
    """

    def __init__(
        self, max_threads: int | None = None, parent: QObject | None = None, name: str = "tasks"
    ) -> None:
        super().__init__(parent)
        self.name = name
        workers = max_threads or max(2, min(4, (os.cpu_count() or 2)))
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=name, initializer=lower_thread_priority
        )
        self._tasks: set[Task] = set()
        self._futures: set[Future] = set()
        self._closed = False

    def submit(
        self,
        name: str,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any, Any, str], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> Task:
        """Run ``fn(*args, **kwargs)`` in the pool.

        If ``fn`` takes ``progress``, it gets a callable ``progress(done, total, message)``;
        if it takes ``cancel``, a callable returning True once :meth:`Task.cancel` was called.
        """
        task = Task(name)
        if self._closed:
            log.debug("not running %s: %s is shut down", name, self.name)
            return task
        if _accepts(fn, "progress") and "progress" not in kwargs:
            kwargs["progress"] = lambda done, total=None, message="": task.progress.emit(
                done, total, str(message)
            )
        if _accepts(fn, "cancel") and "cancel" not in kwargs:
            kwargs["cancel"] = lambda: task.cancelled
        if on_result is not None:
            task.succeeded.connect(on_result)
        if on_error is not None:
            task.failed.connect(on_error)
        if on_progress is not None:
            task.progress.connect(on_progress)
        if on_finished is not None:
            task.finished.connect(on_finished)
        task.finished.connect(lambda: self._tasks.discard(task))
        self._tasks.add(task)
        future = self._executor.submit(_run_job, task, fn, args, kwargs)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return task

    def active(self) -> list[Task]:
        return [t for t in self._tasks if not t.done]

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Block until every job finished (used at shutdown and in tests, never in handlers)."""
        _done, pending = futures_wait(list(self._futures), timeout=timeout_ms / 1000)
        return not pending

    def shutdown(self) -> None:
        """No new jobs; running ones finish in the background."""
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


# ---- mailboxes -----------------------------------------------------------------------------


class Mailbox:
    """Holds only the newest item: ``put`` replaces what is there, ``take`` empties it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Any = None
        self._has = False
        self._closed = False
        self.put_count = 0
        self.dropped = 0

    def put(self, item: Any) -> bool:
        """Store ``item``; True when the slot was empty (nobody has been told yet)."""
        with self._cond:
            was_empty = not self._has
            if not was_empty:
                self.dropped += 1
            self._item, self._has = item, True
            self.put_count += 1
            self._cond.notify()
            return was_empty

    def take(self, timeout: float | None = None) -> Any:
        """The newest item, waiting up to ``timeout`` seconds; None when empty or closed."""
        with self._cond:
            if not self._has and not self._closed:
                self._cond.wait(timeout)
            if not self._has:
                return None
            item, self._item, self._has = self._item, None, False
            return item

    def take_nowait(self) -> Any:
        with self._cond:
            if not self._has:
                return None
            item, self._item, self._has = self._item, None, False
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False
            self._item, self._has = None, False


# ---- camera capture ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureConfig:
    source: int | str
    width: int | None = None
    height: int | None = None
    loop: bool = False


class _Worker(QObject):
    """A long-running loop on its own Python thread, with ``start``/``stop``/``wait``."""

    finished = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name=self._name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            self.run()
        finally:
            self._emit(self.finished)

    def run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _emit(self, signal, *args) -> None:
        """Emit from the worker thread; if the window has gone meanwhile, just stop."""
        try:
            signal.emit(*args)
        except RuntimeError:  # the QObject was deleted with its window
            self._stop.set()

    def stop(self) -> None:
        """Ask the loop to end (does not wait)."""
        self._stop.set()

    def isRunning(self) -> bool:  # noqa: N802 - same name as QThread's
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_ms: int = 3000) -> bool:
        """Join the thread (shutdown and tests only)."""
        if self._thread is not None:
            self._thread.join(timeout_ms / 1000)
        return not self.isRunning()


class CaptureThread(_Worker):
    """Reads frames at the source's own rate; never waits for the GUI or for analysis."""

    frame_ready = Signal()  # take the frame with :meth:`latest_frame`
    opened = Signal(str, float)  # description, frames per second
    failed = Signal(str, str)  # kind ("missing", "busy", "disconnected", "ended", "error"), message

    def __init__(
        self, config: CaptureConfig, analysis: Mailbox | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__("capture", parent)
        self.config = config
        self.preview = Mailbox()
        self.analysis = analysis
        self.frames_read = 0

    def latest_frame(self):
        """The newest frame not yet shown (a :class:`moodplayer.vision.camera.Frame`), or None."""
        return self.preview.take_nowait()

    def run(self) -> None:  # capture thread
        from moodplayer.errors import CameraError
        from moodplayer.vision.camera import Camera

        cfg = self.config
        camera = Camera(cfg.source, width=cfg.width, height=cfg.height, loop=cfg.loop)
        try:
            camera.open()
        except CameraError as err:
            self._emit(self.failed, getattr(err, "kind", "error"), str(err))
            return
        except Exception as err:  # noqa: BLE001 - OpenCV can fail in surprising ways
            self._emit(self.failed, "error", f"The camera could not be started: {err}.")
            return
        self._emit(self.opened, camera.source.describe(), camera.fps)
        try:
            while not self._stop.is_set():
                try:
                    frame = camera.read()
                except CameraError as err:
                    if not self._stop.is_set():
                        self._emit(self.failed, getattr(err, "kind", "error"), str(err))
                    return
                self.frames_read += 1
                if self.analysis is not None:
                    self.analysis.put(frame)
                if self.preview.put(frame):
                    self._emit(self.frame_ready)
        finally:
            camera.release()


# ---- live analysis -------------------------------------------------------------------------


class AnalysisWorker(_Worker):
    """Analyses the newest frame from ``mailbox`` again and again until stopped."""

    analysed = Signal(object, int, float)  # ImageAnalysis, frame index, seconds taken
    failed = Signal(str)

    def __init__(
        self,
        analyse: Callable[[Any], Any],
        mailbox: Mailbox,
        lock: threading.Lock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__("live-analysis", parent)
        self._analyse = analyse
        self.mailbox = mailbox
        self._lock = lock or threading.Lock()
        self.analysed_count = 0

    def stop(self) -> None:
        super().stop()
        self.mailbox.close()

    def run(self) -> None:  # analysis thread (normal priority: the mood rate matters)
        errors = 0
        while not self._stop.is_set():
            frame = self.mailbox.take(timeout=0.2)
            if frame is None:
                continue
            start = time.perf_counter()
            try:
                with self._lock:
                    result = self._analyse(frame.rgb)
            except Exception as err:  # noqa: BLE001 - report and keep going
                errors += 1
                log.warning("live analysis failed: %s", err)
                if errors >= 5:
                    self._emit(self.failed, f"Live analysis keeps failing: {err}")
                    return
                continue
            errors = 0
            self.analysed_count += 1
            if not self._stop.is_set():
                self._emit(self.analysed, result, frame.index, time.perf_counter() - start)


# ---- libvlc events -------------------------------------------------------------------------


class PlayerEvents(QObject):
    """Turns the player's callbacks (libvlc threads) into signals handled in the GUI thread."""

    ended = Signal()
    error = Signal(str)
    state = Signal(object)

    def attach(self, player: Any) -> None:
        player.on_end = self.ended.emit
        player.on_error = self.error.emit
        player.on_state = self.state.emit


def wait_threads(*threads: _Worker | None, timeout_ms: int = 3000) -> None:
    """Stop and join threads at shutdown (the window is already closing)."""
    for thread in threads:
        if thread is not None and hasattr(thread, "stop"):
            thread.stop()
    for thread in threads:
        if thread is not None and not thread.wait(timeout_ms):
            log.warning("%s did not stop in time", type(thread).__name__)
