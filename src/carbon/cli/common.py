"""What every command shares: error handling with the contract's exit codes, consoles."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from carbon.errors import CarbonError, InputError
from carbon.factors import FactorSet, with_user_sets
from carbon.report.console import print_problems

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
        print_problems(exc.problems, stderr())
        raise typer.Exit(EXIT_INPUT) from None
    except CarbonError as exc:
        stderr().print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if state.debug:
            raise
        stderr().print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                       "traceback, and please report it)", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERNAL) from None


def factor_sets(user: list[Path] | None) -> dict[str, FactorSet]:
    return with_user_sets(user or [])
