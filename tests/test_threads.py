"""The engine's threads: the process default (CPUs, ``IMGKERNEL_THREADS``), the per-call cap ``imgkernel.threads``
and the app's cap per request. Results never depend on the thread count."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import imgkernel
from app import threads as app_threads
from imgkernel import _tiles, engine

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(7)
HAS_AFFINITY = hasattr(os, "sched_getaffinity")


# --------------------------------------------------------------------------------------------------
# the process default: read at import, in a fresh interpreter


def workers_in_child(env_value: str | None, *, cpus: int | None = None) -> tuple[int, str]:
    """``_tiles.WORKERS`` and stderr of a fresh interpreter, with ``IMGKERNEL_THREADS`` set (or not) and,
    given ``cpus``, its affinity narrowed to that many CPUs before the import."""
    env = {k: v for k, v in os.environ.items() if k not in ("IMGKERNEL_THREADS", "PYTHONWARNINGS")}
    if env_value is not None:
        env["IMGKERNEL_THREADS"] = env_value
    narrow = f"import os; os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:{cpus}]); " if cpus else ""
    code = narrow + "import imgkernel._tiles as t; print(t.WORKERS)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return int(done.stdout.strip()), done.stderr


def usable() -> int:
    return len(os.sched_getaffinity(0)) if HAS_AFFINITY else os.cpu_count() or 1


def test_workers_default_to_the_cpus_the_process_may_use():
    got, err = workers_in_child(None)
    assert got == usable()
    assert "Warning" not in err


@pytest.mark.parametrize("value", ["1", " 1 ", "+1"])
def test_imgkernel_threads_caps_the_workers(value):
    assert workers_in_child(value) == (1, "")


def test_imgkernel_threads_above_the_cpus_gives_the_cpus():
    got, err = workers_in_child("4096")
    assert got == usable() and err == ""


@pytest.mark.parametrize("value", ["two", "0", "-3", "2.5", "1e3", "4 threads"])
def test_a_bad_imgkernel_threads_is_ignored_with_a_warning(value):
    got, err = workers_in_child(value)
    assert got == usable()  # never a crash at import: the default
    assert "RuntimeWarning" in err and f"IMGKERNEL_THREADS={value!r}" in err


def test_an_empty_imgkernel_threads_counts_as_unset():
    assert workers_in_child("") == (usable(), "")


@pytest.mark.skipif(not HAS_AFFINITY or not hasattr(os, "sched_setaffinity"), reason="no CPU affinity here")
def test_workers_follow_the_affinity_mask():
    """A container's cpuset (or ``taskset``) is what the process may use, not the machine's CPU count."""
    assert workers_in_child(None, cpus=1) == (1, "")
    assert workers_in_child("8", cpus=1) == (1, "")  # the variable caps, it never adds CPUs


def test_without_an_affinity_mask_the_cpu_count_is_used(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert _tiles.usable_cpus() == 6
    assert _tiles._default_workers({"IMGKERNEL_THREADS": "4"}) == 4
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # "undeterminable"
    assert _tiles.usable_cpus() == 1


def test_the_warning_names_the_variable_and_its_value():
    with pytest.warns(RuntimeWarning, match=r"IMGKERNEL_THREADS='0' ignored"):
        assert _tiles.whole_number_env("IMGKERNEL_THREADS", {"IMGKERNEL_THREADS": "0"}) is None


# --------------------------------------------------------------------------------------------------
# the per-call cap


@pytest.fixture
def eight_workers(monkeypatch):
    """A process that may use 8 threads, whatever this machine has (the pool may hold fewer: only the count a
    call asks for matters, and results never depend on it)."""
    monkeypatch.setattr(_tiles, "WORKERS", 8)


def thread_ids(n_tasks: int, on_task=None) -> set[int]:
    """The threads that ran a parallel ``for_each`` of ``n_tasks`` tasks."""
    seen: set[int] = set()
    lock = threading.Lock()

    def make_worker():
        def task(i: int) -> None:
            with lock:
                seen.add(threading.get_ident())
            if on_task is not None:
                on_task(i)

        return task

    _tiles.for_each(n_tasks, make_worker, parallel=True)
    return seen


def test_threads_1_runs_a_parallel_call_on_the_calling_thread_only(eight_workers):
    with imgkernel.threads(1):
        assert _tiles.workers() == 1
        assert thread_ids(50, on_task=lambda i: threading.Event().wait(0.001)) == {threading.get_ident()}


def test_threads_2_may_use_a_second_thread():
    """Two tasks that each wait for the other can only finish on two threads at once."""
    if _tiles.WORKERS < 2:
        pytest.skip("this process may use one CPU")
    meet = threading.Barrier(2, timeout=10)
    with imgkernel.threads(2):
        seen = thread_ids(2, on_task=lambda i: meet.wait())
    assert len(seen) == 2 and threading.get_ident() in seen


class CountingPool:
    """Stands in for the engine's pool: counts the helpers a call hands out, runs them on a real executor."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor, self.submitted = executor, 0

    def submit(self, fn):
        self.submitted += 1
        return self.executor.submit(fn)


