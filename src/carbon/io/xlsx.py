"""Read an inventory from a workbook (the template ``carbon template`` writes, filled in).

The workbook is checked before it is read: its first bytes say what it really is (an ``.xls``, an
``.xlsb``, a CSV or a password-protected file named ``.xlsx`` is refused with the fix), its
unpacked size and each sheet's stated row count must be within :data:`MAX_UNPACKED_BYTES` and
:data:`MAX_ROWS`. Each sheet's XML is then scanned once for what openpyxl's read-only mode does not
show: formulas without a saved result, merged cells, hidden rows. Cells are read with openpyxl
(read-only, saved values) and turned into the same :class:`~carbon.io.tables.RawTable` of text cells
the CSV reader produces, so that :func:`~carbon.io.inventory.build_inventory` validates both alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import html
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from defusedxml import DefusedXmlException, ElementTree
from pydantic import ValidationError

from carbon.errors import Problem, setting_message
from carbon.i18n import Joined, Msg, _, quoted
from carbon.io import parse
from carbon.io.tables import MAX_CELL_CHARS, RawTable, column_index, column_letter
from carbon.model import FactorPins, Notice, Origin, Settings, stated_language
from carbon.progress import progress
from carbon.schema import TABLES, TableSpec, bracketed_key, header_key

#: A workbook whose members unpack to more than this is refused before it is read. [bytes]
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
#: A sheet that states (or turns out to hold) more rows than this is refused. [rows]
MAX_ROWS = 1_000_000
#: A text longer than this in a workbook part is refused before the workbook is read: beyond
#: any cell Excel writes (32,767 characters of at most 4 bytes, escapes included). [bytes]
MAX_TEXT_BYTES = 1 << 20
#: A single row (or shared string) of XML larger than this is refused before it is read. [bytes]
MAX_PIECE_BYTES = 64 << 20
#: Rows read between two updates of the progress bar. [rows]
CHUNK = 8192

SETTINGS_SHEET = "settings"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_SAVE_AS = _("open it in Excel (or WPS, LibreOffice) and save it as an Excel Workbook (.xlsx)")
_DAMAGED_FIX = _("open it in Excel and save it again, or use an earlier copy")
_TOO_BIG_FIX = _("split the data into several workbooks, or use a folder of CSV files")
_LONG_FIX = _("delete the text (or the cell), or use an earlier copy of the workbook")


def _file_problem(path: Path, code: str, message: Msg, fix: Msg) -> Problem:
    return Problem(path.name, None, None, None, code, "", message, fix)


def sniff(path: Path) -> list[Problem]:
    """What the file really is, from its first bytes: no problem for an .xlsx/.xlsm workbook.

    Refuses, each with its fix: an empty file, Excel 97-2003 ``.xls``, a password-protected
    workbook (an OLE container holding ``EncryptionInfo``), ``.xlsb``, an HTML or CSV file named
    like a workbook, a zip that is no workbook, and a corrupt file.
    """
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        return [_file_problem(path, "empty_file", _("the file is empty"),
                              _("fill in the template (carbon template) and save it again"))]
    if head == OLE_MAGIC:
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data:
            return [_file_problem(
                path, "encrypted",
                _("the workbook is protected with a password, so it cannot be read"),
                _("in Excel: File → Info → Protect Workbook → Encrypt with Password, clear the "
                  "password, save; or save an unprotected copy"))]
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return [_file_problem(path, "xls",
                                  _("an Excel 97-2003 workbook (.xls); carbon reads .xlsx"),
                                  _SAVE_AS)]
        return [_file_problem(path, "not_a_workbook",
                              _("an old Office document, not an Excel workbook"), _SAVE_AS)]
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            return [_file_problem(path, "corrupt", _("the workbook is damaged ({error})",
                                                     error=exc), _DAMAGED_FIX)]
        if "xl/workbook.bin" in names:
            return [_file_problem(path, "xlsb",
                                  _("an Excel Binary Workbook (.xlsb); carbon reads .xlsx"),
                                  _SAVE_AS)]
        if "xl/workbook.xml" not in names:
            what = (_("a Word document, not an Excel workbook")
                    if any(n.startswith("word/") for n in names) else
                    _("a presentation, not an Excel workbook")
                    if any(n.startswith("ppt/") for n in names) else
                    _("a spreadsheet in another format (OpenDocument .ods?), not an Excel "
                      "workbook") if "content.xml" in names else
                    _("a zip archive, not an Excel workbook"))
            return [_file_problem(path, "not_a_workbook", what,
                                  _("pass the .xlsx workbook (carbon template writes one to fill "
                                    "in)"))]
        return []
    with path.open("rb") as fh:
        start = fh.read(4096)
    lowered = start.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table")):
        return [_file_problem(path, "html", _("an HTML page saved with a spreadsheet name"),
                              _SAVE_AS)]
    if b"\x00" not in start and _is_text(start):
        return [_file_problem(
            path, "csv_named_xlsx", _("a text (CSV) file with a workbook name"),
            _("{save_as}; or rename it {name}.csv and put it in an inventory folder",
              save_as=_SAVE_AS, name=path.stem))]
    return [_file_problem(path, "corrupt",
                          _("not a workbook: the file is damaged or of another kind"),
                          _("open it in Excel and save it as .xlsx, or use an earlier copy"))]


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            # a multi-byte character cut at the end of the sample
            try:
                data[:-4].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


@dataclass(frozen=True)
class SheetInfo:
    """A worksheet as workbook.xml names it: its title, its zip member, whether it is hidden."""

    title: str
    member: str
    hidden: bool


def sheets(zf: zipfile.ZipFile) -> list[SheetInfo]:
    """The workbook's worksheets in tab order (chart sheets and others left out)."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")
              if r.get("Type", "").endswith("/worksheet")}
    out = []
    for s in book.iter(f"{_NS_MAIN}sheet"):
        t = target.get(s.get(f"{_NS_REL}id"))
        if t is None:
            continue
        member = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
        out.append(SheetInfo(s.get("name", ""), member, s.get("state", "visible") != "visible"))
    return out


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_ROW_HIDDEN = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
#: A cell holding a formula and no saved value. The formula text cannot contain "<" (XML escapes
#: it), so no match runs past its own cell; a ``t="str"`` cell's empty value is a saved "".
_FORMULA_NO_VALUE = re.compile(
    rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)'
    rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CELL_ATTRS = re.compile(rb'<(?:\w+:)?c\b([^>]*)>')
