"""A process-wide memory budget for heavy work (full-resolution exports, decoding big uploads): jobs run while they
fit, others wait.

Three visitors exporting a 50-megapixel photo at once used to need ~2.8 GB together; a host that passes its
limit suspends the app for everyone. Each heavy job first reserves its estimated bytes here and waits its turn
while the reservations of running jobs would exceed the budget; a job larger than the whole budget runs alone.
Waiting jobs are served in arrival order, so a big job is never starved by small ones.

The estimates are measured peaks over what the process held before (VmHWM in a fresh process, 8160 x 6120 RGB):

* an export (``imgkernel.fullres``, band by band) holds the compressed PNG, at most ~1 byte per output sample
  for a picture that does not compress (noise), plus one band's arrays (~20 MB): +147 MB measured for a 150 MB
  PNG, where the whole-photo path (float32 responses, 8-bit picture, PNG rows) took +714 MB;
* decoding an upload takes +476 MB for 50 megapixels, ~9.5 bytes per pixel, and keeps 3 (the photo itself,
  held by the visitor's session).

The budget is set by ``IMGKERNEL_MEMORY_BUDGET_MB`` (default 1024: a small host with 2-4 GB). No Streamlit
here: the app shares ``shared_budget()`` between sessions and shows ``Ticket.ahead``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .i18n import n_

DEFAULT_MB = 1024
ENV = "IMGKERNEL_MEMORY_BUDGET_MB"
BYTES_PER_SAMPLE = 1.1  # compressed PNG (<= 1 byte per sample, and BytesIO's growth margin)
BAND_BYTES = 32 * 1024 * 1024  # one band's float32 responses, 8-bit picture, PNG rows and the engine's buffers
DECODE_BYTES_PER_PIXEL = 10  # Pillow decodes to 4 B/px, np.asarray copies through tobytes (3 + 3); then the preview (4)
BIG_DECODE = 64 * 1024 * 1024  # uploads whose decoding takes less (under ~6.7 megapixels) skip the queue


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD = 128 * 1024  # glibc's default, pinned


def return_freed_memory() -> bool:
    """Make glibc give big freed buffers back to the system at once; True if it could be set (glibc only).

    By default glibc raises its mmap threshold (up to 32 MB) as big buffers are freed, and then serves the next
    ones from its per-thread heaps, which keep freed memory: measured with six 50 MP visitors in one process,
    RSS stayed ~900 MB above what was held. Pinned at 128 kB (as ``MALLOC_MMAP_THRESHOLD_=131072`` would), every
    buffer from 128 kB up is its own mapping, returned when freed, and RSS follows the memory really held.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to pin
        return False


def budget_from_env(environ: dict[str, str] | None = None) -> int:
    """The budget in bytes from ``IMGKERNEL_MEMORY_BUDGET_MB`` (a whole number of MB >= 64), else the default."""
    text = (os.environ if environ is None else environ).get(ENV, "").strip()
    mb = int(text) if text.isdigit() and int(text) >= 64 else DEFAULT_MB
    return mb * 1024 * 1024


def export_cost(height: int, width: int, channels: int) -> int:
    """Estimated peak bytes of filtering, mapping and encoding one full-resolution picture band by band
    (``channels``: samples per output pixel, alpha included)."""
    return int(height * width * max(1, channels) * BYTES_PER_SAMPLE) + BAND_BYTES


def decode_cost(height: int, width: int) -> int:
    """Estimated peak bytes of decoding an image of ``height`` x ``width`` pixels into a photo."""
    return height * width * DECODE_BYTES_PER_PIXEL


def queued_message(ahead: int, then: str) -> str:
    """What a waiting visitor reads, in their language: how many heavy jobs are ahead of theirs, then ``then``
    (what follows, already translated)."""
    return n_(
        "Queued: {n} big job (an export or a photo being opened) is using the server's memory before yours. {then}",
        "Queued: {n} big jobs (exports or photos being opened) are using the server's memory before yours. {then}",
        ahead,
        then=then,
    )


@dataclass
class Ticket:
    cost: int
    ahead: int = 0  # jobs to wait for (running ones included) when last looked at


class MemoryBudget:
    """Reservations of bytes against a fixed budget, first come first served (thread-safe).

    ``slots``: at most that many jobs at once, however little memory they need (None: no such limit). Heavy
    jobs are CPU-bound: more of them than cores only share the cores, hold their memory longer, and slow
    every other visitor's page.
    """

    def __init__(self, limit: int, slots: int | None = None) -> None:
        self.limit = limit
        self.slots = slots
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
        free_slot = self.slots is None or self._running < self.slots
        return first and (alone or (free_slot and self._used + ticket.cost <= self.limit))

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


def cores() -> int:
    """CPU cores this process may run on (its affinity mask: a container's cpuset, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@functools.cache
def shared_budget() -> MemoryBudget:
    """The one budget of this process, shared by every session and kind of heavy job: bytes from the environment,
    as many jobs at once as there are cores."""
    return MemoryBudget(budget_from_env(), slots=cores())


# The server's process: from the first import on (the app imports this module on its first page run, before any
# upload), freed image buffers go back to the system; otherwise the budget would count memory glibc keeps anyway.
ALLOCATOR_PINNED = return_freed_memory()
