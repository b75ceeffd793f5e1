"""The window's threading: tasks report in the GUI thread, mailboxes keep only the newest."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from moodplayer.ui.workers import AnalysisWorker, CaptureConfig, CaptureThread, Mailbox, TaskRunner


def test_mailbox_keeps_only_the_newest_item():
    box = Mailbox()
    assert box.put(1) is True, "the first item finds the slot empty"
    assert box.put(2) is False
    assert box.put(3) is False
    assert box.take(timeout=0) == 3
    assert box.dropped == 2 and box.put_count == 3
    assert box.take(timeout=0.01) is None
    box.close()
    start = time.monotonic()
    assert box.take(timeout=5) is None
    assert time.monotonic() - start < 1, "a closed mailbox does not make anyone wait"


def test_tasks_report_results_progress_and_errors_in_the_gui_thread(qtbot):
    runner = TaskRunner(2)
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def job(n, progress=None):
        seen["worker"] = threading.get_ident()
        for i in range(n):
            progress(i + 1, n, f"step {i + 1}")
        return n * 2

    steps = []
    results = []
    task = runner.submit(
        "double",
        job,
        3,
        on_result=lambda r: results.append((r, threading.get_ident())),
        on_progress=lambda d, t, m: steps.append((d, t, m, threading.get_ident())),
    )
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert results == [(6, gui)]
    assert [s[:3] for s in steps] == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert all(s[3] == gui for s in steps)
    assert seen["worker"] != gui

    errors = []
    failing = runner.submit("boom", lambda: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: failing.done, timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError) and failing.error is errors[0]
    runner.shutdown()


def test_a_lane_runs_in_order_and_tasks_can_be_cancelled(qtbot):
    lane = TaskRunner(1)
    order = []
    for i in range(5):
        lane.submit(f"job {i}", lambda i=i: (time.sleep(0.01), order.append(i)))

    def long_job(cancel=None):
        for _ in range(500):
            if cancel():
                return "cancelled"
            time.sleep(0.01)
        return "finished"

    task = lane.submit("long", long_job)
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert order == [0, 1, 2, 3, 4]
    assert task.result == "cancelled"
    lane.shutdown()


def test_capture_and_analysis_threads_drop_frames_instead_of_queueing(qtbot, tmp_path):
    from moodplayer.vision.camera import write_video_from_image

    video = write_video_from_image(
        np.full((240, 320, 3), 128, np.uint8), tmp_path / "grey.mp4", seconds=2.0, fps=30
    )
    box = Mailbox()
    capture = CaptureThread(CaptureConfig(str(video), loop=True), box)
    analysed = []

    def slow_analysis(rgb):
        time.sleep(0.2)  # much slower than 30 fps
        return rgb.shape

    worker = AnalysisWorker(slow_analysis, box)
    worker.analysed.connect(lambda result, index, secs: analysed.append((result, index)))
    shown = []
    capture.frame_ready.connect(lambda: shown.append(capture.latest_frame()))
    capture.start()
    worker.start()
    qtbot.waitUntil(lambda: len(analysed) >= 4, timeout=10_000)
    worker.stop()
    capture.stop()
    assert worker.wait(3000) and capture.wait(3000)
    frames = [f for f in shown if f is not None]
    assert len(frames) > 2 * len(analysed), "the preview runs faster than the analysis"
    indices = [i for _, i in analysed]
    assert all(b - a > 1 for a, b in zip(indices, indices[1:])), "old frames are skipped"
    assert box.dropped > 0
    assert analysed[0][0] == (480, 640, 3)


def test_capture_reports_a_missing_source(qtbot, tmp_path):
    capture = CaptureThread(CaptureConfig(str(tmp_path / "none.mp4")))
    failures = []
    capture.failed.connect(lambda kind, message: failures.append((kind, message)))
    capture.start()
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert failures[0][0] == "missing" and "does not exist" in failures[0][1]
    assert capture.wait(2000)


def test_background_threads_run_nicer_than_the_gui():
    import os

    from moodplayer.ui.workers import lower_thread_priority

    if not hasattr(os, "getpriority"):
        pytest.skip("no thread priorities on this platform")
    got = {}
    step = 5

    def body():
        before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        lower_thread_priority(step)
        got["delta"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) - before

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert got["delta"] in (step, 0), "either lowered, or not permitted here"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) <= 19
