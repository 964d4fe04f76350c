"""``carbon check PATH``: what a facilities team runs before sending its workbook.

Everything ``compute`` validates (cells, units, factors), plus coverage (missing days of each
meter, at the year's edges too; a source missing in a year), plausibility (values far off their
series) and the boundary events a restatement would have to assume — without writing a report.

Exit codes: 0 nothing needs a look; 1 something does (each finding listed with its code, where
it is and what to do); 2 the input is wrong (every problem listed, as ``compute`` does).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from carbon.cli.common import (
    EXIT_CHECK_FAILED,
    INPUTS_HELP,
    Lang,
    guarded,
    lang_option,
    stdout,
    write,
)
from carbon.cli.compute import Level, calculate
from carbon.errors import InputError, Problem
from carbon.i18n import _, tr

if TYPE_CHECKING:
    from carbon.api import Result

#: Codes the review puts into words itself (located, one finding each): the run's warning lines
#: for them are not listed again.
_REVIEWED = frozenset({"period_gap", "source_missing", "outlier"})
#: What to do about the findings that come as warning lines (found while reading or computing).
_FIXES = {"duplicate_row": _("delete one of the two rows if it was entered twice"),
          "period_overlap": _("check for a reading entered twice, or tell two meters apart in "
                              "activity.meter"),
          "outside_boundary": _("check the entity's included_from / included_to, or the rows' "
                                "dates")}


class Format(str, Enum):
    table = "table"
    json = "json"


def findings(run: Result) -> list[Problem]:
    """Everything that needs a look in a run: the review's findings, the boundary events a
    restatement would assume, and the run's other warnings of a :data:`FINDINGS` code."""
    from carbon.review import FINDINGS, boundary_findings

    inv = run.inventory.data
    out = [*run.review.findings, *boundary_findings(inv, run.review.years)]
    origin = inv.origin_of("activity")
    # a warning about one input's rows (a duplicate, an overlap) is that input's
    located = {n.message: n.origin for n in inv.notices if n.origin is not None}
    for w in run.figures["warnings"]:
        if w["code"] in FINDINGS and w["code"] not in _REVIEWED:
            o = located.get(w["message"], origin)
            out.append(Problem(o.file, o.sheet, None, None, w["code"], "",
                               w["message"], _FIXES.get(w["code"], _("see the message"))))
    return out


def _warnings(run: Result, found: list[Problem]) -> list[dict[str, Any]]:
    """The run's warnings for the JSON output: every finding located, then the notes."""
    from carbon.report.findings import problem_dict
    from carbon.review import notice_of

    located = _REVIEWED | {"acquisition_unstated", "boundary_event_assumed"}
    out = [{**problem_dict(p), "message": tr(notice_of(p).message if p.code in located
                                              else p.message), "finding": True} for p in found]
    listed = {p.message for p in found}
    for w in run.figures["warnings"]:
        if w["code"] in _REVIEWED or w["message"] in listed:
            continue
        out.append({"file": None, "sheet": None, "cell": None, "row": None, "column": None,
                    "value": "", "code": w["code"], "message": tr(w["message"]), "fix": None,
                    "finding": False})
    return out


def problems_json(problems: list[Problem]) -> dict[str, Any]:
    """What ``--format json`` prints for an inventory that does not read (also ``POST /check``
    of ``carbon serve``): ``{"problems", "warnings": [], "coverage": null}``."""
    from carbon.report.findings import problem_dict

    return {"problems": [problem_dict(p) for p in problems], "warnings": [], "coverage": None}


def findings_json(run: Result, found: list[Problem]) -> dict[str, Any]:
    """What ``--format json`` prints for an inventory that reads (``found``:
    :func:`findings`): ``{"problems": [], "warnings", "coverage"}``."""
    return {"problems": [], "warnings": _warnings(run, found),
            "coverage": run.figures["coverage"]}


def check(
    paths: list[Path] = typer.Argument(..., exists=True, help=INPUTS_HELP),
    year: list[int] = typer.Option(None, "--year", "-y", help="Check this year (repeatable)."),
    grid_level: Level = typer.Option(None, "--grid-level",
                                     help="Grid factor level; default from settings (national)."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="A factor-set folder of your own (repeatable)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f",
                               help="table, or json: {problems, warnings, coverage}."),
    errors: Path = typer.Option(None, "--errors",
                                help="Also write the problems, or the findings, to this .csv "
                                "or .xlsx file, or into this folder as one file per input "
                                "(branch-a.problems.xlsx …)."),
    lang: Lang = lang_option(),
) -> None:
    """Check an inventory before sending it: its problems, missing days, values far off their
    series, boundary events not stated. Writes no report."""
    from carbon.report.findings import findings_head, print_findings
    from carbon.report.problems import problems_to
    from carbon.review import FINDINGS, summary

    with guarded(lang), problems_to(errors, paths) as problem_files:
        try:
            run = calculate(paths, factors, year, grid_level.value if grid_level else None)
        except InputError as exc:
            if fmt is Format.json:
                typer.echo(json.dumps(problems_json(exc.listed), ensure_ascii=False))
            raise
        found = findings(run)
        if errors is not None:
            write(problem_files.outputs(found), run.inventory.data.files)
        if fmt is Format.json:
            typer.echo(json.dumps(findings_json(run, found), ensure_ascii=False,
                                  allow_nan=False))
        else:
            con = stdout()
            reviewed = {p.message for p in found}
            notes = [w for w in run.figures["warnings"] if w["code"] not in FINDINGS
                     and w["message"] not in reviewed]
            if found:
                print_findings(found, con)
            if notes:
                con.print(tr(_("Notes (nothing to fix):")), markup=False, highlight=False)
                for w in notes:
                    con.print(f"  • {tr(w['message'])} [{w['code']}]", markup=False,
                              highlight=False, soft_wrap=True)
            con.print(tr(summary(run.review.coverage)), markup=False, highlight=False)
            con.print(tr(findings_head(len(found)) if found else _("nothing needs a look")),
                      markup=False, highlight=False)
        if found:
            raise typer.Exit(EXIT_CHECK_FAILED)
