"""``carbon factors list`` and ``carbon factors show ID``: what is bundled, with its sources."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from carbon.cli.common import Group, Lang, factor_sets, guarded, lang_option, stdout
from carbon.i18n import _, text_width, tr
from carbon.report import plain

app = typer.Typer(cls=Group, rich_markup_mode=None, no_args_is_help=True,
                  help="The bundled factor sets and their sources.")


@app.command("list")
def list_sets(
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="Also list a factor-set folder of your own."),
    lang: Lang = lang_option(),
) -> None:
    """Every factor set: id, document, issuer, publication date, rows."""
    from carbon.factor_files import Listed, listed_bundled

    with guarded(lang):
        listed = listed_bundled()  # from the files: no unit registry to load
        if factors:  # the user's sets are checked in full
            known = {s.id for s in listed}
            listed += [Listed(fs.id, f"{fs.meta.document_number} {fs.meta.title}".strip(),
                              fs.meta.issuer, fs.meta.published, len(fs.factors), fs.sha256)
                       for fs in factor_sets(factors).values() if fs.id not in known]
        heads = [tr(h) for h in ("id", _("document"), _("issuer"), _("published"), _("rows"),
                                 "sha256")]
        rows = [[s.id, s.document, s.issuer, s.published, str(s.rows), s.sha256[:12]]
                for s in listed]
        plain.write_lines(plain.table(heads, rows, plain.width_of(sys.stdout)))


@app.command("show")
def show(
    set_id: str = typer.Argument(..., metavar="ID", help="Factor set id, e.g. mee-grid-2022."),
    factors: list[Path] = typer.Option(None, "--factors", exists=True,
                                       help="Also look in a factor-set folder of your own."),
    lang: Lang = lang_option(),
) -> None:
    """A factor set's metadata and every row with its unit and reference."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from carbon.factors import require

    with guarded(lang):
        fs = require(factor_sets(factors), set_id)
        m = fs.meta
        con = stdout()
        for label, value in (("id", m.id), (_("title"), m.title), (_("title (en)"), m.title_en),
                             (_("issuer"), m.issuer), (_("document"), m.document_number),
                             (_("published"), m.published), ("url", m.url),
                             (_("family"), m.family or ""),
                             (_("data year"), str(m.data_year or "")), ("sha256", fs.sha256)):
            if value:
                con.print(Text(f"{_right(tr(label))}: {value}"))
        notes, missing = _right(tr(_("notes"))), _right(tr(_("missing")))
        if m.notes:
            con.print(Text(f"{notes}: {m.notes.strip()}"))
        for item in m.missing:
            con.print(Text(f"{missing}: {item}"))
        t = Table(box=box.SIMPLE)
        for col in (_("parameter"), _("subject"), _("region"), _("value"), _("unit"),
                    _("reference"), _("verified")):
            t.add_column(tr(col), overflow="fold")
        yes, no = tr(_("yes")), tr(_("no"))
        for f in fs.factors.values():
            t.add_row(*(Text(x) for x in (f.parameter, f.subject, f.region, f"{f.value:g}", f.unit,
                                          f.reference, yes if f.verified else no)))
        con.print(t)


def _right(label: str, width: int = 11) -> str:
    """A label right-aligned in ``width`` columns (a CJK character takes two)."""
    return " " * max(width - text_width(label), 0) + label
