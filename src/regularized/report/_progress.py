"""Progress reporting for long steps: a no-op by default, rich bars on a terminal.

The report and the command line call ``progress.task(description, total)`` around each step
and ``advance()`` inside it. :class:`RichProgress` shows nothing for work that ends within
``delay`` seconds (about a second), then a transient bar per running step on stderr.
"""
import contextlib
import threading
import time

__all__ = ["NullProgress", "RichProgress"]


class _NullTask:
    def advance(self, n=1):
        pass


class NullProgress:
    """Progress that shows nothing."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @contextlib.contextmanager
    def task(self, description, total=None):
        yield _NullTask()


class _RichTask:
    def __init__(self, progress, task_id):
        self._progress = progress
        self._id = task_id

    def advance(self, n=1):
        self._progress.advance(self._id, n)


class RichProgress:
    """Transient rich progress bars on ``console`` (stderr by default), shown only once the
    work has lasted ``delay`` seconds and only when ``console`` is a terminal (or
    ``force=True``). Use as a context manager."""

    def __init__(self, console=None, *, delay=1.0, force=False):
        from rich.console import Console

        self.console = console if console is not None else Console(stderr=True)
        self.delay = float(delay)
        self.enabled = force or self.console.is_terminal
        self._progress = None
        self._timer = None
        self._lock = threading.Lock()
        self._started = False

    def __enter__(self):
        if not self.enabled:
            return self
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                  BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=self.console, transient=True,
                                  redirect_stdout=False, redirect_stderr=False)
        self._t0 = time.monotonic()
        if self.delay <= 0:
            self._start()
        else:
            self._timer = threading.Timer(self.delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _start(self):
        with self._lock:
            if self._progress is not None and not self._started:
                self._progress.start()
                self._started = True

    def __exit__(self, *exc):
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._started:
                self._progress.stop()
            self._progress = None
        return False

    @contextlib.contextmanager
    def task(self, description, total=None):
        if self._progress is None:
            yield _NullTask()
            return
        task_id = self._progress.add_task(description, total=total)
        try:
            yield _RichTask(self._progress, task_id)
        finally:
            if self._progress is not None:
                self._progress.update(task_id, visible=False)
