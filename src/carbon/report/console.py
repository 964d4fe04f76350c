"""The console: the results table (every year side by side, rounded for reading; the JSON keeps
precision) and the problems of an input."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from carbon.errors import Problem, problems_head
from carbon.i18n import _, language, tr
from carbon.report import plain
from carbon.report.rows import kpi_rows

if TYPE_CHECKING:
    from rich.console import Console


def _fmt(v: float | None, digits: int) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def results_lines(result: dict[str, Any], title: str, width: int, detail: bool = False,
                  bold: bool = False, coverage: str = "") -> list[str]:
    """The title, every year side by side (the KPI rows of
    :func:`carbon.report.rows.kpi_rows` in the current language, under their section
    headings), the warnings and the ``coverage`` line, for a console or a file ``width``
    columns wide (:mod:`carbon.report.plain`: no rich to import). ``bold``: section headings
    and the warnings' heading in bold (a terminal)."""
    years = list(result["years"])
    rows: list[list[str] | str] = []
    for row in kpi_rows(result, language(), detail):
        if isinstance(row, str):
            rows.append(row.strip())
        else:
            rows.append(["  " * (row.level + 1) + row.label.strip(), row.unit,
                         *(_fmt(v, row.decimals) for v in row.values)])
    lines = [*plain.wrapped(tr(title), width, 2), "",
             *plain.table(["", tr(_("unit")), *years], rows, width,
                          right=range(2, 2 + len(years)), fixed=range(1, 2 + len(years)),
                          bold_sections=bold)]
    if result["warnings"]:
        lines += ["", plain.bold(tr(_("Warnings")), bold)]
        for w in result["warnings"]:
            lines += plain.wrapped(f"  • {tr(w['message'])} [{w['code']}]", width, 2)
    if coverage:
        lines += ["", *plain.wrapped(coverage, width, 2)]
    return lines


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
    from rich import box
    from rich.table import Table
    from rich.text import Text

    t = Table(title=head.removesuffix(".").removesuffix("。"), box=box.SIMPLE,
              title_justify="left", show_lines=False)
    for col in (_("where"), _("value"), _("problem"), _("how to fix"), _("code")):
        t.add_column(tr(col), overflow="fold")
    for p in shown:
        t.add_row(*(Text(x) for x in (p.where, tr(p.value), tr(p.message), tr(p.fix), p.code)))
    console.print(t)
    for line in more:
        console.print(line, markup=False, highlight=False)