_STRING_RESULT = re.compile(rb'\bt="str"')


_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
#: Bytes of a part read to find its first element (a DTD can only come before it). [bytes]
PROLOG_BYTES = 1 << 16


def unsafe_parts(zf: zipfile.ZipFile) -> list[str]:
    """The XML parts that declare a DTD (``<!DOCTYPE``: entities, external references), which
    Excel never writes and which XXE and "billion laughs" files need, or whose first element
    cannot be found (another encoding, or more than :data:`PROLOG_BYTES` of prolog)."""
    out = []
    for info in zf.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as fh:
            head = fh.read(PROLOG_BYTES)
        head = head.removeprefix(b"\xef\xbb\xbf")
        rest = head[_PROLOG.match(head).end():]  # type: ignore[union-attr]
        if rest.startswith(b"<!") or b"\x00" in head[:64] or (not rest and head and
                                                              len(head) >= PROLOG_BYTES):
            out.append(info.filename)
    return out


def long_shared_string(zf: zipfile.ZipFile) -> int | None:
    """The index of the first shared string longer than :data:`MAX_TEXT_BYTES`, if any."""
    if "xl/sharedStrings.xml" not in zf.namelist():
        return None
    try:
        for _piece in _chunks(zf, "xl/sharedStrings.xml", end=b"</si>", count=b"<si"):
            pass
    except _Oversized as exc:
        return max(exc.count - 1, 0)
    return None


def cells_with_string(zf: zipfile.ZipFile, member: str, index: int) -> list[str]:
    """The cells of a sheet that show shared string ``index`` (``["E2"]``)."""
    pattern = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?v>%d</" % index)
    out = []
    with contextlib.suppress(_Oversized):
        for piece in _chunks(zf, member):
            for m in pattern.finditer(piece):
                ref = _CELL_REF.search(m.group(1))
                if ref and b't="s"' in m.group(1):
                    out.append(f"{ref.group(1).decode()}{int(ref.group(2))}")
    return out


def stated_rows(zf: zipfile.ZipFile, member: str) -> int | None:
    """The last row a sheet's ``<dimension>`` states, read from the member's first bytes."""
    with zf.open(member) as fh:
        head = fh.read(4096)
    m = _DIMENSION.search(head)
    return int(m.group(1)) if m else None


@dataclass
class SheetScan:
    """What the sheet's XML says that read-only cells do not."""

    formulas: list[tuple[str, int, str]] = field(default_factory=list)  # letter, row, formula
    merges: list[tuple[str, int, str, int]] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    month_cells: set[tuple[str, int]] = field(default_factory=set)  # dates shown as a month


