"""A workbook for one site and the entities below it (``carbon template --inventory hq/ --for
BR01``): the template's sheets, pre-filled from the head office's inventory.

- ``entities``: the site and its subtree as the head office's tree defines them (the site's own
  ``parent_id`` left blank, so that the workbook can be checked on its own; a blank cell agrees
  with the head office's value when the files are read together);
- ``activity``: one row per meter and month of the year (:func:`carbon.submission.expected_rows`),
  everything but the quantity filled in; the clerk types quantities (the unit, data quality,
  document and note may be changed too), and may add rows below for a new meter;
- ``denominators``: one row per entity of the subtree inside the boundary that year, floor area
  and headcount to type;
- ``meters``: empty, for a seasonal meter to declare.

Key cells (ids, periods, sources, meters, the entities) are protected — sheet protection without
a password, which stops a slip, not a will — so that the rows still match the head office's when
the workbook comes back. It reads back with the normal reader; a row left blank is not yet filled
in for ``carbon status`` and a problem for ``carbon compute``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.worksheet import Worksheet

from carbon import boundary, vocab
from carbon.errors import UsageError
from carbon.factors import FactorSet
from carbon.i18n import Joined, _
from carbon.model import Inventory
from carbon.report.layout import print_setup
from carbon.report.template import (
    FIXED_TIME,
    _deterministic,
    _input_sheet,
    _lists_sheet,
    choice_word,
    drop_downs,
    record_language,
    sheet_title,
)
from carbon.schema import TABLES
from carbon.submission import expected_rows

#: Rows below the pre-filled ones left open for rows the clerk adds (a new meter). [rows]
EXTRA_ROWS = 200
#: Columns of the pre-filled activity rows the clerk may change.
OPEN_COLUMNS = {"activity": ("quantity", "unit", "data_quality", "document_ref", "note"),
                "denominators": ("floor_area_m2", "headcount")}
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_OPEN = Protection(locked=False)

_COVER = {
    "zh-Hans": [
        "{site}（{name}）{year} 年数据填报表",
        "本表由总部用 carbon 生成，已预填贵单位及下属单位（entities）和 {year} 年应报的每一行："
        "每个计量表、每个月一行（activity）。",
        "请只填写“数量”一列（票据上的单位不同时可改“单位”；数据质量、凭证编号、备注可填）。单位编号、期间、能源品种、计量表已锁定：总部靠它们合并各分行的数据。",
        "某月未使用的表请填 0；尚未填写的行在总部的 carbon status 中显示为缺失，"
        "carbon compute 会拒绝空白的数量。",
        "有新的计量表：在灰色行下面的空白行中添加完整的一行。denominators：填写建筑面积（平方米）和员工人数。",
        "发送前请运行：carbon check 本文件.xlsx —— 列出出错的单元格和缺失的月份。",
    ],
    "zh-Hant": [
        "{site}（{name}）{year} 年數據填報表",
        "本表由總部用 carbon 生成，已預填貴單位及下屬單位（entities）和 {year} 年應報的每一行："
        "每個計量錶、每個月一行（activity）。",
        "請只填寫「數量」一欄（票據上的單位不同時可改「單位」；數據質量、憑證編號、備註可填）。單位編號、期間、能源品種、計量錶已鎖定：總部靠它們合併各分行的數據。",
        "某月未使用的錶請填 0；尚未填寫的行在總部的 carbon status 中顯示為缺失，"
        "carbon compute 會拒絕空白的數量。",
        "有新的計量錶：在灰色行下面的空白行中添加完整的一行。denominators：填寫建築面積（平方米）和員工人數。",
        "發送前請執行：carbon check 本文件.xlsx —— 列出出錯的儲存格和缺失的月份。",
    ],
    "en": [
        "{site} ({name}): data for {year}",
        "Written by the head office with carbon: your entities (entities) and every row expected "
        "for {year} — one per meter and month (activity) — are filled in.",
        "Type the quantity of each row (change the unit if the invoice's differs; data quality, "
        "document and note may be filled in). Entity, period, source and meter are locked: the "
        "head office matches every branch's rows by them.",
        "Write 0 for a month a meter did not run: a row left blank shows as missing in the head "
        "office's carbon status, and carbon compute refuses a blank quantity.",
        "A new meter: add complete rows in the blank rows below the grey ones. denominators: "
        "type the floor area (m²) and headcount.",
        "Before sending: carbon check this-file.xlsx lists every cell to correct and every "
        "month missing.",
    ],
}


def subtree_ids(inv: Inventory, root: str) -> list[str]:
    """``root`` and the entities below it, in the order of the entities table.

    Raises
    ------
    UsageError
        No entity has the id ``root`` (the message suggests the nearest ids).
    """
    ids = inv.entities["entity_id"].astype(str)
    if root not in set(ids):
        import difflib

        close = difflib.get_close_matches(root, ids.tolist(), n=3, cutoff=0.5)
        hint = _("; did you mean {ids}?", ids=Joined(close)) if close else ""
        raise UsageError(_("--for {site}: no entity has this id in the inventory's entities "
                           "({n} entities){hint}", site=root, n=len(ids), hint=hint))
    return ids[boundary.subtree(inv.entities, [root])].tolist()


def _entity_rows(inv: Inventory, ids: Sequence[str], root: str, lang: str) -> list[list[Any]]:
    """The entities as the template's columns hold them (the root's parent left blank)."""
    provinces = vocab.provinces()
    ent = {str(r["entity_id"]): r for r in inv.entities.to_dict("records")}
    out = []
    for e in ids:
        r = ent[e]
        values: dict[str, Any] = {}
        for c in TABLES["entities"].columns:
            v: Any = r.get(c.key, "")
            if c.key == "parent_id" and e == root:
                v = ""
            elif c.key == "province" and v in provinces:
                p = provinces[str(v)]
                v = {"zh-Hans": p.zh_hans, "zh-Hant": p.zh_hant}.get(lang, p.en)
            elif c.type == "date":
                v = None if pd.isna(v) else pd.Timestamp(v).to_pydatetime()
            elif c.key == "ownership_share":
                v = None if pd.isna(v) else float(v)
            values[c.key] = None if isinstance(v, str) and not v else v
        out.append([values[c.key] for c in TABLES["entities"].columns])
    return out


def _fill(ws: Worksheet, table: str, rows: list[list[Any]], open_columns: Sequence[str],
          extra: int) -> None:
    """Write the pre-filled rows (locked but for ``open_columns``), then open ``extra`` rows."""
    keys = [c.key for c in TABLES[table].columns]
    for r, values in enumerate(rows, start=2):
        for i, (key, v) in enumerate(zip(keys, values, strict=True), start=1):
            cell = ws.cell(r, i, v)
            if isinstance(v, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
            if key in open_columns:
                cell.protection = _OPEN
            else:
                cell.fill = _LOCKED_FILL
    for r in range(len(rows) + 2, len(rows) + 2 + extra):
        for i in range(1, len(keys) + 1):
            ws.cell(r, i).protection = _OPEN


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password; columns may be widened, rows filtered."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def build_site_template(inv: Inventory, root: str, year: int, lang: str = "zh-Hans",
                        sets: dict[str, FactorSet] | None = None) -> bytes:
    """The workbook of ``root`` and its subtree for ``year``, as bytes (identical for identical
    arguments)."""
    if sets is None:
        from carbon.factors import bundled

        sets = bundled()
    ids = subtree_ids(inv, root)
    names = dict(zip(inv.entities["entity_id"].astype(str),
                     inv.entities["name"].astype(str), strict=True))
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = {"zh-Hans": "填写说明", "zh-Hant": "填寫說明"}.get(lang, "Read me")
    for r, line in enumerate(_COVER[lang], start=1):
        c = cover.cell(r if r == 1 else r + 1, 1,
                       line.format(site=root, name=names.get(root, ""), year=year))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            c.font = Font(bold=True, size=14)
    cover.column_dimensions["A"].width = 110
    print_setup(cover, None, lang=lang)
    lists = _lists_sheet(wb, drop_downs(lang, sets))
    for name in ("entities", "activity", "denominators", "meters"):
        _input_sheet(wb, name, lang, lists)
    sheets = {name: wb[sheet_title(name, lang)] for name in ("entities", "activity",
                                                             "denominators")}
    _fill(sheets["entities"], "entities", _entity_rows(inv, ids, root, lang), (), 0)
    _protect(sheets["entities"])
    labels = {k: s.label(lang) for k, s in vocab.sources().items()}
    act = []
    for rec in expected_rows(inv, ids, year).to_dict("records"):
        values = {"entity_id": rec["entity_id"],
                  "period_start": pd.Timestamp(rec["period_start"]).to_pydatetime(),
                  "period_end": pd.Timestamp(rec["period_end"]).to_pydatetime(),
                  "source": labels.get(rec["source"], rec["source"]), "unit": rec["unit"],
                  "meter": rec["meter"], "use": choice_word(rec["use"], lang),
                  "technology": choice_word(rec["technology"], lang),
                  "instrument": choice_word(rec["instrument"], lang), "stream": rec["stream"]}
        act.append([values.get(c.key) or None for c in TABLES["activity"].columns])
    _fill(sheets["activity"], "activity", act, OPEN_COLUMNS["activity"], EXTRA_ROWS)
    _protect(sheets["activity"])
    w0, w1 = boundary.windows(inv.entities)
    pos = pd.Index(inv.entities["entity_id"].astype(str)).get_indexer(pd.Index(ids))
    jan1, dec31 = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31")
    dens = [[e, year, *([None] * (len(TABLES["denominators"].columns) - 2))]
            for e, p in zip(ids, pos.tolist(), strict=True)
            if w0[p] <= dec31 and w1[p] >= jan1]
    _fill(sheets["denominators"], "denominators", dens, OPEN_COLUMNS["denominators"], 0)
    _protect(sheets["denominators"])
    wb.move_sheet("lists", offset=len(wb.sheetnames))
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "carbon"
    props.title = f"{root} {year}"
    props.created = props.modified = FIXED_TIME
    record_language(wb, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic(buf.getvalue())
