"""``carbon compute``: an inventory's energy and emissions, every year side by side."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from carbon.cli.common import (
    ERRORS_HELP,
    EXIT_CHECK_FAILED,
    INPUTS_HELP,
    Lang,
    arrow_frees_at_once,
    guarded,
    lang_option,
    out_format,
    read,
    stderr,
    title_of,
    write,
)
from carbon.i18n import _, language, tr

if TYPE_CHECKING:
    from carbon import api
    from carbon.model import GridLevel
    from carbon.progress import Tracker
    from carbon.report.write import Content


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


__all__ = ["Format", "Lang", "Level", "calculate", "compute"]


class Level(str, Enum):
    national = "national"
    regional = "regional"
    provincial = "provincial"


def compute(
    paths: list[Path] = typer.Argument(..., exists=True, help=INPUTS_HELP),
    year: list[int] = typer.Option(None, "--year", "-y", help="Report this year (repeatable)."),
    grid_level: Level = typer.Option(None, "--grid-level",
                                     help="Grid factor level; default from settings (national)."),
    fmt: Format = typer.Option(None, "--format", "-f",
                               help="Output format; default: from --out's suffix (.json, .csv), "
                               "else table."),
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False,
                             help="Write to this file instead of the console; a .xlsx file "
                             "gets the Excel workbook."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="A factor-set folder of your own (repeatable)."),
    lang: Lang = lang_option("Language of messages, warnings, the workbook and the charts: en, "
                             "zh-Hans, zh-Hant. Default: the settings' language, else the "
                             "language of the template the workbook was made from, else the "
                             "locale (LANG), else en."),
    charts: Path = typer.Option(None, "--charts", file_okay=False,
                                help="Also write the charts as PNG and SVG into this folder."),
    manifest: Path = typer.Option(None, "--manifest", dir_okay=False,
                                  help="Also write a manifest (inputs, factor sets, options, "
                                  "results) for carbon verify."),
    errors: Path = typer.Option(None, "--errors", help=ERRORS_HELP),
    detail: bool = typer.Option(False, "--detail",
                                help="Show Scope 1 by gas (CO2, CH4, N2O) in the table."),
    strict: bool = typer.Option(False, "--strict",
                                help="Fail (exit 1, nothing written) on what carbon check "
                                "finds: missing days, values far off their series, boundary "
                                "events not stated, duplicate or overlapping rows."),
) -> None:
    """Compute energy (kWh, tce), Scope 1 and Scope 2 and intensities for every year."""
    with guarded(lang):
        kind = out_format(out, fmt.value if fmt else None,
                          {".json": "json", ".xlsx": "xlsx", ".csv": "csv"})
    workbook = kind == "xlsx"
    if not workbook:
        arrow_frees_at_once()
    from carbon.manifest import build as build_manifest
    from carbon.manifest import dumps as manifest_dumps
    from carbon.manifest import relative
    from carbon.progress import progress
    from carbon.report import csvout, jsonout
    from carbon.report.problems import problems_to
    from carbon.report.rows import subject
    from carbon.report.write import check_targets
    from carbon.review import summary

    fmt = Format.table if workbook else Format(kind)
    with guarded(lang), problems_to(errors, paths, [out, manifest]) as problem_files, progress(
            _("Reading the inventory"), total=3 if workbook else 2) as bar:
        check_targets([p for p in (out, manifest) if p is not None], [])
        run = calculate(paths, factors, year, grid_level.value if grid_level else None, bar)
        inv, ledger, result = run.inventory.data, run.ledger_data, run.figures
        if strict:
            from carbon.cli.check import findings
            from carbon.report.findings import print_findings

            found = findings(run)
            if found:
                bar.close()
                print_findings(found, stderr(), strict=True)
                write(problem_files.outputs(found), inv.files)
                raise typer.Exit(EXIT_CHECK_FAILED)
        chosen = language()  # --lang, else the inventory's, else the locale's: labels and words
        title = f"{inv.settings.organisation or title_of(paths)} — {tr(subject(result))}"
        files: list[tuple[Path, Content]] = []
        if workbook:
            from carbon.report.workbook import write_workbook

            bar.step(_("Writing the workbook"))
            wb = run.workbook(chosen)
            files.append((out, lambda fh: write_workbook(wb, fh)))
        elif fmt is Format.table and out is None:
            from carbon.report import plain
            from carbon.report.console import results_lines

            bar.close()
            plain.write_lines(results_lines(result, title, plain.width_of(sys.stdout), detail,
                                            plain.styled(sys.stdout),
                                            tr(summary(run.review.coverage))))
        else:
            if fmt is Format.json:
                text = jsonout.dumps(result)
            elif fmt is Format.csv:
                text = csvout.render(result)
            else:  # the table as text, into a file
                from carbon.report import plain
                from carbon.report.console import results_lines

                text = plain.text(results_lines(result, title, plain.FILE_WIDTH, detail,
                                                coverage=tr(summary(run.review.coverage))))
            if out is None:
                bar.close()
                typer.echo(text, nl=False)
            else:
                files.append((out, text.encode("utf-8")))
        if charts is not None:
            files += _chart_files(charts, result, chosen)
        if manifest is not None:
            base = manifest.resolve().parent
            given: dict[str, Any] = {"path": relative(paths[0], base)}
            if len(paths) > 1:
                given["paths"] = [relative(p, base) for p in paths]
            options = {**given, "year": sorted(set(year or [])),
                       "grid_level": grid_level.value if grid_level else None,
                       "factors": [relative(f, base) for f in factors or []],
                       "format": fmt.value, "lang": chosen,
                       "out": relative(out, base) if out else None,
                       "charts": relative(charts, base) if charts else None}
            doc = build_manifest(manifest, inv.files, ledger.factor_sets, ledger.factors,
                                 options, result)
            files.append((manifest, manifest_dumps(doc).encode("utf-8")))
        files += problem_files.outputs([])
        write(files, inv.files)


def calculate(paths: list[Path], factors: list[Path] | None, year: list[int] | None,
              grid_level: GridLevel | None, bar: Tracker | None = None) -> api.Result:
    """Read, compute and sum one inventory (from one input or several): what ``compute``
    reports and ``verify`` re-runs (:func:`carbon.api.read_inventory` and
    :func:`carbon.api.compute`)."""
    from carbon import api

    inv = read(paths, factors)
    if bar:
        bar.step(_("Computing the ledger and its totals"))
    return api.compute(inv, years=year or None, grid_level=grid_level)


def _chart_files(folder: Path, result: dict[str, Any], lang: str) -> list[tuple[Path, bytes]]:
    from carbon.report.charts import render

    drawn, used = render(result, lang)
    if used != lang:
        stderr().print(tr(_("note: no Chinese font found; the PNG and SVG charts in {folder} "
                            "have English labels (install a CJK font, e.g. fonts-noto-cjk)",
                            folder=folder)), markup=False, highlight=False)
    return [(folder / name, data) for name, data in drawn.items()]
