"""Split the multi-site example the way the bank collects it: a head office and 14 branch workbooks.

Each branch's facilities clerk fills a workbook for the branch and the outlets under it; the head
office keeps the settings, the entity tree and its own rows (the head office and the village
bank). This script writes, from ``after/`` (every site, 2022–2024):

- ``collection/hq/``: a folder of CSV files — ``settings.toml`` and ``entities.csv`` as in
  ``after/`` (all 30 entities), ``activity.csv`` and ``denominators.csv`` with the rows of the head
  office (HO) and the village bank (VB);
- ``collection/branches/BR01.xlsx`` … ``BR14.xlsx``: one workbook per branch, with the sheets
  ``entities`` (the branch and its outlets; the branch's ``parent_id`` left blank, so that the
  clerk can run ``carbon check BR01.xlsx`` on its own), ``activity`` and ``denominators`` (their
  rows, in the order of ``after/``).

``carbon compute collection/hq collection/branches`` then gives the figures of
``carbon compute after`` exactly (``tests/test_collect.py`` checks it). The workbooks' bytes do
not depend on when the script runs (fixed document dates and zip times), so they are committed.

Run from anywhere: ``python examples/jinshang-bank/multisite/collect.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from carbon.report.template import header_text
from carbon.schema import TABLES

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "after"
OUT = HERE / "collection"
#: The head office keeps its own rows and the village bank's (it has no branch above it).
HEAD_OFFICE_ROWS = ("HO", "VB")
FIXED_TIME = dt.datetime(2025, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SOURCE / f"{name}.csv", dtype=str, keep_default_na=False)


def _cell(key: str, text: str) -> object:
    """A cell as a clerk's workbook holds it: dates as dates, numbers as numbers."""
    if text == "":
        return None
    col = next((c for spec in TABLES.values() for c in spec.columns if c.key == key), None)
    if col is not None and col.type == "date":
        return dt.datetime.strptime(text, "%Y-%m-%d")
    if col is not None and col.type in ("number", "year"):
        value = float(text.replace(",", ""))
        return int(value) if value.is_integer() and "." not in text else value
    return text


def _deterministic(data: bytes) -> bytes:
    """The same workbook with fixed zip entry times and a fixed modification date (openpyxl
    stamps the time of saving)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def workbook(tables: dict[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per table, headed as the template heads them."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for name, frame in tables.items():
        ws = wb.create_sheet(name)
        ws.append([header_text(TABLES[name].column(k), "zh-Hans") for k in frame.columns])
        for rec in frame.itertuples(index=False):
            ws.append([_cell(k, str(v)) for k, v in zip(frame.columns, rec, strict=True)])
        for col, key in zip(ws.iter_cols(min_row=2), frame.columns, strict=True):
            if TABLES[name].column(key).type == "date":
                for c in col:
                    c.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    wb.properties.creator = wb.properties.lastModifiedBy = "carbon example"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic(buf.getvalue())


def build(out: Path = OUT) -> None:
    """Write ``out/hq/`` and ``out/branches/`` (replacing what ``out`` held)."""
    entities, activity, denominators = _read("entities"), _read("activity"), _read("denominators")
    if out.exists():
        shutil.rmtree(out)
    hq = out / "hq"
    hq.mkdir(parents=True)
    shutil.copyfile(SOURCE / "settings.toml", hq / "settings.toml")
    shutil.copyfile(SOURCE / "entities.csv", hq / "entities.csv")
    own = list(HEAD_OFFICE_ROWS)
    for name, frame in (("activity", activity), ("denominators", denominators)):
        frame[frame["entity_id"].isin(own)].to_csv(hq / f"{name}.csv", index=False,
                                                   lineterminator="\n")
    branches = out / "branches"
    branches.mkdir()
    for branch in entities.loc[entities["kind"] == "branch", "entity_id"]:
        mine = entities[(entities["entity_id"] == branch) | (entities["parent_id"] == branch)]
        mine = mine.assign(parent_id=mine["parent_id"].where(mine["entity_id"] != branch, ""))
        ids = set(mine["entity_id"])
        data = workbook({"entities": mine,
                         "activity": activity[activity["entity_id"].isin(ids)],
                         "denominators": denominators[denominators["entity_id"].isin(ids)]})
        (branches / f"{branch}.xlsx").write_bytes(data)


if __name__ == "__main__":
    build()
