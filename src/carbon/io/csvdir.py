"""Read an inventory from a folder of CSV files (``entities.csv``, ``activity.csv`` …)."""

from __future__ import annotations

import csv
import functools
import io
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pydantic import ValidationError

from carbon import vocab
from carbon.errors import InputError, Problem, setting_message
from carbon.i18n import _, quoted
from carbon.io.source import decode, present, read_input
from carbon.io.tables import MAX_LISTED, RawTable, column_letter
from carbon.model import Notice, Origin, Settings, stated_language
from carbon.schema import DATA_QUALITY, TABLES, USES, TableSpec, header_key
from carbon.units import written_names

SETTINGS_FILE = "settings.toml"


def _read_text_csv(data: bytes | memoryview, spec: TableSpec) -> pd.DataFrame:
    """Every cell as text ("" when empty), blank lines kept so row numbers stay true.

    ``data`` is the file as UTF-8. Cells are trimmed; columns with few distinct values (ids,
    sources, units, dates) arrive dictionary-encoded (categorical), so their distinct texts are
    validated and parsed once.
    """
    with pacsv.open_csv(pa.BufferReader(pa.py_buffer(data))) as head:
        names = head.schema.names
    repetitive = {n for n in names if header_key(n, spec) in
                  {c.key for c in spec.columns if c.repetitive}}
    coded = pa.dictionary(pa.int32(), pa.string())
    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(data)),
        read_options=pacsv.ReadOptions(block_size=1 << 24),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: coded if n in repetitive else pa.string() for n in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
            null_values=[]),
    )
    columns = [_trim_coded(col) if name in repetitive else pc.utf8_trim_whitespace(col)
               for name, col in zip(names, table.columns, strict=True)]
    return pa.table(columns, names=[str(i) for i in range(len(names))]).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get
    ).set_axis(pd.Index(names), axis=1)


