"""What every command shares: error handling with the contract's exit codes, consoles, the
language of messages (``--lang``), readable option names in the help, writing outputs.

This module and the command modules import only typer and carbon's small modules at the
top: ``carbon --help`` and ``carbon --version`` must not pay for pandas, pint or pydantic. A
command imports what it computes with inside its body."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from carbon import i18n
from carbon.errors import CarbonError, InputError, UsageError
from carbon.i18n import _, tr
from carbon.report.write import Content, InterruptedRun, write_outputs

if TYPE_CHECKING:
    from rich.console import Console

    from carbon.factors import FactorSet

EXIT_OK, EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass
class State:
    debug: bool = False
    #: The language ``--lang`` asks for (None: the inventory's, else the locale's, else en).
    lang: str | None = None


state = State()


class Lang(str, Enum):
    """The languages of messages and outputs (``carbon.i18n.LANGS``, also the label languages
    of ``report.labels.LANGS``; a test keeps them equal)."""

    zh_hans = "zh-Hans"
    zh_hant = "zh-Hant"
    en = "en"


#: The help of every command's ``--lang``.
LANG_HELP = ("Language of messages, warnings and outputs: en, zh-Hans, zh-Hant. Default: the "
             "settings' language, else the language of the template the workbook was made "
             "from, else the locale (LANG), else en.")


def lang_option(help: str = LANG_HELP) -> Any:
    """The ``--lang`` option every command has (the same choices everywhere)."""
    return typer.Option(None, "--lang", help=help)


def learn_language(found: str | None) -> str:
    """The run's language once the inventory is read: ``--lang``, else ``found`` (its settings'
    ``language``, else its template's), else what it was (the locale's, else en). Messages made
    earlier are shown in it too: they are put into words when shown."""
    if state.lang is None and found is not None:
        i18n.set_language(found)
    return i18n.language()


def readable(params: list[Any]) -> list[Any]:
    """Name each option's value as a reader would write it in the help: ``--year YEAR``,
    ``--out FILE``, ``--charts DIR``, ``--format table|json``, a flag with no value, rather than
    the types' names (``<list[int]>``, ``<bool>``, ``{path}``)."""
    for p in params:
        desc = getattr(p, "type_descriptor", None)
        info = getattr(desc, "parameter_info", None)
        if p.metavar is not None:
            pass
        elif getattr(p, "is_flag", False):
            p.metavar = ""
        elif desc is not None and desc.is_choice:
            p.metavar = "|".join(str(getattr(c, "value", c)) for c in desc.choices)
        elif desc is not None and Path in (desc.annotation, *typing.get_args(desc.annotation)):
            p.metavar = ("DIR" if info is not None and not info.file_okay else
                         "FILE" if info is not None and not info.dir_okay else "PATH")
        else:  # what the option is called: --year YEAR, --base-year BASE-YEAR
            longest = max((o for o in p.opts if o.startswith("--")), key=len, default=None)
            named = min((o for o in p.opts if o.startswith("--")), key=len, default=longest)
            p.metavar = (named or p.name or "value").lstrip("-").upper()
        shown = p.metavar
        if p.param_type_name == "argument":  # its name says it: PATH..., not {paths}...
            p._usage_display_name = (lambda shown=shown, many=p.nargs != 1:
                                     shown + ("..." if many else ""))
            shown = ""
        # typer's rich help names a value by its type; have it say the metavar
        p.display_type_rich = lambda ctx, shown=shown: shown
    return params


def arrow_frees_at_once() -> None:
    """Have Arrow's allocator give back at once the memory it frees; call before pyarrow loads.

    Arrow (the CSV reader, pandas' text columns) allocates with mimalloc, whose freed pages stay
    resident for a second and whose arenas are committed up front: numpy cannot reuse them, so
    the read's high-water mark stayed for the whole run. Purged at once and committed on use, a
    million-row compute peaks at 455 MiB instead of 504-553, in the same time. Not for the
    report workbook, whose threads free and take Arrow buffers chunk after chunk (13% slower so).
    A value the user set is kept; an Arrow built with another allocator ignores them.
    """
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
    os.environ.setdefault("MIMALLOC_ARENA_EAGER_COMMIT", "0")


