"""The submission status (``carbon status``): a console table, JSON, and a workbook whose month
cells are coloured by conditional formatting (the colours follow the words, also after a clerk
edits a cell)."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from carbon import vocab
from carbon.i18n import Joined, _, language, text_width, tr
from carbon.report.labels import LANGS
from carbon.submission import STATES, Status

#: Each state's symbol on the console.
SYMBOLS = {"filled": "✓", "estimated": "E", "partial": "P", "missing": "✗", "not_expected": "·"}
#: Each state's fill in the workbook (Excel's good / neutral / bad palette).
FILLS = {"filled": "C6EFCE", "estimated": "FFEB9C", "partial": "F8CBAD", "missing": "FFC7CE",
         "not_expected": "F2F2F2"}
#: Words of the workbook, by language (zh-Hans, zh-Hant, en as :data:`LANGS`).
WORDS: dict[str, tuple[str, str, str]] = {
    "filled": ("已填报", "已填報", "filled"),
    "estimated": ("估算", "估算", "estimated"),
    "partial": ("部分缺失", "部分缺失", "partial"),
    "missing": ("缺失", "缺失", "missing"),
    "not_expected": ("不适用", "不適用", "not expected"),
    "title": ("数据报送情况", "數據報送情況", "Submission status"),
    "file": ("报送文件", "報送文件", "File"),
    "entity_id": ("单位编号", "單位編號", "Entity id"),
    "name": ("名称", "名稱", "Name"),
    "source": ("能源品种", "能源品種", "Source"),
    "year": ("年度", "年度", "Year"),
    "expected": ("应报月数", "應報月數", "Months expected"),
    "idle": ("无预期数据的单位（任何年度均无数据、未申报表计、未收到待填行）",
             "無預期數據的單位（任何年度均無數據、未申報錶計、未收到待填行）",
             "Entities of which nothing is expected (no rows in any year, no declared meter, "
             "no rows sent)"),
}


def word(key: str, lang: str) -> str:
    return WORDS[key][LANGS.index(lang)]


def to_json(st: Status) -> str:
    """``{"years", "status": [{entity_id, name, source, file, year, months: [12 states]}],
    "by_file": {file: {expected, filled, estimated, partial, missing}}, "outstanding",
    "idle": [{entity_id, name, file, year}]}``."""
    months = st.months
    rows = [{"entity_id": r["entity_id"], "name": r["name"], "source": r["source"],
             "file": r["file"], "year": int(r["year"]), "months": [r[m] for m in months]}
            for r in st.table.to_dict("records")]
    counts = {str(f): {k: int(v) for k, v in rec.items()}
              for f, rec in st.by_file().to_dict("index").items()}
    idle = [{**r, "year": int(r["year"])} for r in st.idle.to_dict("records")]
    doc = {"years": st.years, "status": rows, "by_file": counts,
           "outstanding": st.outstanding, "idle": idle}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _cut(text: str, width: int) -> str:
    out, used = "", 0
    for c in text:
        w = text_width(c)
        if used + w > width:
            return out[:-1] + "…" if out else ""
        out += c
        used += w
    return out


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - text_width(text), 0)


def render_text(st: Status) -> str:
    """The status for the console, one block per input: how many months are still to come
    and, when some are, its entities' sources month by month (in the current language)."""
    lang = language()
    legend = " · ".join(f"{SYMBOLS[s]} {word(s, lang)}" for s in STATES)
    years = ", ".join(str(y) for y in st.years)
    lines = [tr(_("Submission status {years} ({legend})", years=years, legend=legend)), ""]
    counts = st.by_file()
    t = st.table
    label = {k: s.label(lang).lower() for k, s in vocab.sources().items()}
    for file in dict.fromkeys(t["file"].tolist()):
        mine = t[t["file"] == file]
        c = counts.loc[file]
        left = int(c["missing"] + c["partial"])
        state = (_("{left} of {expected} entity-source months to come", left=left,
                   expected=int(c["expected"])) if left
                 else _("complete ({expected} entity-source months)",
                        expected=int(c["expected"])))
        lines.append(tr(_("{file}: {state}", file=file, state=state)))
        if not left:
            continue
        head = ("  " + _pad(tr(_("entity")), 10) + _pad(tr(_("name")), 22)
                + _pad(tr(_("source")), 24))
        if len(st.years) > 1:
            head += _pad(tr(_("year")), 6)
        lines.append(head + " ".join("JFMAMJJASOND"))
        for r in mine.to_dict("records"):
            line = ("  " + _pad(_cut(str(r["entity_id"]), 9), 10)
                    + _pad(_cut(str(r["name"]), 21), 22)
                    + _pad(_cut(label.get(r["source"], r["source"]), 23), 24))
            if len(st.years) > 1:
                line += f"{r['year']}  "
            lines.append(line + " ".join(SYMBOLS[r[m]] for m in st.months))
        lines.append("")
    if lines[-1]:
        lines.append("")
    if len(st.idle):
        shown = Joined(_("{entity} ({year})", entity=e, year=y)
                       for e, y in zip(st.idle["entity_id"][:10], st.idle["year"][:10],
                                       strict=True))
        n = len(st.idle)
        more = _(" and {n} more", n=n - 10) if n > 10 else ""
        lines.append(tr(
            _("nothing expected of 1 entity-year inside the boundary (no rows in any year, no "
              "declared meter, no rows sent): {entities}{more}", entities=shown, more=more)
            if n == 1 else
            _("nothing expected of {n} entity-years inside the boundary (no rows in any year, "
              "no declared meter, no rows sent): {entities}{more}", n=n, entities=shown,
              more=more)))
    n = st.outstanding
    files = int(((counts["missing"] + counts["partial"]) > 0).sum())
    if not n:
        lines.append(tr(_("every expected month is in")))
    else:
        months = (_("1 entity-source month") if n == 1 else
                  _("{n} entity-source months", n=f"{n:,}"))
        inputs = _("1 input") if files == 1 else _("{n} inputs", n=files)
        lines.append(tr(_("{months} still to come from {inputs}", months=months,
                          inputs=inputs)))
    return "\n".join(lines) + "\n"


