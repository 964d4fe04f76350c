"""What every command shares: error handling with the contract's exit codes, consoles."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from carbon.errors import CarbonError, InputError
from carbon.factors import FactorSet, with_user_sets
from carbon.report.console import print_problems
from carbon.report.write import InterruptedRun

EXIT_OK, EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass
class State:
    debug: bool = False


state = State()


def stdout() -> Console:
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def stderr() -> Console:
    return Console(stderr=True, soft_wrap=False, width=None if sys.stderr.isatty() else 160)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Turn carbon's errors into messages and exit codes; nothing else escapes as a traceback."""
    try:
        yield
    except InputError as exc:
        err = stderr()
        print_problems(exc.listed, err)
        if exc.note:
            err.print(f"error: {exc.note}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    except CarbonError as exc:
        stderr().print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        written = getattr(exc, "written", None)
        what = (f"after its outputs were written ({', '.join(str(p) for p in written)})"
                if written else "nothing was written")
        stderr().print(f"interrupted ({signal.Signals(signum).name}); {what}", markup=False,
                       highlight=False, soft_wrap=True)
        raise typer.Exit(128 + signum) from None
    except (typer.Exit, typer.Abort):
        raise
    except RecursionError:
        stderr().print("internal error: nesting too deep (run with --debug for the traceback, "
                       "and please report it)", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    except Exception as exc:
        if state.debug:
            raise
        stderr().print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                       "traceback, and please report it)", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERNAL) from None


class Interrupted(InterruptedRun):
    """The process was asked to stop (SIGTERM): raised where it runs, so that every ``finally``
    (and the removal of half-written outputs) runs before it exits with 128 + the signal."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


def _stop(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def handle_signals() -> None:
    """SIGTERM (and SIGHUP) stop the run like Ctrl-C (SIGINT): outputs not yet complete are
    removed, nothing half-written stays behind."""
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _stop)


def factor_sets(user: list[Path] | None) -> dict[str, FactorSet]:
    return with_user_sets(user or [])


#: The help of a command's inventory argument (one input, or several).
INPUTS_HELP = ("Inventory: a folder of CSV files or a workbook (.xlsx). Several: the head "
               "office's first (settings, entity tree), then branch workbooks or folders of "
               "them, each adding rows for its own entities.")
#: The help of ``--errors`` (a file, or a folder for one problems file per input).
ERRORS_HELP = ("Also write the problems to this .csv or .xlsx file, or into this folder as one "
               "file per input (branch-a.problems.xlsx …).")


def title_of(paths: list[Path]) -> str:
    """The inputs as a title names them: ``hq`` or ``hq + 14 inputs``."""
    head = paths[0].resolve().name if paths[0].is_dir() else paths[0].name
    return head if len(paths) == 1 else f"{head} + {len(paths) - 1} more"