def _trim_coded(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trim the texts of a dictionary-encoded column: its (few) distinct texts, not its rows."""
    chunks = []
    for chunk in col.chunks:
        texts = pc.utf8_trim_whitespace(chunk.dictionary)
        if texts.equals(chunk.dictionary):
            chunks.append(chunk)
            continue
        trimmed = pc.dictionary_encode(texts)
        chunks.append(pa.DictionaryArray.from_arrays(pc.take(trimmed.indices, chunk.indices),
                                                     trimmed.dictionary))
    return pa.chunked_array(chunks, type=col.type)


@functools.cache
def _words() -> frozenset[str]:
    """The non-ASCII words of the inventory's vocabulary, folded: sources, provinces, units,
    uses, data qualities and column labels."""
    words = {*vocab.source_spellings(), *vocab.province_spellings(), *USES, *DATA_QUALITY,
             *written_names()}
    words |= {label for spec in TABLES.values() for c in spec.columns
              for label in (c.zh_hans, c.zh_hant)}
    return frozenset(vocab.fold(w) for w in words if not w.isascii())


def _known(text: str) -> bool:
    return vocab.fold(text) in _words()


#: Separators a spreadsheet may save a "CSV" with, other than the comma: (character, name).
_OTHER_DELIMITERS = ((";", _("the columns are separated by semicolons (;), not commas")),
                     ("\t", _("the columns are separated by tabs, not commas")),
                     ("|", _("the columns are separated by vertical bars (|), not commas")))


def _delimiter_problem(header: str, spec: TableSpec, origin: Origin) -> Problem | None:
    """A problem when the header row is separated by another character than the comma."""
    def known(sep: str) -> int:
        return sum(header_key(h.strip().strip('"'), spec) in spec.keys for h in header.split(sep))

    commas = known(",")
    for sep, message in _OTHER_DELIMITERS:
        if sep in header and known(sep) > max(commas, 0) and known(sep) >= 2:
            return Problem(origin.file, None, 1, None, "delimiter", header[:60], message,
                           _("save it as CSV (comma delimited); in LibreOffice choose the field "
                             "delimiter ',' when saving, in Excel set Windows' list separator to "
                             "a comma"))
    return None


def _ragged_rows(text: str, origin: Origin) -> list[Problem]:
    """The rows whose number of cells differs from the header's (a misplaced comma or quote)."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return problems
    rows = 1
    try:
        for rows, record in enumerate(reader, start=2):
            if record and len(record) != len(header):
                if len(problems) == MAX_LISTED:
                    problems.append(Problem(origin.file, None, rows, None, "ragged_row", "",
                                            _("and more rows with the wrong number of cells"),
                                            ""))
                    break
                problems.append(Problem(
                    origin.file, None, rows, None, "ragged_row", ",".join(record)[:60],
                    _("the row has {n} cells where the header has {header}", n=len(record),
                      header=len(header)),
                    _("put quotes around a value that holds a comma (\"1,234.5\"), or remove "
                      "the extra or missing separator")))
    except csv.Error as exc:
        problems.append(Problem(origin.file, None, rows + 1, None, "unreadable", "",
                                _("not readable as CSV ({error})", error=exc),
                                _("check the quotes on this row")))
    return problems or [Problem(origin.file, None, None, None, "unreadable", "",
                                _("not readable as CSV"),
                                _("save it as CSV UTF-8 from your spreadsheet"))]


def _runaway_quote(frame: pd.DataFrame, rows: np.ndarray, origin: Origin,
                   spec: TableSpec) -> list[Problem]:
    """A cell a quote opened and did not close on its own line: one that runs over lines holding
    whole rows (the quote never closed), or one holding a line break and a comma in a column that
    takes no free text (a quote on a later line closed it: the text between was read in)."""
    width = len(frame.columns)
    plain = {c.key for c in spec.columns if not c.free_text}
    out = []
    for key in frame.columns:
        col = frame[key]
        texts = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col
        multi = pd.Series(texts, dtype="string").str.contains("\n", regex=False).fillna(False)
        if not multi.any():
            continue
        for value in pd.Series(texts)[multi.to_numpy()]:
            text = str(value)
            if any(line.count(",") >= width - 1 for line in text.splitlines()[1:]):
                message = _("a quote (\") opens this cell and is never closed: the rows after it "
                            "were read into this one cell")
            elif key in plain and "," in text:
                message = _("a quote (\") opens this cell and closes only on a later line: the "
                            "text between, line break and commas included, was read into this "
                            "one cell")
            else:
                continue
            at = np.flatnonzero((col == value).to_numpy())
            out.append(Problem(origin.file, None, int(rows[at[0]]), str(key), "open_quote",
                               text[:60], message, _("close the quote, or remove it")))
    return out


def read_csv_table(path: Path, name: str, origin: Origin
                   ) -> tuple[RawTable | None, list[Problem], list[Notice]]:
    """Read one CSV file as text cells; blank lines are skipped but keep their numbers.

    Returns the table (None when it cannot be read), its problems and notices (the encoding
    it was read in, when not UTF-8).
    """
    empty = [Problem(origin.file, None, 1, None, "empty_file", "", _("the file is empty"),
                     _("write the header row and the data"))]
    try:
        data = read_input(path, origin.file)
        if not data or data.isspace():
            return None, empty, []
        decoded = decode(data, origin.file, known=_known)
    except InputError as exc:
        return None, exc.problems, []
    notices = [decoded.notice] if decoded.notice else []
    utf8 = decoded.utf8
    if b"\xef\xbb\xbf" in utf8:  # byte-order marks inside: files joined together; never data
        utf8 = bytes(utf8).replace(b"\xef\xbb\xbf", b"")
    if not utf8 or bytes(utf8).isspace():  # a byte-order mark and nothing else
        return None, empty, notices
    spec = TABLES[name]
    end = bytes(utf8[:65536]).find(b"\n")
    first = bytes(utf8[:end if end >= 0 else 65536]).decode("utf-8", "replace").rstrip("\r")
    found = _delimiter_problem(first, spec, origin)
    if found is not None:
        return None, [found], notices
    try:
        frame = _read_text_csv(utf8, spec)
    except pa.ArrowInvalid:
        return None, _ragged_rows(bytes(utf8).decode("utf-8"), origin), notices
    problems: list[Problem] = []
    named = [str(c).strip() != "" for c in frame.columns]
    for unnamed in np.flatnonzero(~np.array(named, dtype=bool)).tolist():
        filled = np.flatnonzero((frame.iloc[:, unnamed] != "").to_numpy())
        if len(filled):
            problems.append(Problem(origin.file, None, int(filled[0]) + 2, None, "no_header",
                                    str(frame.iloc[int(filled[0]), unnamed]),
                                    _("data in column {column}, which has no header",
                                      column=column_letter(unnamed)),
                                    _("give the column a header, or delete the data")))
    frame = frame.loc[:, named]
    keys = [header_key(str(c), spec) or str(c) for c in frame.columns]
    seen: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k in seen:
            problems.append(Problem(origin.file, None, 1, k, "duplicate_column",
                                    str(frame.columns[i]),
                                    _("column {column} appears twice", column=quoted(k)),
                                    _("delete or rename one of the two columns")))
        seen.setdefault(k, i)
    heads = [str(c) for c in frame.columns]
    frame.columns = pd.Index(keys)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    rows = np.arange(2, len(frame) + 2)
    blank = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        blank &= (frame[c] == "").to_numpy()
    if len(frame.columns) >= 2:  # the header row again: two files joined together
        again = np.ones(len(frame), dtype=bool)
        for c, h in zip(frame.columns[:2], heads[:2], strict=False):
            again &= (frame[c] == h.strip()).to_numpy()
        for at in np.flatnonzero(again)[:MAX_LISTED]:
            problems.append(Problem(origin.file, None, int(rows[at]), None, "repeated_header",
                                    heads[0], _("this row repeats the header row (two files "
                                                "joined together?)"), _("delete the row")))
        blank |= again
    problems += _runaway_quote(frame, rows, origin, spec)
    if blank.any():
        frame = frame[~blank].reset_index(drop=True)
    return RawTable(name, frame, rows[~blank], origin), problems, notices


def read_settings(path: Path, origin: Origin) -> tuple[Settings, list[Problem]]:
    """``settings.toml``; a missing file means the defaults. UTF-8, with or without a
    byte-order mark (TOML is UTF-8: another encoding is named and refused).

    With problems, the settings returned are the defaults but for a valid ``language`` (the
    problems are then shown in it)."""
    if not present(path):
        return Settings(), []
    save = _("save it as UTF-8 (Notepad: Save As → Encoding UTF-8)")
    try:
        decoded = decode(read_input(path, origin.file), origin.file, fix=save)
    except InputError as exc:
        return Settings(), exc.problems
    if decoded.encoding != "UTF-8":
        return Settings(), [Problem(origin.file, None, None, None, "encoding", "",
                                    _("{encoding} text; a TOML file is UTF-8",
                                      encoding=decoded.encoding), save)]
    try:
        data = tomllib.loads(decoded.text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        return Settings(), [Problem(origin.file, None, int(at.group(1)) if at else None, None,
                                    "bad_settings", "", str(exc), _("fix the TOML syntax"))]
    try:
        return Settings(**data), []
    except ValidationError as exc:
        return Settings(language=stated_language(data)), settings_problems(exc, origin)


def settings_problems(exc: ValidationError, origin: Origin) -> list[Problem]:
    """One problem per invalid settings key."""
    out = []
    for e in exc.errors():
        key = ".".join(str(x) for x in e["loc"])
        allowed = ", ".join(Settings.model_fields)
        out.append(Problem(origin.file, origin.sheet, None, key, "bad_setting",
                           str(e.get("input", ""))[:80], setting_message(e),
                           _("correct {key} (settings keys: {allowed})", key=quoted(key),
                             allowed=allowed)))
    return out


def read_folder(path: Path) -> tuple[dict[str, RawTable], Settings, Origin | None, list[Path],
                                     list[Problem], list[Notice]]:
    """The raw tables, settings (and the origin of settings.toml, None without one), file list,
    problems and notices of an inventory folder."""
    problems: list[Problem] = []
    notices: list[Notice] = []
    tables: dict[str, RawTable] = {}
    files: list[Path] = []
    folder = path.resolve().name  # the folder's own name, also when given as "."
    for name, spec in TABLES.items():
        file = path / f"{name}.csv"
        origin = Origin(f"{folder}/{file.name}")
        if not present(file):
            if spec.required:
                problems.append(Problem(origin.file, None, None, None, "missing_file", "",
                                        _("the inventory has no {file}", file=file.name),
                                        _("add {file} with the columns {columns}", file=file.name,
                                          columns=", ".join(spec.keys))))
            continue
        files.append(file)
        table, found, noted = read_csv_table(file, name, origin)
        problems += found
        notices += noted
        if table is not None:
            tables[name] = table
    settings_file = path / SETTINGS_FILE
    origin = Origin(f"{folder}/{SETTINGS_FILE}")
    settings, found = read_settings(settings_file, origin)
    problems += found
    if not present(settings_file):
        return tables, settings, None, files, problems, notices
    files.append(settings_file)
    return tables, settings, origin, files, problems, notices