def collect_from_now() -> None:
    """Turn Python's garbage collector back on (:func:`carbon.cli.main` turns it off while a
    command loads its libraries), what is loaded so far set aside so that it is not scanned
    again: called when the libraries are in and the work starts (:func:`read`, ``carbon
    serve``). A run over many inputs makes garbage the collector must find (fourteen branch
    workbooks: 7 MiB). Once only, and only where ``main`` turned it off: a second read (restate)
    or the commands run inside another program (a test, a notebook) leave its heap alone."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class _WhenGiven:
    """typer's coercion of a parameter's value, built only when the parameter has a value.

    typer 0.2x builds a pydantic TypeAdapter for every parameter of the command that runs, given
    or not, and so imports pydantic (60–80 ms): ``carbon factors list`` and any command run
    without options would pay for it. A parameter without a value becomes what typer makes of
    none (``None``, ``()`` for one that takes several) without it; a value is coerced by typer's
    own, built on first use.
    """

    def __init__(self, descriptor: Any) -> None:
        self.descriptor = descriptor
        self.built: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if param.multiple or param.nargs == -1 else None
        if self.built is None:
            from typer._coercion import build_runtime_param

            self.built = build_runtime_param(self.descriptor)
        return self.built.coerce(value, param=param, ctx=ctx)


def coerced_when_given(params: list[Any]) -> list[Any]:
    """Have typer coerce each parameter's value only when it has one (:class:`_WhenGiven`);
    a typer without that hook is left as it is."""
    for p in params:
        if getattr(p, "_runtime_param", 0) is None and hasattr(p, "type_descriptor"):
            p._runtime_param = _WhenGiven(p.type_descriptor)
    return params


class Group(TyperGroup):
    """A command group whose commands' help names option values readably (:func:`readable`)
    and whose parameters are coerced only when given (:func:`coerced_when_given`)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return readable(coerced_when_given(super().get_params(ctx)))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None and not isinstance(cmd, TyperGroup):
            readable(coerced_when_given(cmd.get_params(ctx)))
        return cmd


def stdout() -> Console:
    from rich.console import Console

    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=False, width=None if sys.stderr.isatty() else 160)


