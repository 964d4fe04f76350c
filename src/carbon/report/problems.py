"""The list of input problems as a file for the person fixing the sheet (``--errors FILE``)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from carbon.errors import InputError, Problem, UsageError
from carbon.report.write import OutputError, check_targets, neutralise, write_atomic

COLUMNS = ("file", "sheet", "cell", "row", "column", "value", "code", "problem", "fix")


def _record(p: Problem) -> list[str]:
    return [p.file, p.sheet or "", p.cell or "", "" if p.row is None else str(p.row),
            p.column or "", p.value, p.code, p.message, p.fix]


def render_csv(problems: Iterable[Problem]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Chinese text right."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows([neutralise(x) for x in _record(p)] for p in problems)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(problems: Iterable[Problem]) -> bytes:
    """One row per problem; every cell is text (never run as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("problems")
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (18, 14, 8, 7, 14, 20, 22, 50, 60), strict=True):
        ws.column_dimensions[letter].width = width
    bold = Font(bold=True)
    head = []
    for name in COLUMNS:
        c = WriteOnlyCell(ws, name)
        c.font = bold
        head.append(c)
    ws.append(head)
    for p in problems:
        cells = []
        for x in _record(p):
            c = WriteOnlyCell(ws, x)
            c.data_type = "s"
            cells.append(c)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(path: Path, problems: list[Problem]) -> bytes:
    """The problems as .xlsx, or .csv for any other extension (``problems_to`` checks it)."""
    return render_xlsx(problems) if path.suffix.lower() == ".xlsx" else render_csv(problems)


@contextlib.contextmanager
def problems_to(path: Path | None, source: Path, outputs: Iterable[Path | None] = ()
                ) -> Iterator[None]:
    """When ``path`` is given, write the problems of the inventory ``source`` there if it fails
    to read (``InputError``); on success the caller writes the empty list with its other
    outputs. Never over the inventory, a file inside its folder, or another output of the run.

    A problems file that cannot be written does not hide the problems: they are still shown,
    followed by why the file was not written (``InputError.note``).
    """
    if path is None:
        yield
        return
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--errors {path}: write the problems to a .csv or .xlsx file")
    inputs = [source, *source.iterdir()] if source.is_dir() else [source]
    check_targets([path, *(p for p in outputs if p is not None)], inputs)
    try:
        yield
    except InputError as exc:
        try:
            write_atomic(path, render(path, exc.listed), inputs)
        except (UsageError, OutputError) as failed:
            exc.note = f"the problems were not written to --errors {path}: {failed}"
        raise
