"""The memory budget's queueing: jobs run while they fit, wait their turn otherwise, and never deadlock."""

from __future__ import annotations

import gc
import io
import threading
import time
import weakref

import numpy as np
import pytest
from PIL import Image

import imgkernel
from app import cache
from app.budget import DEFAULT_MB, MemoryBudget, Ticket, budget_from_env, decode_cost, export_cost, queued_message
from app.state import Photo, digest_of
from tests.apptest import move, ok, open_detail, png_bytes, start, state, upload

MB = 1024 * 1024


def run_jobs(budget: MemoryBudget, costs: list[int], hold: float = 0.05) -> tuple[list[int], int]:
    """Start one thread per job at once; returns the order they started in and the peak reserved bytes."""
    order: list[int] = []
    peak = [0]
    lock = threading.Lock()

    def job(i: int, cost: int) -> None:
        with budget.reserve(cost):
            with lock:
                order.append(i)
                peak[0] = max(peak[0], budget.used)
            time.sleep(hold)

    threads = []
    for i, cost in enumerate(costs):
        threads.append(threading.Thread(target=job, args=(i, cost)))
        threads[-1].start()
        time.sleep(0.005)  # arrival order
    for t in threads:
        t.join(timeout=10)
        assert not t.is_alive(), "a job never got its turn"
    return order, peak[0]


def test_jobs_that_fit_together_run_together_and_the_rest_wait():
    budget = MemoryBudget(100 * MB)
    order, peak = run_jobs(budget, [40 * MB] * 6)
    assert sorted(order) == list(range(6)) and peak == 80 * MB  # two at a time, never three
    assert budget.used == 0


def test_no_more_jobs_run_at_once_than_there_are_slots():
    budget = MemoryBudget(1000 * MB, slots=2)
    order, peak = run_jobs(budget, [10 * MB] * 5)
    assert order == [0, 1, 2, 3, 4] and peak == 20 * MB  # memory would let all five run: two at a time


def test_a_job_bigger_than_the_budget_runs_alone():
    budget = MemoryBudget(100 * MB)
    order, peak = run_jobs(budget, [30 * MB, 500 * MB, 30 * MB])
    assert order == [0, 1, 2] and peak == 500 * MB  # alone: the small ones neither with it nor before it


def test_waiting_is_first_come_first_served():
    budget = MemoryBudget(100 * MB)
    order, _ = run_jobs(budget, [90 * MB, 60 * MB, 10 * MB, 10 * MB])
    assert order == [0, 1, 2, 3]  # the small ones do not overtake the 60 MB job


def test_a_waiting_job_sees_how_many_are_ahead_and_can_give_up_without_blocking_others():
    budget = MemoryBudget(100 * MB)
    seen: list[int] = []
    release = threading.Event()

    def long_job() -> None:
        with budget.reserve(100 * MB):
            release.wait(5)

    first = threading.Thread(target=long_job)
    first.start()
    time.sleep(0.05)

    def give_up(ticket) -> None:
        seen.append(ticket.ahead)
        raise KeyboardInterrupt  # e.g. the visitor reran the page while waiting

    with pytest.raises(KeyboardInterrupt), budget.reserve(10 * MB, on_wait=give_up, poll=0.01):
        pass
    assert seen == [1]
    release.set()
    first.join(5)
    with budget.reserve(100 * MB):  # the queue is empty again: nothing left behind blocks this
        assert budget.used == 100 * MB


@pytest.mark.parametrize(
    ("value", "mb"),
    [
        ("2048", 2048),
        ("", DEFAULT_MB),
        ("abc", DEFAULT_MB),
        ("-5", DEFAULT_MB),
        ("10", DEFAULT_MB),
        ("1e9", DEFAULT_MB),
    ],
)
def test_the_budget_is_set_by_the_environment_with_a_safe_default(value, mb):
    assert budget_from_env({"IMGKERNEL_MEMORY_BUDGET_MB": value}) == mb * MB


def test_a_50_megapixel_export_is_estimated_by_its_png_and_decoding_by_pillows_buffers():
    samples = 6120 * 8160 * 3
    assert samples < export_cost(6120, 8160, 3) < 1.4 * samples  # the PNG (<= 1 byte a sample) and a band
    assert export_cost(6120, 8160, 4) > export_cost(6120, 8160, 3)  # alpha adds a sample per pixel
    assert 0.45e9 < decode_cost(6120, 8160) < 0.55e9  # measured +476 MB
    assert 5 * export_cost(6120, 8160, 3) < DEFAULT_MB * MB  # the default budget lets several exports run at once