@contextlib.contextmanager
def guarded(lang: Lang | str | None = None) -> Iterator[None]:
    """Run a command in its language and turn carbon's errors into messages and exit codes;
    nothing else escapes as a traceback.

    ``lang`` is the command's ``--lang``: the language from the start. Without it the locale's
    (else English) until the inventory is read (:func:`learn_language`): an input error is then
    shown in the language the reader found (the settings', else the template's)."""
    state.lang = lang.value if isinstance(lang, Enum) else lang
    with i18n.using(i18n.choose(state.lang)):
        try:
            yield
        except InputError as exc:
            from carbon.report.console import print_problems

            learn_language(exc.language)
            err = stderr()
            print_problems(exc.listed, err, bool(exc.written))
            if exc.written:
                said_written(exc.written)
            if exc.note:
                err.print(tr(_("error: {message}", message=exc.note)), markup=False,
                          highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INPUT) from None
        except CarbonError as exc:
            stderr().print(tr(_("error: {message}", message=str(exc))), markup=False,
                           highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INPUT) from None
        except (Interrupted, KeyboardInterrupt) as exc:
            # an object the stop cut off mid-construction (a zip file being opened) may fail
            # in its finalizer as the run unwinds: no traceback for that on the way out
            sys.unraisablehook = lambda unraisable: None
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            written = getattr(exc, "written", None)
            name = signal.Signals(signum).name
            line = (_("interrupted ({signal}); after its outputs were written ({files})",
                      signal=name, files=i18n.Joined(str(p) for p in written)) if written
                    else _("interrupted ({signal}); nothing was written", signal=name))
            stderr().print(tr(line), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(128 + signum) from None
        except (typer.Exit, typer.Abort):
            raise
        except RecursionError:
            stderr().print(tr(_("internal error: nesting too deep (run with --debug for the "
                                "traceback, and please report it)")), markup=False,
                           highlight=False)
            raise typer.Exit(EXIT_INTERNAL) from None
        except Exception as exc:
            if state.debug:
                raise
            stderr().print(tr(_("internal error: {error} (run with --debug for the traceback, "
                                "and please report it)", error=f"{type(exc).__name__}: {exc}")),
                           markup=False, highlight=False)
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
    from carbon.factors import with_user_sets

    return with_user_sets(user or [])


#: Suffixes of formats carbon does not write: an ``--out`` named so is refused, not filled with
#: the table as text.
NOT_WRITTEN = frozenset({".pdf", ".xls", ".xlsm", ".xlsb", ".ods", ".doc", ".docx", ".odt",
                         ".html", ".htm", ".png", ".svg", ".jpg", ".jpeg", ".zip"})


def out_format(out: Path | None, given: str | None, named: dict[str, str]) -> str:
    """The format an output is written in: ``--format`` (``given``), else what ``--out``'s
    suffix names (``named``: suffix -> format, e.g. ``.json`` -> ``json``, ``.xlsx`` ->
    ``xlsx``), else ``table`` (the table as text: ``.txt`` or any other name).

    Raises
    ------
    UsageError
        ``--out`` names a format carbon (or this command) does not write (``report.pdf``, a
        restatement's ``.csv``), or another format than ``--format`` asks for (``--format json
        --out r.csv``). The table asked for with a workbook's name is the workbook (the table
        is its first sheet).
    """
    suffix = out.suffix.lower() if out is not None else ""
    elsewhere = {".json", ".csv", ".xlsx"} - set(named)  # what other commands write
    if out is not None and (suffix in NOT_WRITTEN or suffix in elsewhere):
        raise UsageError(
            _("--out {out}: carbon does not write {suffix} files; give --out a .xlsx file (the "
              "Excel workbook; a PDF is printed from it, its sheets are set up for printing)",
              out=out.name, suffix=suffix) if suffix == ".pdf" and ".xlsx" in named else
            _("--out {out}: {suffix} is not a format this command writes; give --out a file "
              "named {named} or .txt (the table as text)", out=out.name, suffix=suffix,
              named=i18n.Joined(sorted(named))))
    by_name = named.get(suffix)
    if given is None:
        return by_name or "table"
    if by_name is not None and by_name != given and not (by_name == "xlsx" and given == "table"):
        name, wanted = out.name if out else "", ".txt" if given == "table" else f".{given}"
        raise UsageError(
            _("--out {out} writes the Excel workbook and --format asks for {format}: drop "
              "--format {format}, or give --out a {wanted} file", out=name, format=given,
              wanted=wanted) if by_name == "xlsx" else
            _("--out {out} is a {suffix} file and --format asks for {format}: drop --format "
              "{format}, or give --out a {wanted} file", out=name, suffix=suffix, format=given,
              wanted=wanted))
    return "xlsx" if by_name == "xlsx" else given


def write(files: Sequence[tuple[Path, Content]], inputs: Any = ()) -> None:
    """Write a command's outputs all together (:func:`carbon.report.write.write_outputs`) and say
    on the console what was written."""
    write_outputs(files, inputs)
    said_written([path for path, _data in files])


def said_written(paths: list[Path]) -> None:
    """``wrote report.xlsx, run.manifest.json, charts/ (8 files)`` on stderr (stdout may carry
    the figures): a folder that receives more than two files is named once with their count."""
    if not paths:
        return
    by_folder: dict[Path, list[Path]] = {}
    for p in paths:
        by_folder.setdefault(p.parent, []).append(p)
    named: list[str] = []
    for p in paths:
        mates = by_folder[p.parent]
        if len(mates) <= 2:
            named.append(str(p))
        elif p is mates[0]:
            named.append(tr(_("{folder} ({n} files)", folder=f"{p.parent}/", n=len(mates))))
    stderr().print(tr(_("wrote {file}", file=i18n.Joined(named))), markup=False, highlight=False,
                   soft_wrap=True)


def years_option(years: list[int] | None, option: str = "--year") -> list[int] | None:
    """``--year`` as given, each a year from 1900 to 2200 (0 or 20224 is a slip: said, not
    shown as a year of nothing expected)."""
    from carbon.model import FIRST_YEAR, LAST_YEAR

    bad = [y for y in years or [] if not FIRST_YEAR <= y <= LAST_YEAR]
    if bad:
        raise UsageError(_("{option} {year}: a year from {first} to {last}, such as 2025",
                           option=option, year=bad[0], first=FIRST_YEAR, last=LAST_YEAR))
    return years or None


def read(paths: list[Path], factors: list[Path] | None, *, pending: bool = False) -> Any:
    """:func:`carbon.api.read_inventory`, the run's language learnt from what was read (also
    when it fails: its problems are then shown in the inventory's language)."""
    import carbon.io  # noqa: F401 - the libraries a read needs (pandas, Arrow, pint), loaded
    from carbon import api

    collect_from_now()
    try:
        inv = api.read_inventory(*paths, factor_sets=factors or [], pending=pending)
    except InputError as exc:
        learn_language(exc.language)
        raise
    learn_language(inv.language)
    return inv


#: The help of a command's inventory argument (one input, or several).
INPUTS_HELP = ("Inventory: a folder of CSV files or a workbook (.xlsx). Several: the head "
               "office's first (settings, entity tree), then branch workbooks or folders of "
               "them, each adding rows for its own entities.")
#: The help of ``--errors`` (a file, or a folder for one problems file per input).
ERRORS_HELP = ("Also write the problems to this .csv or .xlsx file, or into this folder as one "
               "file per input (branch-a.problems.xlsx …).")


def title_of(paths: list[Path]) -> str:
    """The inputs as a title names them: ``hq`` or ``hq + 14 more``."""
    head = paths[0].resolve().name if paths[0].is_dir() else paths[0].name
    return head if len(paths) == 1 else tr(_("{first} + {n} more", first=head,
                                             n=len(paths) - 1))