class _Oversized(Exception):
    """A part of the workbook holds a text or a row beyond what any real workbook holds."""

    def __init__(self, what: str, offset: int, count: int, ref: str | None = None):
        super().__init__(what)
        self.what, self.offset, self.count, self.ref = what, offset, count, ref


def _last_ref(xml: bytes) -> str | None:
    """The reference of the last cell opened in ``xml`` (``E14``)."""
    at = max(xml.rfind(b"<c "), xml.rfind(b":c "))
    m = _CELL_REF.search(xml, at) if at >= 0 else None
    return f"{m.group(1).decode()}{int(m.group(2))}" if m else None


def _chunks(zf: zipfile.ZipFile, member: str, size: int = 1 << 22, end: bytes = b"</row>",
            count: bytes = b"") -> Iterator[bytes]:
    """The member's XML in pieces that end after ``end`` (``</row>``; or at the end).

    Raises :class:`_Oversized` when a text (a run of bytes without ``<``) is longer than
    :data:`MAX_TEXT_BYTES`, or a piece would exceed :data:`MAX_PIECE_BYTES` (a row that big),
    with the byte offset and, when ``count`` is given, how many ``count`` markers precede it
    (the index of the shared string).
    """
    carry = b""
    since_tag = 0  # bytes since the last "<", over block boundaries
    done = 0  # bytes of the member before the current block
    seen = 0  # ``count`` markers in the pieces yielded
    with zf.open(member) as fh:
        while True:
            block = fh.read(size)
            if not block:
                break
            tags = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 0x3C)
            start = -since_tag  # where the longest run of text in the block starts
            if len(tags):
                gaps = np.diff(tags, prepend=-1 - since_tag)
                at = int(gaps.argmax())
                longest = int(gaps[at]) - 1
                start = int(tags[at - 1]) + 1 if at else -since_tag
                since_tag = len(block) - 1 - int(tags[-1])
                if since_tag > longest:
                    longest, start = since_tag, int(tags[-1]) + 1
            else:
                longest = since_tag = since_tag + len(block)
            if longest > MAX_TEXT_BYTES:
                before = carry + block[:max(start, 0)]
                raise _Oversized("text", done + start, seen + before.count(count) if count else 0,
                                 _last_ref(before))
            buf = carry + block
            done += len(block)
            cut = buf.rfind(end)
            if cut < 0:
                if len(buf) > MAX_PIECE_BYTES:
                    raise _Oversized("row", done - len(buf), 0)
                carry = buf
                continue
            cut += len(end)
            piece = buf[:cut]
            if count:
                seen += piece.count(count)
            yield piece
            carry = buf[cut:]
    if carry:
        yield carry


#: Built-in number formats that show a date as its month only (mmm-yy; yyyy"年"m"月" in the
#: Chinese locales).
_MONTH_FORMAT_IDS = {17, 27, 36, 50, 52, 57}
_NUM_FMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*\bnumFmtId="(\d+)"[^>]*\bformatCode="([^"]*)"')
_CELL_XFS = re.compile(rb'<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>', re.S)
_XF = re.compile(rb'<(?:\w+:)?xf\b([^>]*)')
_NUM_FMT_ID = re.compile(rb'\bnumFmtId="(\d+)"')
_CELL_STYLE = re.compile(rb'\bs="(\d+)"')


def _month_only(code: str) -> bool:
    """A custom number format that shows a year and month but no day (yyyy-mm, mmm-yy …)."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", html.unescape(code)).lower()
    return "y" in bare and "m" in bare and "d" not in bare and "h" not in bare and "s" not in bare


def month_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indices of the cell styles whose number format shows a date as a month: Excel stores
    ``2024-03`` typed into a date cell as 2024-03-01 and only the format says "the month"."""
    try:
        xml = zf.read("xl/styles.xml")
    except KeyError:
        return set()
    months = set(_MONTH_FORMAT_IDS)
    months |= {int(i) for i, code in _NUM_FMT.findall(xml) if _month_only(code.decode("utf-8",
                                                                                      "replace"))}
    xfs = _CELL_XFS.search(xml)
    if not xfs:
        return set()
    out = set()
    for i, attrs in enumerate(_XF.findall(xfs.group(0))):
        fmt = _NUM_FMT_ID.search(attrs)
        if fmt and int(fmt.group(1)) in months:
            out.add(i)
    return out


