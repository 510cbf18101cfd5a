"""The memory budget's queueing: jobs run while they fit, wait their turn otherwise, and never deadlock."""

from __future__ import annotations

import threading
import time

import pytest

from app.budget import DEFAULT_MB, MemoryBudget, budget_from_env, export_cost

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


def test_a_50_megapixel_export_is_estimated_near_a_gigabyte():
    assert 0.9e9 < export_cost(6120, 8160, 3) < 1.2e9
