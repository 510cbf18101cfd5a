"""A process-wide memory budget for heavy work (full-resolution exports): jobs run while they fit, others wait.

Three visitors exporting a 50-megapixel photo at once used to need ~2.8 GB together; a host that passes its
limit suspends the app for everyone. Each heavy job first reserves its estimated bytes here and waits its turn
while the reservations of running jobs would exceed the budget; a job larger than the whole budget runs alone.
Waiting jobs are served in arrival order, so a big job is never starved by small ones.

The budget is set by ``IMGKERNEL_MEMORY_BUDGET_MB`` (default 1024: a small host with 2-4 GB). No Streamlit
here: the app holds one ``MemoryBudget`` for the process (``st.cache_resource``) and shows ``Ticket.ahead``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

DEFAULT_MB = 1024
ENV = "IMGKERNEL_MEMORY_BUDGET_MB"
BYTES_PER_SAMPLE = 7  # float32 response (4) + 8-bit result (1) + PNG row buffer (1) + compressed PNG (<= 1)


def budget_from_env(environ: dict[str, str] | None = None) -> int:
    """The budget in bytes from ``IMGKERNEL_MEMORY_BUDGET_MB`` (a whole number of MB >= 64), else the default."""
    text = (os.environ if environ is None else environ).get(ENV, "").strip()
    mb = int(text) if text.isdigit() and int(text) >= 64 else DEFAULT_MB
    return mb * 1024 * 1024


def export_cost(height: int, width: int, channels: int) -> int:
    """Estimated peak bytes of filtering, mapping and encoding one full-resolution picture."""
    return height * width * max(1, channels) * BYTES_PER_SAMPLE


@dataclass
class Ticket:
    cost: int
    ahead: int = 0  # jobs to wait for (running ones included) when last looked at


class MemoryBudget:
    """Reservations of bytes against a fixed budget, first come first served (thread-safe)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._used = 0
        self._running = 0
        self._queue: list[Ticket] = []
        self._cond = threading.Condition()

    @property
    def used(self) -> int:
        with self._cond:
            return self._used

    def _fits(self, ticket: Ticket) -> bool:
        first = self._queue[0] is ticket
        alone = self._running == 0  # a job bigger than the budget still runs, by itself
        return first and (alone or self._used + ticket.cost <= self.limit)

    @contextmanager
    def reserve(
        self, cost: int, on_wait: Callable[[Ticket], None] | None = None, poll: float = 0.25
    ) -> Iterator[Ticket]:
        """Hold ``cost`` bytes for the ``with`` block, waiting (and calling ``on_wait`` with the ticket every
        ``poll`` seconds) while earlier jobs or the budget do not allow it."""
        ticket = Ticket(cost)
        with self._cond:
            self._queue.append(ticket)
            try:
                while not self._fits(ticket):
                    ticket.ahead = self._queue.index(ticket) + self._running
                    if on_wait is not None:
                        self._cond.release()
                        try:
                            on_wait(ticket)
                        finally:
                            self._cond.acquire()
                    self._cond.wait(poll)
            finally:  # served, or given up (the visitor left, or the page reran): out of the queue either way
                self._queue.remove(ticket)
                self._cond.notify_all()
            self._used += cost
            self._running += 1
            ticket.ahead = 0
        try:
            yield ticket
        finally:
            with self._cond:
                self._used -= cost
                self._running -= 1
                self._cond.notify_all()