def scan(zf: zipfile.ZipFile, member: str, months: set[int] | frozenset[int] = frozenset()
         ) -> SheetScan:
    """One pass over the sheet's XML for formulas without a saved result, merges, hidden rows,
    and (when the workbook has such styles) the cells formatted as a month."""
    out = SheetScan()
    for piece in _chunks(zf, member):
        if months:
            for attrs in _CELL_ATTRS.findall(piece):
                style = _CELL_STYLE.search(attrs)
                ref = _CELL_REF.search(attrs)
                if style and ref and int(style.group(1)) in months:
                    out.month_cells.add((ref.group(1).decode(), int(ref.group(2))))
        if b"<f" in piece:
            for m in _FORMULA_NO_VALUE.finditer(piece):
                ref = _CELL_REF.search(m.group(1))
                if ref is None or _STRING_RESULT.search(m.group(1)):
                    continue
                formula = html.unescape((m.group(3) or b"").decode("utf-8", "replace"))
                out.formulas.append((ref.group(1).decode(), int(ref.group(2)),
                                     "=" + formula if formula else "(shared formula)"))
        if b"hidden=" in piece:
            for m in _ROW_HIDDEN.finditer(piece):
                r = _ROW_NUMBER.search(m.group(0))
                if r:
                    out.hidden_rows.append(int(r.group(1)))
        if b"mergeCell" in piece:
            out.merges += [(a.decode(), int(b), c.decode(), int(d))
                           for a, b, c, d in _MERGE.findall(piece)]
    return out


def find_sheet(name: str, infos: list[SheetInfo]) -> SheetInfo | None:
    """The sheet for a table: its key as the title, in any case, or ending in ``(key)``."""
    for s in infos:
        title = s.title.strip()
        if title.lower() == name or bracketed_key(title) == name:
            return s
    return None


@dataclass
class WorkbookRead:
    """What reading a workbook gave: raw tables, settings, problems, warnings, cells owned by a
    workbook-level problem (formula without result, merged cell, spreadsheet error), and the
    language of the template it was made from (None when it cannot be told)."""

    tables: dict[str, RawTable]
    settings: Settings
    problems: list[Problem]
    notices: list[Notice]
    owned: set[tuple[str, str]]
    language: str | None = None
    settings_origin: Origin | None = None  # the settings sheet, when the workbook has one
    settings_rows: dict[str, int] = field(default_factory=dict)  # its row of each key given


#: The custom document property a template records its language in (``carbon template``).
LANGUAGE_PROPERTY = "carbon_language"
_PROPERTY = re.compile(rb'<(?:\w+:)?property\b[^>]*\bname="' + LANGUAGE_PROPERTY.encode()
                       + rb'"[^>]*>\s*<(?:\w+:)?lpwstr>([^<]*)</(?:\w+:)?lpwstr>')


def recorded_language(zf: zipfile.ZipFile) -> str | None:
    """The language a template recorded in its custom document properties, if any."""
    from carbon.i18n import LANGS

    try:
        info = zf.getinfo("docProps/custom.xml")
    except KeyError:
        return None
    if info.file_size > MAX_TEXT_BYTES:
        return None
    m = _PROPERTY.search(zf.read(info))
    value = m.group(1).decode("utf-8", "replace").strip() if m else ""
    return value if value in LANGS else None


def header_language(headers: dict[str, list[str]]) -> str | None:
    """The language of a workbook's header cells, as the template writes them
    (:func:`carbon.report.template.header_text`: ``數量 Quantity (quantity)``): the one
    language whose headers are most of the header cells that name a column, two at least;
    None otherwise (a workbook made by hand, with plain keys or a header copied here and
    there)."""
    from carbon.i18n import LANGS

    score = dict.fromkeys(LANGS, 0)
    named = 0
    for name, cells in headers.items():
        spec = TABLES[name]
        texts = {str(c).strip() for c in cells if c}
        named += sum(1 for t in texts if header_key(t, spec) in spec.keys)
        for col in spec.columns:
            for lang in LANGS:
                label = (f"{col.en} ({col.key})" if lang == "en" else
                         f"{col.label(lang)} {col.en} ({col.key})")
                if label in texts:
                    score[lang] += 1
    best = max(score.values())
    found = [lang for lang, n in score.items() if n == best]
    return found[0] if best >= 2 and 2 * best >= named and len(found) == 1 else None