@pytest.mark.parametrize(("cap", "tasks", "helpers"), [(None, 20, 7), (3, 20, 2), (1, 20, 0), (8, 3, 2), (100, 20, 7)])
def test_a_call_hands_out_cap_minus_one_helpers(monkeypatch, eight_workers, cap, tasks, helpers):
    """Never more helpers than the cap allows, nor than there are tasks to share."""
    with ThreadPoolExecutor(7) as executor:
        pool = CountingPool(executor)
        monkeypatch.setattr(_tiles, "_get_pool", lambda: pool)
        if cap is None:
            thread_ids(tasks)
        else:
            with imgkernel.threads(cap):
                thread_ids(tasks)
    assert pool.submitted == helpers


def test_caps_nest_to_the_smaller_and_are_restored(eight_workers):
    assert _tiles.workers() == 8
    with imgkernel.threads(4):
        assert _tiles.workers() == 4
        with imgkernel.threads(2):
            assert _tiles.workers() == 2
            with imgkernel.threads(6):  # code run under a server's cap cannot lift it
                assert _tiles.workers() == 2
            assert _tiles.workers() == 2
        assert _tiles.workers() == 4
        with pytest.raises(RuntimeError), imgkernel.threads(1):
            assert _tiles.workers() == 1
            raise RuntimeError("a failing call")
        assert _tiles.workers() == 4  # restored after an error too
    assert _tiles.workers() == 8
    with imgkernel.threads(100):
        assert _tiles.workers() == 8  # at most WORKERS


@pytest.mark.parametrize("bad", ["2", 2.0, None, True])
def test_threads_takes_a_whole_number(bad):
    with pytest.raises(TypeError):
        imgkernel.threads(bad)


@pytest.mark.parametrize("bad", [0, -1])
def test_threads_takes_at_least_one(bad):
    with pytest.raises(ValueError):
        imgkernel.threads(bad)


def test_numpy_integers_are_whole_numbers(eight_workers):
    with imgkernel.threads(np.int64(3)):
        assert _tiles.workers() == 3


def test_two_threads_with_different_caps_each_keep_their_own(eight_workers):
    """Two sessions at once (each a thread, as Streamlit runs them) under different caps, both inside their
    blocks at the same time: each sees and uses its own; the thread that started them has none."""
    inside = threading.Barrier(2, timeout=10)
    seen: dict[int, tuple[int, set[int], int]] = {}

    def session(cap: int) -> None:
        with imgkernel.threads(cap):
            inside.wait()  # both caps are set now
            used = thread_ids(40, on_task=lambda i: threading.Event().wait(0.001))
            inside.wait()
            seen[cap] = (_tiles.workers(), used, threading.get_ident())

    runners = [threading.Thread(target=session, args=(cap,)) for cap in (1, 3)]
    for t in runners:
        t.start()
    for t in runners:
        t.join(30)
    assert seen[1][0] == 1 and seen[1][1] == {seen[1][2]}  # the capped session ran on its own thread only
    assert seen[3][0] == 3 and len(seen[3][1]) <= 3
    assert _tiles.workers() == 8


def test_threads_started_inside_a_block_do_not_inherit_the_cap(eight_workers):
    """What ``imgkernel.threads`` documents: the cap is the calling context's, not the process's."""
    got = []
    with imgkernel.threads(1):
        t = threading.Thread(target=lambda: got.append(_tiles.workers()))
        t.start()
        t.join()
    assert got == [8]


# --------------------------------------------------------------------------------------------------
# results never depend on the threads


RNG_KERNELS = (RNG.standard_normal((5, 5)), RNG.standard_normal((13, 11)))


def filter_all_ways(img: np.ndarray) -> list[np.ndarray]:
    gauss = imgkernel.get("gaussian").matrix({"size": 7, "sigma": 1.5})
    sharpen = imgkernel.get("sharpen").matrix()
    big = RNG_KERNELS[1]
    out = [
        imgkernel.correlate(img, sharpen),  # shift-and-add
        imgkernel.correlate(img, RNG_KERNELS[0], method="direct"),  # matrix products where the model says so
        imgkernel.correlate(img, RNG_KERNELS[0], method="direct", stride=2, mode="wrap"),  # shift-and-add, strided
        imgkernel.correlate(img, gauss, method="separable", mode="mirror"),
        imgkernel.convolve(img, big, method="fft", mode="constant", cval=17.0, dilation=2),
        imgkernel.correlate(img, big),
    ]
    result = imgkernel.run_filter(img, RNG_KERNELS[0], imgkernel.Settings(out_of_range="rescale", linear=True))
    return [*out, result.values, result.mapped.image]


