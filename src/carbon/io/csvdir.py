"""Read an inventory from a folder of CSV files (``entities.csv``, ``activity.csv`` …)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pydantic import ValidationError

from carbon.errors import Problem
from carbon.io.tables import RawTable
from carbon.model import Origin, Settings
from carbon.schema import TABLES, TableSpec, header_key

SETTINGS_FILE = "settings.toml"


def _read_text_csv(path: Path, encoding: str, spec: TableSpec) -> pd.DataFrame:
    """Every cell as text ("" when empty), blank lines kept so row numbers stay true.

    Cells are trimmed; columns with few distinct values (ids, sources, units, dates) arrive
    dictionary-encoded (categorical), so their distinct texts are validated and parsed once.
    """
    with pacsv.open_csv(path, read_options=pacsv.ReadOptions(encoding=encoding)) as head:
        names = head.schema.names
    repetitive = {n for n in names if header_key(n, spec) in
                  {c.key for c in spec.columns if c.repetitive}}
    coded = pa.dictionary(pa.int32(), pa.string())
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: coded if n in repetitive else pa.string() for n in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
            null_values=[]),
    )
    columns = [_trim_coded(col) if name in repetitive else pc.utf8_trim_whitespace(col)
               for name, col in zip(names, table.columns, strict=True)]
    return pa.table(columns, names=names).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


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


def read_csv_table(path: Path, name: str, origin: Origin) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV file as text cells; blank lines are skipped but keep their numbers."""
    problems: list[Problem] = []
    if not path.read_bytes()[:4096].strip():
        problems.append(Problem(origin.file, None, 1, None, "empty_file", "",
                                "the file is empty", "write the header row and the data"))
        return None, problems
    frame = None
    spec = TABLES[name]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = _read_text_csv(path, "utf8" if encoding == "utf-8-sig" else encoding, spec)
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if "UTF8" in str(exc) or "utf-8" in str(exc).lower() or isinstance(
                    exc, UnicodeDecodeError):
                continue
            problems.append(Problem(origin.file, None, None, None, "unreadable", "",
                                    f"not a readable CSV file ({exc})",
                                    "save it as CSV (UTF-8) from your spreadsheet"))
            return None, problems
    if frame is None:
        problems.append(Problem(origin.file, None, None, None, "encoding", "",
                                "neither UTF-8 nor GB18030 text",
                                "save it as CSV (UTF-8) from your spreadsheet"))
        return None, problems
    frame.columns = pd.Index([str(c).lstrip("\ufeff") for c in frame.columns])
    keys = [header_key(str(c), spec) or str(c) for c in frame.columns]
    seen: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k in seen:
            problems.append(Problem(origin.file, None, 1, k, "duplicate_column", str(frame.columns[i]),
                                    f"column {k!r} appears twice",
                                    "delete or rename one of the two columns"))
        seen.setdefault(k, i)
    frame.columns = pd.Index(keys)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    rows = np.arange(2, len(frame) + 2)
    blank = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        blank &= (frame[c] == "").to_numpy()
    if blank.any():
        frame = frame[~blank].reset_index(drop=True)
    return RawTable(name, frame, rows[~blank], origin), problems


def read_settings(path: Path, origin: Origin) -> tuple[Settings, list[Problem]]:
    """``settings.toml``; a missing file means the defaults."""
    if not path.is_file():
        return Settings(), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Settings(**data), []
    except tomllib.TOMLDecodeError as exc:
        return Settings(), [Problem(origin.file, None, None, None, "bad_settings", "", str(exc),
                                    "fix the TOML syntax")]
    except ValidationError as exc:
        return Settings(), settings_problems(exc, origin)


def settings_problems(exc: ValidationError, origin: Origin) -> list[Problem]:
    """One problem per invalid settings key."""
    out = []
    for e in exc.errors():
        key = ".".join(str(x) for x in e["loc"])
        allowed = ", ".join(Settings.model_fields)
        out.append(Problem(origin.file, origin.sheet, None, key, "bad_setting",
                           str(e.get("input", ""))[:80], e["msg"],
                           f"correct {key!r} (settings keys: {allowed})"))
    return out


def read_folder(path: Path) -> tuple[dict[str, RawTable], Settings, list[Path], list[Problem]]:
    """The raw tables, settings and file list of an inventory folder."""
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    files: list[Path] = []
    folder = path.resolve().name  # the folder's own name, also when given as "."
    for name, spec in TABLES.items():
        file = path / f"{name}.csv"
        origin = Origin(f"{folder}/{file.name}")
        if not file.is_file():
            if spec.required:
                problems.append(Problem(origin.file, None, None, None, "missing_file", "",
                                        f"the inventory has no {file.name}",
                                        f"add {file.name} with the columns {', '.join(spec.keys)}"))
            continue
        files.append(file)
        table, found = read_csv_table(file, name, origin)
        problems += found
        if table is not None:
            tables[name] = table
    settings_file = path / SETTINGS_FILE
    settings, found = read_settings(settings_file, Origin(f"{folder}/{SETTINGS_FILE}"))
    problems += found
    if settings_file.is_file():
        files.append(settings_file)
    return tables, settings, files, problems
