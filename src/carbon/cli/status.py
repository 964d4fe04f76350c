"""``carbon status PATHS…``: who has sent what — each entity's sources month by month.

Reads the head office's inventory and the branches' files as ``compute`` does, except that an
activity row whose quantity is still blank (a template's row not yet filled in) is not a problem:
its month is expected and missing. Exit codes: 0 every expected month is in; 1 some are still to
come (missing or partial); 2 the input is wrong (every problem listed, ``--errors DIR`` sends
each input its own list).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from carbon.cli.common import (
    ERRORS_HELP,
    EXIT_CHECK_FAILED,
    INPUTS_HELP,
    Lang,
    guarded,
    lang_option,
    read,
    write,
    years_option,
)
from carbon.errors import UsageError
from carbon.i18n import _, language

if TYPE_CHECKING:
    from carbon.report.write import Content


class Format(str, Enum):
    table = "table"
    json = "json"


def status(
    paths: list[Path] = typer.Argument(..., exists=True, help=INPUTS_HELP),
    year: list[int] = typer.Option(None, "--year", "-y",
                                   help="Show this year (repeatable); default: the latest year "
                                   "any activity row touches, filled in or not."),
    fmt: Format = typer.Option(Format.table, "--format", "-f",
                               help="table, or json: {years, status, by_file, outstanding, "
                               "idle}."),
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False,
                             help="Also write the status to this .xlsx file (month cells "
                             "coloured by their state)."),
    lang: Lang = lang_option("Language of the status and its workbook: en, zh-Hans, zh-Hant. "
                             "Default: the settings' language, else the language of the "
                             "template the head office's workbook was made from, else the "
                             "locale (LANG), else en."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="A factor-set folder of your own (repeatable)."),
    errors: Path = typer.Option(None, "--errors", help=ERRORS_HELP),
) -> None:
    """Who has sent what: each entity's sources month by month (filled, estimated, partial,
    missing, not expected); exit 1 while an expected month is missing."""
    from carbon import api
    from carbon.report.problems import problems_to
    from carbon.report.status import render_text, to_json, to_xlsx
    from carbon.report.write import check_targets

    with guarded(lang), problems_to(errors, paths, [out]) as problem_files:
        if out is not None and out.suffix.lower() != ".xlsx":
            raise UsageError(_("--out {out}: the status is written as a workbook (.xlsx); "
                               "--format json prints it as JSON", out=out))
        check_targets([out] if out else [], [])
        wanted = years_option(year)
        inv = read(paths, factors, pending=True)
        st = api.status(inv, years=wanted)
        files: list[tuple[Path, Content]] = []
        if out is not None:
            files.append((out, to_xlsx(st.data, language())))
        files += problem_files.outputs([])
        write(files, inv.data.files)
        typer.echo(to_json(st.data) if fmt is Format.json else render_text(st.data), nl=False)
        if st.outstanding:
            raise typer.Exit(EXIT_CHECK_FAILED)