def test_results_are_identical_whatever_the_cap(monkeypatch, eight_workers):
    """Bit for bit: every method, the mapping to 8 bits, small strips so that many tasks are shared out."""
    monkeypatch.setattr(_tiles, "STRIP_BYTES", 1 << 15)
    monkeypatch.setattr(_tiles, "PARALLEL_MIN_VALUES", 0)
    img = RNG.integers(0, 256, (157, 203, 3), dtype=np.uint8)
    with imgkernel.threads(1):
        one = filter_all_ways(img)
    for cap in (2, 3, 8):
        with imgkernel.threads(cap):
            got = filter_all_ways(img)
        for a, b in zip(one, got, strict=True):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(one, filter_all_ways(img), strict=True):  # and with no cap at all
        np.testing.assert_array_equal(a, b)


def test_concurrent_calls_under_different_caps_get_their_own_results():
    img = RNG.integers(0, 256, (300, 451, 3), dtype=np.uint8)
    ker = RNG.standard_normal((7, 7))
    expected = imgkernel.correlate(img, ker)

    def capped(cap: int) -> np.ndarray:
        with imgkernel.threads(cap):
            return imgkernel.correlate(img, ker)

    with ThreadPoolExecutor(4) as pool:
        for got in pool.map(capped, [1, 2, 3, 1, 2, 3, 1, 2]):
            np.testing.assert_array_equal(got, expected)


def test_auto_picks_the_same_method_whatever_the_cap(eight_workers):
    img = RNG.integers(0, 256, (300, 451, 3), dtype=np.uint8)
    kernels = [RNG.standard_normal((k, k)) for k in (3, 5, 7, 9, 15)]
    free = [imgkernel.auto_method(img, k) for k in kernels]
    with imgkernel.threads(1):
        assert [imgkernel.auto_method(img, k) for k in kernels] == free


# --------------------------------------------------------------------------------------------------
# the calibration measures on the threads the caller may use


@pytest.mark.parametrize(("cap", "measured_on"), [(None, 8), (3, 3), (1, 1)])
def test_calibration_sizes_its_work_by_the_effective_threads(monkeypatch, tmp_path, cap, measured_on):
    monkeypatch.setattr(_tiles, "WORKERS", 16)
    monkeypatch.setattr(engine, "_calibrated", None)
    monkeypatch.delenv(engine.CALIBRATE_ENV, raising=False)
    monkeypatch.setenv("IMGKERNEL_CACHE_DIR", str(tmp_path))  # none saved: it measures
    calls = []

    def fake(n_threads: int) -> engine.Model:
        calls.append((n_threads, _tiles.workers()))
        return engine.Model(threads=n_threads)

    monkeypatch.setattr(engine, "_measure_model_on", fake)
    if cap is None:
        model = engine.calibration()
    else:
        with imgkernel.threads(cap):
            model = engine.calibration()
    assert calls == [(measured_on, measured_on)]  # the images are sized for the threads that run them
    assert model.threads == measured_on


# --------------------------------------------------------------------------------------------------
# the app's cap per request


def test_the_app_caps_each_request_at_two_by_default():
    assert app_threads.request_threads_from({}) == 2
    assert app_threads.request_threads_from({"IMGKERNEL_APP_THREADS": " "}) == 2
    assert app_threads.request_threads_from({"IMGKERNEL_APP_THREADS": "6"}) == 6


@pytest.mark.parametrize("value", ["many", "0", "-1", "1.5"])
def test_a_bad_app_thread_count_is_ignored_with_a_warning(value):
    with pytest.warns(RuntimeWarning, match="IMGKERNEL_APP_THREADS"):
        assert app_threads.request_threads_from({"IMGKERNEL_APP_THREADS": value}) == 2


def test_request_threads_applies_the_app_cap(eight_workers, monkeypatch):
    monkeypatch.setattr(app_threads, "REQUEST_THREADS", 2)
    with app_threads.request_threads():
        assert _tiles.workers() == 2
    assert _tiles.workers() == 8


def test_the_page_run_is_wrapped_in_the_app_cap():
    """``streamlit_app.py`` runs the page inside the cap (the one place the app sets it)."""
    source = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert "with request_threads():\n    nav.run()" in source
