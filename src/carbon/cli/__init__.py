"""The ``carbon`` command: one typer app, one module per command group.

Exit codes (DESIGN.md, contract 4): 0 success; 1 a check failed; 2 the input or the command line
is wrong; 3 an internal error (one line, no traceback unless ``--debug``).
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import os
import sys
import threading

import typer

from carbon import __version__
from carbon.cli import check, compute, factors, restate, serve, status, template, verify
from carbon.cli.common import Group, handle_signals, state

app = typer.Typer(
    cls=Group,
    rich_markup_mode=None,  # click's plain help: rich's costs 50 ms of start-up
    name="carbon",
    help="Energy and greenhouse-gas figures for ESG reports (GB/T 2589-2020, NDRC, MEE, GHG "
    "Protocol).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"carbon {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    state.debug = debug


app.command("compute")(compute.compute)
app.command("check")(check.check)
app.command("restate")(restate.restate)
app.add_typer(factors.app, name="factors")
app.command("template")(template.template)
app.command("verify")(verify.verify)
app.command("status")(status.status)
app.add_typer(serve.app, name="serve")


def _reuse_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse (where the C library is glibc).

    A compute allocates and frees many column-sized arrays (8 MB per million rows); by default
    glibc maps each afresh and returns it on free, so every column pays its page faults again.
    With a 32 MB mmap threshold (glibc's maximum) and a high trim threshold they come from the
    heap and are reused: about a tenth off the wall time at a million rows, results unchanged.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
        libc.mallopt(m_trim_threshold, 1024 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc: keep the allocator's defaults
        return


def _leave(code: str | int | None) -> None:
    """End the process with ``code`` without tearing the interpreter down.

    Python's shutdown clears every module and frees every object one by one: after a compute
    of a small inventory about 0.12 s of its 0.8, with nothing left to do (every output is
    written and closed by then). The atexit callbacks still run and the standard streams are
    flushed. Python's own exit is left to do it all when another thread still runs, a stream
    cannot be flushed (a pipe closed early) or the code is not a number.
    """
    if (code is None or isinstance(code, int)) and threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        else:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code or 0)
    sys.exit(code)


def main() -> None:
    """Console-script entry point.

    Python's cyclic garbage collector is off while a command loads its libraries: it spent
    about 40 ms of a small compute's run scanning the objects pandas, pint and pydantic create
    as they are imported, none of them garbage. It is back on, with what was loaded set aside,
    once the work starts (:func:`carbon.cli.common.collect_from_now`).

    pydantic's plugins are not looked for (a user's own ``PYDANTIC_DISABLE_PLUGINS`` is kept):
    the first model looks through every installed package's entry points for them, 6 ms with
    the 93 packages of a development install and more in a larger environment, and the
    command's models are its own settings (typer disables them for its own models likewise).
    """
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _reuse_freed_memory()
    handle_signals()
    try:
        code = app()
    except SystemExit as exc:
        code = exc.code
    _leave(code)
