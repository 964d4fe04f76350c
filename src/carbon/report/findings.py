"""What ``carbon check`` (and ``compute --strict``) show: the findings that need a look, each with
its code, where it is and what to do; the notes that do not; the coverage line."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from carbon.errors import Problem
from carbon.i18n import Msg, _, tr
from carbon.report.console import CONSOLE_MAX


def problem_dict(p: Problem) -> dict[str, Any]:
    """A problem or a finding as JSON: where (file, sheet, cell, row, column), the value, the
    code, what is wrong and the fix (in the current language; the code never changes)."""
    return {"file": p.file, "sheet": p.sheet, "cell": p.cell, "row": p.row, "column": p.column,
            "value": tr(p.value), "code": p.code, "message": tr(p.message), "fix": tr(p.fix)}


def findings_head(n: int) -> Msg:
    """``3 findings need a look``."""
    if n == 1:
        return _("1 finding needs a look")
    return _("{n} findings need a look", n=f"{n:,}")


def print_findings(findings: list[Problem], console: Console, *, strict: bool = False) -> None:
    """A table on a terminal; one line per finding otherwise (at most CONSOLE_MAX, then a count)."""
    n = len(findings)
    head = tr(_("{findings}; nothing was written (--strict)", findings=findings_head(n))
              if strict else findings_head(n))
    shown = findings[:CONSOLE_MAX]
    more = ([tr(_("… and {n} more; the --errors FILE option writes every one to a CSV or xlsx "
                  "file", n=f"{n - CONSOLE_MAX:,}"))] if n > CONSOLE_MAX else [])
    if not console.is_terminal:
        console.print("\n".join([head, *(f"  {p}" for p in shown), *more]), markup=False,
                      highlight=False, soft_wrap=True)
        return
    t = Table(title=head, box=box.SIMPLE, title_justify="left")
    for col in (_("where"), _("what"), _("what to do"), _("code")):
        t.add_column(tr(col), overflow="fold")
    for p in shown:
        t.add_row(*(Text(x) for x in (p.where, tr(p.message), tr(p.fix), p.code)))
    console.print(t)
    for line in more:
        console.print(line, markup=False, highlight=False)
