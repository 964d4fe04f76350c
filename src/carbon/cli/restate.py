"""``carbon restate``: earlier years recalculated on today's basis, each change explained."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from carbon.cli.common import (
    Lang,
    guarded,
    lang_option,
    out_format,
    read,
    said_written,
    stdout,
    title_of,
)
from carbon.i18n import _, language, tr


class ThresholdScope(str, Enum):
    """``--threshold-scope`` choices: the keys of ``carbon.restatement.THRESHOLD_SCOPES`` (a
    test keeps them equal; that module is imported only when a restatement runs)."""

    location = "location"
    market = "market"
    each_scope = "each_scope"


class Format(str, Enum):
    table = "table"
    json = "json"


def restate(
    before: list[Path] = typer.Option(..., "--before", exists=True,
                                      help="The inventory as originally reported (A). Repeat it "
                                      "for several inputs: the head office's first, then branch "
                                      "workbooks or folders of them."),
    after: list[Path] = typer.Option(..., "--after", exists=True,
                                     help="The inventory as now (B); repeatable as --before."),
    years: list[int] = typer.Option(None, "--year", "--years", "-y",
                                    help="Restate this year (repeatable); default: the years "
                                    "both inventories report."),
    base_year: int = typer.Option(None, "--base-year",
                                  help="Base year; default from B's settings, else A's."),
    threshold: float = typer.Option(None, "--threshold", min=0,
                                    help="Significance threshold in percent (default: B's "
                                    "settings, 5)."),
    threshold_scope: ThresholdScope = typer.Option(
        None, "--threshold-scope", help="The figure the threshold applies to: location (Scope 1 "
        "+ 2 location-based, the default), market, or each_scope (default: B's settings)."),
    fmt: Format = typer.Option(None, "--format", "-f",
                               help="Output format; default: from --out's suffix (.json, .xlsx), "
                               "else table."),
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False,
                             help="Write to FILE: .xlsx (a sheet), .json, or text."),
    published: Path = typer.Option(None, "--published", exists=True, dir_okay=False,
                                   help="CSV of year, metric, value as printed in the original "
                                   "report, compared with A's recomputation."),
    lang: Lang = lang_option("Language of messages, warnings and the xlsx sheet: en, zh-Hans, "
                             "zh-Hant. Default: B's settings' language (else A's), else the "
                             "language of the template B (else A) was made from, else the "
                             "locale (LANG), else en."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="A factor-set folder of your own (repeatable)."),
) -> None:
    """Restate earlier years: before, after, change, and the change split into boundary,
    activity data and emission factors (Shapley values)."""
    from carbon import api
    from carbon.report import jsonout
    from carbon.report.restatement import print_restatement, render_text, to_xlsx
    from carbon.report.write import write_atomic

    with guarded(lang):
        kind = out_format(out, fmt.value if fmt else None, {".json": "json", ".xlsx": "xlsx"})
        inv_a = read(before, factors)
        inv_b = read(after, factors)
        result = api.restate(inv_a, inv_b, years=years or None, base_year=base_year,
                             threshold_pct=threshold, published=published,
                             threshold_scope=threshold_scope.value if threshold_scope else None
                             ).figures
        inputs = (*inv_a.data.files, *inv_b.data.files, *((published,) if published else ()))
        title = tr(_("{organisation} — restatement ({before} → {after})",
                     organisation=inv_b.data.settings.organisation or title_of(after),
                     before=title_of(before), after=title_of(after)))
        if kind == "xlsx":
            to_xlsx(out, result, language(), inputs)
            said_written([out])
            return
        if kind == "table" and out is None:
            print_restatement(result, stdout(), title)
            return
        text = jsonout.dumps(result) if kind == "json" else render_text(result, title)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(out, text.encode("utf-8"), inputs)
            said_written([out])
