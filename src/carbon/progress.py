"""Progress on a terminal for work that takes more than a moment; nothing when output is piped.

One place for every progress display (reading a workbook row by row, the stages of a compute):
the bar appears only on an interactive stderr and only once the work has run for ``delay``
seconds, and it disappears when the work is done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from carbon.i18n import tr

if TYPE_CHECKING:  # rich is imported when a bar is shown: a piped run never loads it
    from rich.progress import Progress, TaskID


@dataclass
class Tracker:
    """Advance with :meth:`advance`; rename the step with :meth:`step`. Cheap when hidden. A
    label is a message (:func:`carbon.i18n._`), shown in the current language."""

    label: str
    total: float | None
    delay: float
    enabled: bool
    _start: float = field(default_factory=time.perf_counter)
    _done: float = 0.0
    _bar: Progress | None = None
    _task: TaskID | None = None

    def advance(self, amount: float = 1.0, label: str | None = None) -> None:
        self._done += amount
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        if self._bar is None:
            if time.perf_counter() - self._start < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(tr(self.label), total=self.total)
        assert self._task is not None
        self._bar.update(self._task, completed=self._done, description=tr(self.label))

    def step(self, label: str) -> None:
        """Name the next step (for stage-by-stage progress) and count the previous one done."""
        self.advance(1.0, label)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def progress(label: str, total: float | None = None, delay: float = 1.0) -> Iterator[Tracker]:
    """A progress tracker shown on an interactive stderr after ``delay`` seconds. [s]"""
    tracker = Tracker(label, total, delay, enabled=sys.stderr.isatty())
    try:
        yield tracker
    finally:
        tracker.close()
