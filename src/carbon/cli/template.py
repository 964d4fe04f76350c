"""``carbon template``: the Excel workbook a facilities team fills in."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from carbon.cli.common import guarded
from carbon.errors import UsageError
from carbon.io.parse import year_list
from carbon.report.write import write_atomic


class Lang(str, Enum):
    zh_hans = "zh-Hans"
    zh_hant = "zh-Hant"
    en = "en"


def parse_years(text: str | None) -> list[int] | None:
    """``2022-2024`` or ``2022,2023,2024`` as a list of years."""
    if not text:
        return None
    years = year_list(text)
    if years is None:
        raise UsageError(f"--years {text!r}: write years as 2022-2024 or 2022,2023,2024")
    return years


def template(
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False,
                             help="Write the template to this file (default inventory.xlsx; "
                             "with --for, FOR-YEAR.xlsx)."),
    lang: Lang = typer.Option(Lang.zh_hans, "--lang", help="Language of the labels and the cover."),
    years: str = typer.Option(None, "--years", help="Reporting years, e.g. 2022-2024; with --for, "
                              "the one year to collect (default: the year after the inventory's "
                              "latest)."),
    inventory: list[Path] = typer.Option(None, "--inventory", exists=True,
                                         help="With --for: the head office's inventory (repeat "
                                         "it to add branch files or folders of them, whose rows "
                                         "say which meters each site has)."),
    site: str = typer.Option(None, "--for",
                             help="Write the workbook of this entity and those below it, "
                             "pre-filled from --inventory: its entities and a row per meter and "
                             "month, key cells protected."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="A factor-set folder of your own (repeatable)."),
) -> None:
    """Write the Excel template to fill in: a cover, one sheet per table, drop-downs, examples;
    or, with --inventory and --for, one site's workbook pre-filled with its rows to complete."""
    with guarded():
        if (site is None) != (not inventory):
            raise UsageError("--for and --inventory go together: carbon template --inventory "
                             "hq/ --for BR01 -o BR01-2025.xlsx")
        if site is None:
            target = out or Path("inventory.xlsx")
            _refuse_existing(target)
            from carbon.report.template import build_template  # openpyxl: only when asked for

            write_atomic(target, build_template(lang.value, parse_years(years)))
            typer.echo(f"wrote {target}")
            return
        from carbon import api
        from carbon.report.site_template import build_site_template
        from carbon.review import data_years

        inv = api.read_inventory(*inventory, factor_sets=factors or [])
        wanted = parse_years(years)
        if wanted is not None and len(wanted) != 1:
            raise UsageError(f"--years {years}: a site's workbook collects one year; write "
                             "--years 2025")
        have = data_years(inv.data)
        year = wanted[0] if wanted else (have[-1] + 1 if have else None)
        if year is None:
            raise UsageError("the inventory has no activity rows to date the workbook by; "
                             "give the year: --years 2025")
        target = out or Path(f"{site}-{year}.xlsx")
        _refuse_existing(target)
        data = build_site_template(inv.data, site, year, lang.value, inv.sets)
        write_atomic(target, data, inv.data.files)
        typer.echo(f"wrote {target}")


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise UsageError(f"{out} exists; carbon never overwrites a workbook that may hold "
                         "data: choose another name or delete it")