def read_workbook(path: Path) -> WorkbookRead:
    """Read every table sheet and the settings sheet of a workbook.

    Nothing raises on bad input: every problem is returned (with sheet and cell), the caller raises
    them together.
    """
    empty = WorkbookRead({}, Settings(), [], [], set())
    empty.problems = sniff(path)
    if empty.problems:
        return empty
    try:
        return _read(path)
    except DefusedXmlException as exc:
        empty.problems = [_file_problem(path, "unsafe_xml",
                                        _("the workbook holds XML carbon does not read ({error})",
                                          error=exc),
                                        _("open it in Excel and save it as a new workbook"))]
        return empty
    except IndexError:  # openpyxl's lookup of a cell's shared text
        empty.problems = [_file_problem(path, "corrupt", _(
            "the workbook is damaged (a cell refers to shared text the workbook does not hold)"),
            _DAMAGED_FIX)]
        return empty
    except (zipfile.BadZipFile, zlib.error, EOFError, ParseError, KeyError, ValueError,
            OverflowError) as exc:
        empty.problems = [_file_problem(path, "corrupt", _("the workbook is damaged ({error})",
                                                           error=exc), _DAMAGED_FIX)]
        return empty


def _read(path: Path) -> WorkbookRead:
    import openpyxl  # imported here: a CSV-folder run does not pay for it

    out = WorkbookRead({}, Settings(), [], [], set())
    with zipfile.ZipFile(path) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            out.problems.append(_file_problem(
                path, "too_large", _("the workbook unpacks to {size} MiB, beyond the limit of "
                                     "{limit} MiB; it was not read",
                                     size=f"{unpacked / 2**20:,.0f}",
                                     limit=f"{MAX_UNPACKED_BYTES / 2**20:,.0f}"), _TOO_BIG_FIX))
            return out
        unsafe = unsafe_parts(zf)
        if unsafe:
            out.problems.append(_file_problem(
                path, "unsafe_xml", _("the workbook part {part} declares a DTD (<!DOCTYPE …>: "
                                      "entities or external references), which Excel never "
                                      "writes; the file was made or altered by another program "
                                      "and was not read", part=unsafe[0]),
                _("open it in Excel (or WPS, LibreOffice) and save it as a new workbook, or copy "
                  "the data into the template carbon template writes")))
            return out
        if b"purl.oclc.org/ooxml/spreadsheetml/main" in zf.read("xl/workbook.xml")[:4096]:
            out.problems.append(_file_problem(
                path, "strict_ooxml", _("a Strict Open XML spreadsheet; carbon reads the usual "
                                        "Excel Workbook (.xlsx)"),
                _("in Excel: File → Save As → Excel Workbook (*.xlsx), not Strict Open XML "
                  "Spreadsheet")))
            return out
        out.language = recorded_language(zf)
        infos = sheets(zf)
        found: dict[str, SheetInfo] = {}
        for name in [*TABLES, SETTINGS_SHEET]:
            info = find_sheet(name, infos)
            if info is not None:
                found[name] = info
        spare = [s.title for s in infos if s not in found.values()]
        for name, spec in TABLES.items():
            if spec.required and name not in found:
                close = difflib.get_close_matches(name, spare, n=1, cutoff=0.5)
                hint = (_("rename the sheet {sheet} to {name}", sheet=quoted(close[0]),
                          name=name) if close else
                        _("add a sheet named {name} (carbon template writes one)", name=name))
                out.problems.append(Problem(
                    path.name, name, None, None, "missing_sheet", "",
                    _("the workbook has no sheet {name} (its sheets: {sheets})",
                      name=quoted(name), sheets=Joined(s.title for s in infos)), hint))
        string = long_shared_string(zf)
        if string is not None:
            at = [f"{info.title}!{ref}" for info in found.values()
                  for ref in cells_with_string(zf, info.member, string)]
            out.problems.append(_file_problem(
                path, "cell_too_long",
                _("{cells} holds more than {size} MiB of text, far beyond the {limit} characters "
                  "Excel allows in a cell; the workbook was not read",
                  cells=Joined(at[:3], " and ", "、") if at else _("a cell"),
                  size=f"{MAX_TEXT_BYTES / 2**20:g}", limit=f"{MAX_CELL_CHARS:,}"), _LONG_FIX))
            return out
        for info in found.values():
            rows = stated_rows(zf, info.member)
            if rows is not None and rows > MAX_ROWS:
                out.problems.append(Problem(
                    path.name, info.title, rows, None, "too_many_rows", "",
                    _("the sheet states {rows} rows, beyond the limit of {limit}; the workbook "
                      "was not read", rows=f"{rows:,}", limit=f"{MAX_ROWS:,}"), _TOO_BIG_FIX,
                    f"A{rows}"))
        if any(p.code == "too_many_rows" for p in out.problems):
            return out
        months = month_styles(zf)
        scans = {}
        for name, info in found.items():
            try:
                scans[name] = scan(zf, info.member, months)
            except _Oversized as exc:
                where = (f"{info.title}!{exc.ref}" if exc.ref else
                         _("sheet {sheet}", sheet=info.title))
                what = (_("{cells} holds more than {size} MiB of text, far beyond the {limit} "
                          "characters Excel allows in a cell; the workbook was not read",
                          cells=where, size=f"{MAX_TEXT_BYTES / 2**20:g}",
                          limit=f"{MAX_CELL_CHARS:,}")
                        if exc.what == "text" else
                        _("sheet {sheet} holds a row of more than {size} MiB; the workbook was "
                          "not read", sheet=info.title, size=f"{MAX_PIECE_BYTES / 2**20:g}"))
                out.problems.append(_file_problem(path, "cell_too_long", what, _LONG_FIX))
                return out
    # the file, not its name: openpyxl refuses a name that does not end in .xlsx (an upload
    # saved as BR01, a download named BR01.xlsx.download), whatever the file holds
    with path.open("rb") as fh:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
        headers: dict[str, list[str]] = {}
        try:
            out.problems += _stray_tables(path, wb, infos, found)
            epoch = wb.epoch
            for name, info in found.items():
                sc = scans[name]
                _scan_problems(path, info, sc, out)
                cells = _rows(path, wb[info.title], info.title, out)
                if cells is None:
                    continue
                if name != SETTINGS_SHEET and cells:
                    headers[name] = [str(c) for c in cells[0] if isinstance(c, str)]
                if name == SETTINGS_SHEET:
                    out.settings = _settings(path, info.title, cells, out)
                    out.settings_origin = Origin(path.name, info.title)
                else:
                    table = _table(path, name, TABLES[name], info.title, cells, epoch, out,
                                   sc.month_cells)
                    if table is not None:
                        out.tables[name] = table
        finally:
            wb.close()
    out.language = out.language or header_language(headers)
    return out