def to_xlsx(st: Status, lang: str = "en") -> bytes:
    """The status as a workbook: a ``Status`` sheet (one row per entity, source and year; a
    column per month, its cells coloured by conditional formatting on their word), a ``By
    file`` sheet (the counts per input) and, when there are some, the entities of which nothing
    is expected."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Status"
    bold = Font(bold=True)
    ws["A1"] = f"{word('title', lang)} {', '.join(str(y) for y in st.years)}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = " · ".join(word(s, lang) for s in STATES)
    heads = [word(k, lang) for k in ("file", "entity_id", "name", "source", "year")]
    heads += [f"{m:02d}" for m in range(1, 13)]
    ws.append([])
    ws.append(heads)
    for c in ws[4]:
        c.font = bold
    names = {k: s.label(lang) for k, s in vocab.sources().items()}
    for r in st.table.to_dict("records"):
        ws.append([r["file"], r["entity_id"], r["name"], names.get(r["source"], r["source"]),
                   int(r["year"]), *(word(r[m], lang) for m in st.months)])
    last = max(ws.max_row, 5)
    cells = f"F5:Q{last}"
    for s in STATES:
        fill = PatternFill("solid", start_color=FILLS[s], end_color=FILLS[s])
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal",
                                                        formula=[f'"{word(s, lang)}"'],
                                                        fill=fill))
    for letter, width in zip("ABCDE", (16, 12, 28, 16, 7), strict=True):
        ws.column_dimensions[letter].width = width
    for i in range(6, 18):
        ws.column_dimensions[get_column_letter(i)].width = 9
    ws.freeze_panes = "F5"
    ws.auto_filter.ref = f"A4:Q{last}"
    summary = wb.create_sheet("By file")
    summary.append([word("file", lang), word("expected", lang),
                    *(word(s, lang) for s in STATES if s != "not_expected")])
    for c in summary[1]:
        c.font = bold
    for file, rec in st.by_file().iterrows():
        summary.append([str(file), *(int(v) for v in rec.to_numpy())])
    summary.column_dimensions["A"].width = 20
    if len(st.idle):
        idle = wb.create_sheet("Nothing expected")
        idle.append([word("idle", lang)])
        idle.append([word(k, lang) for k in ("entity_id", "name", "file", "year")])
        for r in st.idle.to_dict("records"):
            idle.append([r["entity_id"], r["name"], r["file"], int(r["year"])])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
