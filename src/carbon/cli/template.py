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
    out: Path = typer.Option(Path("inventory.xlsx"), "--out", "-o", dir_okay=False,
                             help="Write the template to this file."),
    lang: Lang = typer.Option(Lang.zh_hans, "--lang", help="Language of the labels and the cover."),
    years: str = typer.Option(None, "--years", help="Reporting years, e.g. 2022-2024."),
) -> None:
    """Write the Excel template to fill in: a cover, one sheet per table, drop-downs, examples."""
    with guarded():
        if out.exists():
            raise UsageError(f"{out} exists; carbon never overwrites a workbook that may hold "
                             "data: choose another name or delete it")
        from carbon.report.template import build_template  # openpyxl: only when asked for

        write_atomic(out, build_template(lang.value, parse_years(years)))
        typer.echo(f"wrote {out}")
