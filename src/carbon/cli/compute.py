"""``carbon compute``: an inventory's energy and emissions, every year side by side."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from carbon.aggregate import summarize
from carbon.calc import compute as run_compute
from carbon.cli.common import factor_sets, guarded, stdout
from carbon.io import read_inventory
from carbon.progress import progress
from carbon.report import csvout, jsonout
from carbon.report.console import print_results, render_text
from carbon.report.problems import problems_to
from carbon.report.write import write_atomic


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Level(str, Enum):
    national = "national"
    regional = "regional"
    provincial = "provincial"


def compute(
    path: Path = typer.Argument(..., exists=True,
                                help="Inventory: a folder of CSV files or a workbook (.xlsx)."),
    year: list[int] = typer.Option(None, "--year", "-y", help="Report this year (repeatable)."),
    grid_level: Level = typer.Option(None, "--grid-level",
                                     help="Grid factor level; default from settings (national)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False,
                             help="Write to this file instead of the console."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="A factor-set folder of your own (repeatable)."),
    errors: Path = typer.Option(None, "--errors", dir_okay=False,
                                help="Also write the input's problems to this .csv or .xlsx file."),
) -> None:
    """Compute energy (kWh, tce), Scope 1 and Scope 2 and intensities for every year."""
    with guarded(), problems_to(errors, path), progress("Reading the inventory", total=3) as bar:
        sets = factor_sets(factors)
        inv = read_inventory(path, sets)
        bar.step("Computing the ledger")
        ledger = run_compute(inv, sets, grid_level=grid_level.value if grid_level else None,
                             years=year or None)
        bar.step("Summing by year, source and entity")
        wanted = sorted(set(year)) if year else (
            sorted(set(inv.settings.reporting_years)) or None)
        result = summarize(inv, ledger, wanted)
        bar.close()
        title = f"{inv.settings.organisation or path.name} — energy and greenhouse gases"
        if fmt is Format.table and out is None:
            print_results(result, title, stdout())
            return
        text = {Format.json: jsonout.dumps, Format.csv: csvout.render}.get(
            fmt, lambda r: render_text(r, title))(result)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(out, text.encode("utf-8"), inv.files)
