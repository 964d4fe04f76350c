"""The console table: every year side by side, rounded for reading (the JSON keeps precision)."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from carbon import vocab
from carbon.errors import Problem

ROWS: list[tuple[str, str, str, int]] = [
    ("Energy", "energy_kwh", "kWh", 0),
    ("  direct (fuels)", "energy_direct_kwh", "kWh", 0),
    ("  indirect (electricity, heat)", "energy_indirect_kwh", "kWh", 0),
    ("Energy, standard coal", "energy_tce", "tce", 2),
    ("Scope 1", "scope1_tco2e", "tCO2e", 2),
    ("Scope 2, location-based", "scope2_location_tco2e", "tCO2e", 2),
    ("Scope 2, market-based", "scope2_market_tco2e", "tCO2e", 2),
    ("Total (Scope 1 + 2, location)", "total_location_tco2e", "tCO2e", 2),
    ("Floor area", "floor_area_m2", "m²", 0),
    ("Headcount", "headcount", "persons", 0),
]
INTENSITY: list[tuple[str, str, str, int]] = [
    ("Energy per m²", "energy_kwh_per_m2", "kWh/m²", 2),
    ("Scope 1 per m²", "scope1_tco2e_per_m2", "tCO2e/m²", 4),
    ("Scope 2 per m²", "scope2_tco2e_per_m2", "tCO2e/m²", 4),
    ("Total per m²", "total_tco2e_per_m2", "tCO2e/m²", 4),
    ("Total per person", "total_tco2e_per_person", "tCO2e/person", 2),
]


def _fmt(v: float | None, digits: int) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def results_table(result: dict[str, Any], title: str) -> Table:
    years = list(result["years"])
    t = Table(title=Text(title), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column("")
    t.add_column("unit")
    for y in years:
        t.add_column(y, justify="right")
    for label, key, unit, d in ROWS:
        t.add_row(label, unit, *(_fmt(result["years"][y][key], d) for y in years))
    t.add_section()
    for label, key, unit, d in INTENSITY:
        t.add_row(label, unit, *(_fmt(result["years"][y]["intensity"][key], d) for y in years))
    t.add_section()
    sources = sorted({s for y in years for s in result["years"][y]["by_source"]})
    for s in sources:
        unit = vocab.sources()[s].report_unit
        label = vocab.sources()[s].en
        vals = [result["years"][y]["by_source"].get(s) for y in years]
        t.add_row(label, unit, *(_fmt(v["quantity"] if v else None, 2) for v in vals))
    return t


def render_text(result: dict[str, Any], title: str) -> str:
    """The results table as plain text, for ``--out FILE``."""
    console = Console(record=True, width=160, file=io.StringIO())
    print_results(result, title, console)
    return console.export_text()


def print_results(result: dict[str, Any], title: str, console: Console) -> None:
    console.print(results_table(result, title))
    if result["warnings"]:
        console.print("[bold]Warnings[/bold]")
        for w in result["warnings"]:
            console.print(f"  • {w['message']} [{w['code']}]", highlight=False, markup=False)


#: The console lists at most this many problems, then counts the rest by code.
CONSOLE_MAX = 100


def _rest(problems: list[Problem]) -> str:
    """One line counting the problems not listed, by code."""
    counts = Counter(p.code for p in problems[CONSOLE_MAX:])
    by_code = ", ".join(f"{n:,} {code}" for code, n in sorted(counts.items(), key=lambda x: -x[1]))
    return (f"… and {len(problems) - CONSOLE_MAX:,} more ({by_code}); the --errors FILE option "
            "writes every one to a CSV or xlsx file")


def print_problems(problems: list[Problem], console: Console) -> None:
    """A table on a terminal; one line per problem otherwise (logs, pipes, grep).

    At most :data:`CONSOLE_MAX` problems are listed; the rest are counted by code.
    """
    n = len(problems)
    shown = problems[:CONSOLE_MAX]
    more = [_rest(problems)] if n > CONSOLE_MAX else []
    if not console.is_terminal:
        head = f"{n:,} problem{'s' if n != 1 else ''} in the input; nothing was written."
        console.print("\n".join([head, *(f"  {p}" for p in shown), *more]), markup=False,
                      highlight=False, soft_wrap=True)
        return
    t = Table(title=f"{n:,} problem{'s' if n != 1 else ''} in the input; nothing was written",
              box=box.SIMPLE, title_justify="left", show_lines=False)
    for col in ("where", "value", "problem", "how to fix", "code"):
        t.add_column(col, overflow="fold")
    for p in shown:
        t.add_row(*(Text(x) for x in (p.where, p.value, p.message, p.fix, p.code)))
    console.print(t)
    for line in more:
        console.print(line, markup=False, highlight=False)
