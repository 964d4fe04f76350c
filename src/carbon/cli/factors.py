"""``carbon factors list`` and ``carbon factors show ID``: what is bundled, with its sources."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from carbon.cli.common import factor_sets, guarded, stdout
from carbon.factors import require

app = typer.Typer(help="The bundled factor sets and their sources.", no_args_is_help=True)


@app.command("list")
def list_sets(
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="Also list a factor-set folder of your own."),
) -> None:
    """Every factor set: id, document, issuer, publication date, rows."""
    with guarded():
        sets = factor_sets(factors)
        t = Table(box=box.SIMPLE_HEAVY)
        for col in ("id", "document", "issuer", "published", "rows", "sha256"):
            t.add_column(col, overflow="fold")
        for fs in sets.values():
            m = fs.meta
            t.add_row(*(Text(x) for x in (fs.id, f"{m.document_number} {m.title}".strip(),
                                          m.issuer, m.published, str(len(fs.factors)),
                                          fs.sha256[:12])))
        stdout().print(t)


@app.command("show")
def show(
    set_id: str = typer.Argument(..., metavar="ID", help="Factor set id, e.g. mee-grid-2022."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="Also look in a factor-set folder of your own."),
) -> None:
    """A factor set's metadata and every row with its unit and reference."""
    with guarded():
        fs = require(factor_sets(factors), set_id)
        m = fs.meta
        con = stdout()
        for label, value in (("id", m.id), ("title", m.title), ("title (en)", m.title_en),
                             ("issuer", m.issuer), ("document", m.document_number),
                             ("published", m.published), ("url", m.url),
                             ("family", m.family or ""), ("data year", str(m.data_year or "")),
                             ("sha256", fs.sha256)):
            if value:
                con.print(Text(f"{label:>11}: {value}"))
        if m.notes:
            con.print(Text(f"{'notes':>11}: {m.notes.strip()}"))
        for item in m.missing:
            con.print(Text(f"{'missing':>11}: {item}"))
        t = Table(box=box.SIMPLE)
        for col in ("parameter", "subject", "region", "value", "unit", "reference", "verified"):
            t.add_column(col, overflow="fold")
        for f in fs.factors.values():
            t.add_row(*(Text(x) for x in (f.parameter, f.subject, f.region, f"{f.value:g}", f.unit,
                                          f.reference, "yes" if f.verified else "no")))
        con.print(t)
