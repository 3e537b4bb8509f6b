"""Progress display on a terminal (rich); nothing at all when not a TTY."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def _noop(*_args: object, **_kwargs: object) -> None:
    return None


@contextmanager
def counter(label: str, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A spinner with a running count, for work whose total is not known up front."""
    if not enabled:
        yield _noop
        return
    with Progress(SpinnerColumn(), TextColumn(f"{label} {{task.completed}} files"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda n: progress.update(task, completed=n)


@contextmanager
def bar(label: str, total: int, *, enabled: bool) -> Iterator[Callable[..., None]]:
    """A bar with done/total, rate and a free-text field (e.g. counts per status)."""
    if not enabled:
        yield _noop
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>7}/s"), TimeElapsedColumn(), TextColumn("{task.fields[info]}"))
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(label, total=total, rate="0.0", info="")

        def update(done: int, info: str = "", total: int | None = None) -> None:
            elapsed = progress.tasks[0].elapsed or 0.0
            progress.update(task, completed=done, info=info, total=total,
                            rate=f"{done / elapsed:.1f}" if elapsed else "0.0")

        yield update
