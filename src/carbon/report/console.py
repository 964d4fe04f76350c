"""The console table: every year side by side, rounded for reading (the JSON keeps precision)."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from carbon.errors import Problem, problems_head
from carbon.i18n import _, language, tr
from carbon.report.rows import kpi_rows


def _fmt(v: float | None, digits: int) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def results_table(result: dict[str, Any], title: str, detail: bool = False) -> Table:
    """Every year side by side: the KPI rows (:func:`carbon.report.rows.kpi_rows`) in the
    current language."""
    years = list(result["years"])
    t = Table(title=Text(tr(title)), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column("")
    t.add_column(tr(_("unit")))
    for y in years:
        t.add_column(y, justify="right")
    first = True
    for row in kpi_rows(result, language(), detail):
        if isinstance(row, str):
            if not first:
                t.add_section()
            t.add_row(Text(row, style="bold"))
            first = False
            continue
        indent = "  " * (row.level + 1)
        t.add_row(Text(indent + row.label.strip()), row.unit,
                  *(_fmt(v, row.decimals) for v in row.values))
    return t


def render_text(result: dict[str, Any], title: str, detail: bool = False) -> str:
    """The results table as plain text, for ``--out FILE``."""
    console = Console(record=True, width=160, file=io.StringIO())
    print_results(result, title, console, detail)
    return console.export_text()


def print_results(result: dict[str, Any], title: str, console: Console,
                  detail: bool = False) -> None:
    console.print(results_table(result, title, detail))
    if result["warnings"]:
        console.print(Text(tr(_("Warnings")), style="bold"))
        for w in result["warnings"]:
            console.print(f"  • {tr(w['message'])} [{w['code']}]", highlight=False, markup=False)


#: The console lists at most this many problems, then counts the rest by code.
CONSOLE_MAX = 100


def _rest(problems: list[Problem]) -> str:
    """One line counting the problems not listed, by code."""
    counts = Counter(p.code for p in problems[CONSOLE_MAX:])
    by_code = ", ".join(f"{n:,} {code}" for code, n in sorted(counts.items(), key=lambda x: -x[1]))
    return tr(_("… and {n} more ({by_code}); the --errors FILE option writes every one to a CSV "
                "or xlsx file", n=f"{len(problems) - CONSOLE_MAX:,}", by_code=by_code))


def print_problems(problems: list[Problem], console: Console, listed: bool = False) -> None:
    """A table on a terminal; one line per problem otherwise (logs, pipes, grep). ``listed``:
    the problems were also written to a file (``--errors``).

    At most :data:`CONSOLE_MAX` problems are listed; the rest are counted by code.
    """
    n = len(problems)
    shown = problems[:CONSOLE_MAX]
    more = [_rest(problems)] if n > CONSOLE_MAX else []
    head = tr(problems_head(n, listed))
    if not console.is_terminal:
        console.print("\n".join([head, *(f"  {p}" for p in shown), *more]), markup=False,
                      highlight=False, soft_wrap=True)
        return
    t = Table(title=head.removesuffix(".").removesuffix("。"), box=box.SIMPLE,
              title_justify="left", show_lines=False)
    for col in (_("where"), _("value"), _("problem"), _("how to fix"), _("code")):
        t.add_column(tr(col), overflow="fold")
    for p in shown:
        t.add_row(*(Text(x) for x in (p.where, tr(p.value), tr(p.message), tr(p.fix), p.code)))
    console.print(t)
    for line in more:
        console.print(line, markup=False, highlight=False)