def _header_table(ws: Any) -> str | None:
    """The table whose header row a sheet's first row is (every required column and another
    of the table's), None when it is no table's."""
    first = next(ws.iter_rows(min_row=1, max_row=1, max_col=64, values_only=True), ())
    texts = [str(v).strip() for v in first if isinstance(v, str) and v.strip()]
    for name, spec in sorted(TABLES.items(), key=lambda t: -sum(c.required for c in t[1].columns)):
        keys = {header_key(t, spec) for t in texts} & set(spec.keys)
        required = {c.key for c in spec.columns if c.required}
        if required <= keys and len(keys) >= 2:
            return name
    return None


def _stray_tables(path: Path, wb: Any, infos: list[SheetInfo], found: dict[str, SheetInfo]
                  ) -> list[Problem]:
    """Sheets holding rows of a table that carbon would not read: a second sheet named for a
    table, or one under another name whose header row is a table's (a clerk's ``Branch B``
    copy of the activity sheet). Each is a problem: its rows would be left out unseen."""
    taken = {info.title for info in found.values()}
    out = []
    for info in infos:
        if info.title in taken:
            continue
        table = next((n for n in TABLES if find_sheet(n, [info])), None) or _header_table(
            wb[info.title])
        if table is None or table not in found:  # no sheet of that name: missing_sheet says it
            continue
        out.append(Problem(
            path.name, info.title, 1, None, "extra_sheet", "",
            _("this sheet holds {table} rows too (its name or its header row says so), but "
              "carbon reads the {table} rows of sheet {main} only: its rows would be left out",
              table=table, main=quoted(found[table].title)),
            _("move its rows into sheet {main} and delete this sheet, or rename its header row "
              "if it holds something else", main=quoted(found[table].title)), "A1"))
    return out


