"""``carbon template``: the Excel workbook a facilities team fills in."""

from __future__ import annotations

from pathlib import Path

import typer

from carbon.cli.common import Lang, guarded, lang_option, read, said_written, years_option
from carbon.errors import UsageError
from carbon.i18n import _, from_locale, quoted


def parse_years(text: str | None) -> list[int] | None:
    """``2022-2024`` or ``2022,2023,2024`` as a list of years."""
    from carbon.io.parse import year_list

    if not text:
        return None
    years = year_list(text)
    if years is None:
        raise UsageError(_("--years {text}: write years as 2022-2024 or 2022,2023,2024",
                           text=quoted(text)))
    return years_option(years, "--years")


def template(
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False,
                             help="Write the template to this file (default inventory.xlsx; "
                             "with --for, FOR-YEAR.xlsx)."),
    lang: Lang = lang_option("Language of the labels, the cover and the messages: en, zh-Hans, "
                             "zh-Hant. Default: the labels in the inventory's language (with "
                             "--for), else a Chinese locale's (LANG=zh_TW… gives zh-Hant), else "
                             "zh-Hans; the messages in the inventory's language (with --for), "
                             "else the locale's, else en."),
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
    from carbon.report.write import write_atomic

    with guarded(lang):
        # the labels: --lang, else a Chinese locale's script, else zh-Hans (a facilities team's)
        local = from_locale()
        labels = lang.value if lang is not None else (
            local if local in ("zh-Hans", "zh-Hant") else "zh-Hans")
        if out is not None and out.suffix.lower() != ".xlsx":  # Excel would refuse to open it
            raise UsageError(_("--out {out}: the template is an Excel workbook; give --out a "
                               ".xlsx file", out=out.name))
        if (site is None) != (not inventory):
            raise UsageError(_("--for and --inventory go together: carbon template --inventory "
                               "hq/ --for BR01 -o BR01-2025.xlsx"))
        if site is None:
            target = out or Path("inventory.xlsx")
            _refuse_existing(target)
            from carbon.report.template import build_template  # openpyxl: only when asked for

            write_atomic(target, build_template(labels, parse_years(years)))
            said_written([target])
            return
        from carbon.report.site_template import build_site_template, subtree_ids
        from carbon.review import data_years

        # as carbon status reads it: rows not yet filled in kept aside, and no activity row
        # needed (the head office's may be a header only until the branches send theirs)
        inv = read(inventory, factors, pending=True)
        subtree_ids(inv.data, site)  # an unknown id: did you mean …
        wanted = parse_years(years)
        if wanted is not None and len(wanted) != 1:
            raise UsageError(_("--years {years}: a site's workbook collects one year; write "
                               "--years 2025", years=years))
        have = data_years(inv.data)
        year = wanted[0] if wanted else (have[-1] + 1 if have else None)
        if year is None:
            raise UsageError(_("the inventory has no activity rows to date the workbook by; "
                               "give the year: --years 2025"))
        target = out or Path(f"{site}-{year}.xlsx")
        _refuse_existing(target)
        if lang is None and inv.language is not None:
            labels = inv.language  # the head office's language (its settings', its template's)
        data = build_site_template(inv.data, site, year, labels, inv.sets)
        write_atomic(target, data, inv.data.files)
        said_written([target])


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise UsageError(_("{file} exists; carbon never overwrites a workbook that may hold "
                           "data: choose another name or delete it", file=out))

