"""Helpers for tests that build workbooks: a small valid inventory workbook, mutated per case."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from tests.conftest import ACTIVITY_COLUMNS, ENTITY_COLUMNS

ROW = ["E1", dt.datetime(2022, 1, 1), dt.datetime(2022, 12, 31), "electricity", 100, "kWh"]


def make_workbook(path: Path, activity: Sequence[Sequence[Any]] = (ROW,), *,
                  activity_header: Sequence[str] = ACTIVITY_COLUMNS,
                  entities: Sequence[Sequence[Any]] = (("E1", "Site 1", "", "office", "山西"),),
                  settings: Sequence[Sequence[Any]] | None = None,
                  sheets: dict[str, list[list[Any]]] | None = None,
                  mutate: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """A workbook inventory: entities and activity sheets (plus settings and any other sheets)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "entities"
    ws.append(ENTITY_COLUMNS[:5])
    for r in entities:
        ws.append(list(r))
    act = wb.create_sheet("activity")
    act.append(list(activity_header))
    for r in activity:
        act.append(list(r))
    if settings is not None:
        st = wb.create_sheet("settings")
        st.append(["key", "value"])
        for r in settings:
            st.append(list(r))
    for name, rows in (sheets or {}).items():
        extra = wb.create_sheet(name)
        for r in rows:
            extra.append(r)
    if mutate is not None:
        mutate(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def rewrite_member(path: Path, member: str, edit: Callable[[bytes], bytes]) -> None:
    """Replace one zip member's bytes (e.g. to state another sheet dimension)."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, edit(body) if info.filename == member else body)
    path.write_bytes(out.getvalue())


def sheet_member(path: Path, title: str) -> str:
    """The zip member of the sheet with this title."""
    from carbon.io.xlsx import sheets

    with zipfile.ZipFile(path) as zf:
        return next(s.member for s in sheets(zf) if s.title == title)


def sheet(wb: openpyxl.Workbook, key: str) -> Any:
    """A table's sheet by its key: ``activity``, or a Chinese template's ``活动数据 (activity)``."""
    from carbon.schema import bracketed_key

    return next(ws for ws in wb.worksheets
                if ws.title == key or bracketed_key(ws.title) == key)