def _scan_problems(path: Path, info: SheetInfo, sc: SheetScan, out: WorkbookRead) -> None:
    for letter, row, formula in sc.formulas:
        out.problems.append(Problem(
            path.name, info.title, row, None, "formula_without_value", formula,
            _("a formula with no saved result (the workbook was written by a program and never "
              "opened in a spreadsheet)"),
            _("open the workbook in Excel (or WPS, LibreOffice) and save it, so the result is "
              "stored; or type the value"), f"{letter}{row}"))
        out.owned.add((info.title, f"{letter}{row}"))
    for a, r1, b, r2 in sc.merges:
        ref = f"{a}{r1}:{b}{r2}"
        out.problems.append(Problem(
            path.name, info.title, r1, None, "merged_cells", ref,
            _("merged cells {cells}: carbon reads one value per cell", cells=ref),
            _("select them, choose Merge & Center → Unmerge Cells, and fill in every cell"),
            f"{a}{r1}"))
        c1, c2 = column_index(a), column_index(b)
        for r, c in itertools.islice(itertools.product(range(r1, r2 + 1), range(c1, c2 + 1)),
                                     100_000):
            out.owned.add((info.title, f"{column_letter(c)}{r}"))
    if sc.hidden_rows:
        shown = Joined(str(r) for r in sc.hidden_rows[:20])
        n = len(sc.hidden_rows)
        more = _(" and {n} more", n=n - 20) if n > 20 else ""
        out.notices.append(Notice(
            "hidden_rows", _("{file}, sheet {sheet}: {n} hidden rows ({rows}{more}) are read and "
                             "counted like the others; unhide them to check them",
                             file=path.name, sheet=info.title, n=n, rows=shown, more=more)))
    if info.hidden:
        out.notices.append(Notice("hidden_sheet", _("{file}: the sheet {sheet} is hidden; it is "
                                                    "read and counted", file=path.name,
                                                    sheet=info.title)))


def _rows(path: Path, ws: Any, title: str, out: WorkbookRead) -> list[tuple[Any, ...]] | None:
    """Every row's values; None (with a problem) when the sheet holds more than MAX_ROWS rows."""
    ws.reset_dimensions()  # a stated dimension may be wrong; read what is there
    rows: list[tuple[Any, ...]] = []
    it = ws.iter_rows(values_only=True)
    with progress(_("Reading sheet {sheet}", sheet=title)) as bar:
        while chunk := list(itertools.islice(it, CHUNK)):
            rows += chunk
            bar.advance(len(chunk))
            if len(rows) > MAX_ROWS:
                out.problems.append(Problem(
                    path.name, title, MAX_ROWS + 1, None, "too_many_rows",
                    "", _("the sheet holds more than {limit} rows", limit=f"{MAX_ROWS:,}"),
                    _TOO_BIG_FIX, f"A{MAX_ROWS + 1}"))
                return None
    return rows


def _text(values: tuple[Any, ...] | list[Any], *, date: bool = False,
          epoch: dt.datetime = dt.datetime(1899, 12, 30)) -> pa.Array:
    """Cells as trimmed text, "" when blank."""
    return pc.fill_null(pc.utf8_trim_whitespace(parse.cells_as_text(values, date=date, epoch=epoch)),
                        "")