def test_the_queued_message_says_how_many_are_ahead():
    assert queued_message(1, "Then yours.").startswith("Queued: 1 big job (")
    assert "3 big jobs" in queued_message(3, "Then yours.") and queued_message(3, "Then yours.").endswith("Then yours.")


def full_png_pixels(photo: Photo, kernel: np.ndarray, settings: imgkernel.Settings) -> np.ndarray:
    """The whole-photo oracle: run_filter's 8-bit picture with the photo's alpha, as the old export made it."""
    image = imgkernel.run_filter(photo.pixels, kernel, settings).mapped.image
    return np.dstack([image, photo.alpha]) if photo.alpha is not None else image


def test_a_queued_export_waits_for_the_running_one_then_completes_pixel_exact():
    """Two exports through a budget that holds one: the second waits (and is told one job is ahead), then both
    files are exactly the whole-photo result."""
    rng = np.random.default_rng(7)
    photos = []
    for i, shape in enumerate([(61, 47, 3), (53, 71, 3)]):
        px = rng.integers(0, 256, shape, dtype=np.uint8)
        alpha = rng.integers(0, 256, shape[:2], dtype=np.uint8) if i else None
        photos.append(Photo(f"p{i}.png", digest_of(px, alpha), px, alpha))
    kernel = imgkernel.get("outline").matrix()
    settings = imgkernel.Settings(mode="wrap", out_of_range="rescale")
    cost = max(export_cost(*p.pixels.shape[:2], 4) for p in photos)
    budget = MemoryBudget(cost)
    second_waits = threading.Event()
    seen: list[int] = []
    started: list[int] = []
    pngs: dict[int, bytes] = {}

    def export(i: int) -> None:
        def waiting(ticket: Ticket) -> None:
            seen.append(ticket.ahead)
            second_waits.set()

        with budget.reserve(cost, on_wait=waiting, poll=0.01):
            started.append(i)
            if i == 0:
                assert second_waits.wait(10), "the second export never queued"
            pngs[i] = cache.full_resolution_png(photos[i], kernel, settings)

    threads = [threading.Thread(target=export, args=(i,)) for i in range(2)]
    threads[0].start()
    while not started:
        time.sleep(0.001)
    threads[1].start()
    for t in threads:
        t.join(30)
        assert not t.is_alive()
    assert started == [0, 1] and seen and set(seen) == {1} and budget.used == 0
    for i, photo in enumerate(photos):
        got = np.asarray(Image.open(io.BytesIO(pngs[i])))
        np.testing.assert_array_equal(got, full_png_pixels(photo, kernel, settings))


def test_a_big_upload_is_decoded_once_the_budget_has_room(monkeypatch):
    """Decoding a big photo is a budgeted job too: it waits while an export holds the budget, then gives the photo."""
    budget = MemoryBudget(100 * MB)
    monkeypatch.setattr(cache, "shared_budget", lambda: budget)
    monkeypatch.setattr(cache, "BIG_DECODE", 0)  # this small test photo counts as big
    px = np.random.default_rng(8).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(px).save(buf, format="PNG")
    release = threading.Event()
    holding = threading.Event()

    def export() -> None:
        with budget.reserve(100 * MB):
            holding.set()
            release.wait(10)

    t = threading.Thread(target=export)
    t.start()
    assert holding.wait(10)
    result: list[Photo] = []
    upload = threading.Thread(target=lambda: result.append(cache.photo_from_upload("big.png", buf.getvalue())))
    upload.start()
    deadline = time.monotonic() + 10
    while not budget._queue and time.monotonic() < deadline:  # until the decode has queued
        time.sleep(0.005)
    assert len(budget._queue) == 1 and not result and budget.used == 100 * MB  # waiting its turn, not decoding
    release.set()
    upload.join(10)
    t.join(10)
    assert result and budget.used == 0
    np.testing.assert_array_equal(result[0].pixels, px)


def test_a_prepared_file_made_stale_leaves_no_copy_in_memory():
    """A change drops the prepared PNG from the state; Streamlit also keeps a session key's previous value until
    the session's next interaction, which must not keep the file alive either (~100 MB for a 50 MP photo)."""
    rng = np.random.default_rng(9)
    at = ok(upload(start(), "big.png", png_bytes(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8))))
    open_detail(at, "Export and share")
    at.button(key="pg_prepare").click().run()
    prepared = weakref.ref(state(ok(at)).download)
    assert prepared() is not None
    move(at, "inner", 6.0)
    assert state(ok(at)).download is None
    gc.collect()
    assert prepared() is None  # no state anywhere still holds the file