def _table(path: Path, name: str, spec: TableSpec, title: str, rows: list[tuple[Any, ...]],
           epoch: dt.datetime, out: WorkbookRead,
           month_cells: set[tuple[str, int]] | None = None) -> RawTable | None:
    """One input table: header keys, column letters, text cells; blank rows dropped.

    A date cell formatted as a month (``month_cells``) reads as that month, ``2024-03``: the
    whole month, as if typed as text.
    """
    origin = Origin(path.name, title)
    header = list(rows[0]) if rows else []
    head_text = _text(header).to_pylist() if header else []
    keys = [header_key(h, spec) if h else None for h in head_text]
    if not any(k in spec.keys for k in keys):
        out.problems.append(Problem(
            path.name, title, 1, None, "no_header", head_text[0] if head_text else "",
            _("row 1 of sheet {sheet} holds no column header carbon knows", sheet=title),
            _("row 1 must hold the headers, e.g. 数量 Quantity (quantity); copy them from "
              "carbon template"), "A1"))
        return None
    data = rows[1:]
    width = max([len(header), *(len(r) for r in data)]) if data else len(header)
    columns = list(itertools.zip_longest(*data, fillvalue=None)) if data else []
    columns += [()] * (width - len(columns))
    n = len(data)
    letters: dict[str, str] = {}
    frame: dict[str, pa.Array] = {}
    problems: list[Problem] = []
    for i in range(width):
        key = keys[i] if i < len(keys) else None
        values = columns[i] if len(columns[i]) == n else (None,) * n
        if key is None:
            filled = np.flatnonzero(np.asarray(pc.not_equal(_text(values), "").to_numpy(
                zero_copy_only=False), dtype=bool))
            if len(filled):
                r = int(filled[0]) + 2
                problems.append(Problem(
                    path.name, title, r, None, "no_header", str(values[filled[0]]),
                    _("data in column {column}, which has no header", column=column_letter(i)),
                    _("give the column a header from the template, or delete the data"),
                    f"{column_letter(i)}{r}"))
            continue
        if key in frame:
            problems.append(Problem(
                path.name, title, 1, key, "duplicate_column", head_text[i],
                _("column {column} appears twice (also in column {letter})", column=quoted(key),
                  letter=letters[key]),
                _("delete or rename one of the two columns"), f"{column_letter(i)}1"))
            continue
        col = spec.column(key) if key in spec.keys else None
        is_date = col is not None and col.type == "date"
        frame[key] = _text(values, date=is_date, epoch=epoch)
        letters[key] = column_letter(i)
        months = sorted(r - 2 for c, r in month_cells or () if c == letters[key] and r >= 2)
        if is_date and months:
            at = pa.array([m for m in months if m < n], type=pa.int64())
            texts = frame[key].to_numpy(zero_copy_only=False).copy()
            texts[at.to_numpy()] = [t[:7] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t or "") else t
                                    for t in texts[at.to_numpy()]]
            frame[key] = pa.array(texts, type=pa.string())
    free = itertools.count(width)
    for c in spec.columns:  # a missing column is pointed at the first free header cell
        if c.required and c.key not in letters:
            letters[c.key] = column_letter(next(free))
    out.problems += problems
    repetitive = {c.key for c in spec.columns if c.repetitive}
    blank = np.ones(n, dtype=bool)
    errors: dict[str, np.ndarray] = {}
    for key, arr in frame.items():
        blank &= np.asarray(pc.equal(arr, "").to_numpy(zero_copy_only=False), dtype=bool)
        err = np.asarray(pc.is_in(arr, pa.array(sorted(parse.EXCEL_ERRORS))).to_numpy(
            zero_copy_only=False), dtype=bool)
        if err.any():
            errors[key] = err
    keep = np.flatnonzero(~blank)
    cols = []
    for key, arr in frame.items():
        col = arr.take(pa.array(keep)) if len(keep) < n else arr
        cols.append(pc.dictionary_encode(col) if key in repetitive else col)
    df = pa.table(cols, names=list(frame)).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    rows_no = np.arange(2, n + 2)[keep]
    table = RawTable(name, df, rows_no, origin, letters)
    for key, err in errors.items():
        mask = err[keep]
        table.report(mask, key, "excel_error", _("the cell shows a spreadsheet error"),
                     _("correct the formula that gives this error, or type the value"))
        out.owned.update((title, f"{letters[key]}{r}") for r in rows_no[mask])
    return table


def _setting_value(key: str, text: str) -> Any:
    """A settings cell as settings.toml would hold it."""
    if key in ("reporting_years", "base_year"):
        years = parse.year_list(text)
        if years is not None and (key == "reporting_years" or len(years) == 1):
            return years if key == "reporting_years" else years[0]
    return text


def _settings(path: Path, title: str, rows: list[tuple[Any, ...]], out: WorkbookRead) -> Settings:
    """The settings sheet: one setting per row, its key in column A, its value in column B.

    Keys are those of settings.toml; a factor-set pin is ``factor_sets.grid``, a pin for one year
    ``factor_sets.grid_by_year.2024``. A blank value keeps the default.
    """
    keys = _text([r[0] if r else None for r in rows[1:]]).to_pylist()
    values = _text([r[1] if len(r) > 1 else None for r in rows[1:]]).to_pylist()
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    for i, (k, v) in enumerate(zip(keys, values, strict=True)):
        key = (bracketed_key(k) or k).strip().lower()
        if not key or not v:
            continue
        row = i + 2
        parts = key.split(".")
        target = data
        for p in parts[:-1]:
            target = target.setdefault(p, {})
            if not isinstance(target, dict):
                break
        else:
            target[parts[-1]] = _setting_value(key, v)
            where[key] = row
    out.settings_rows = where
    try:
        return Settings(**data)
    except ValidationError as exc:
        allowed = ", ".join([*(k for k in Settings.model_fields if k != "factor_sets"),
                             *(f"factor_sets.{k}" for k in FactorPins.model_fields)])
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            key = next((".".join(loc[:i]) for i in range(len(loc), 0, -1)
                        if ".".join(loc[:i]) in where), ".".join(loc))
            at = where.get(key)
            out.problems.append(Problem(
                path.name, title, at, key, "bad_setting", str(e.get("input", ""))[:80],
                setting_message(e), _("correct {key} (settings: {allowed})", key=quoted(key),
                                      allowed=allowed),
                f"B{at}" if at else None))
        return Settings(language=stated_language(data))
