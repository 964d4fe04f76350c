"""A table as read from a file, before validation: every cell as text, every row numbered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.errors import Problem
from carbon.i18n import _
from carbon.model import Origin

#: At most this many problems are listed per column and kind of problem; the rest are counted.
MAX_LISTED = 200
#: Excel's limit on the text of one cell; a longer cell is refused in a CSV file too. [characters]
MAX_CELL_CHARS = 32_767
#: Problems that stand for a cell (a workbook's formula without a result, merged cells, a
#: spreadsheet error): other problems on the same cell are left out of the report.
OWNING = frozenset({"formula_without_value", "merged_cells", "excel_error"})


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    """0-based column index of a spreadsheet column letter (A -> 0, AA -> 26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class RawTable:
    """Cells as text, trimmed (missing = ""), columns renamed to their canonical keys.

    ``rows`` holds each row's number as the user sees it (header = row 1). ``letters`` maps a
    column key to its spreadsheet letter when the table comes from a workbook.
    """

    name: str
    frame: pd.DataFrame
    rows: np.ndarray
    origin: Origin
    letters: dict[str, str] | None = None
    problems: list[Problem] = field(default_factory=list)
    #: For a table stacked from several inputs' tables (:func:`stack`): each input's origin and
    #: column letters; ``rows`` then holds ``input << 32 | row`` (:func:`split_rows`).
    stacked: list[tuple[Origin, dict[str, str] | None]] | None = None

    def report(self, mask: np.ndarray, column: str | None, code: str, message: str, fix: str,
               values: pd.Series | None = None) -> None:
        """Add one problem per row where ``mask`` is true (at most MAX_LISTED per input, then a
        count)."""
        where = np.flatnonzero(mask)
        if not len(where):
            return
        if values is None:
            values = self.frame[column] if column in self.frame else pd.Series([""] * len(mask))
        groups = ([where] if self.stacked is None else
                  [where[self.rows[where] >> ROW_BITS == i] for i in range(len(self.stacked))])
        for mine in groups:
            if not len(mine):
                continue
            shown = mine[:MAX_LISTED]
            vals = values.iloc[shown].tolist() if len(values) == len(mask) else [""] * len(shown)
            for pos, val in zip(shown, vals, strict=True):
                self.problems.append(self.problem(int(self.rows[pos]), column, code, str(val),
                                                  message, fix))
            if len(mine) > MAX_LISTED:
                rest = len(mine) - MAX_LISTED
                self.problems.append(self.problem(
                    int(self.rows[mine[MAX_LISTED]]), column, code, "", more_rows(rest), fix))

    def check_lengths(self) -> None:
        """Report every cell longer than :data:`MAX_CELL_CHARS` (no spreadsheet cell holds more:
        the text is pasted by mistake or the file is damaged); their rows are not checked
        further (the run fails on these problems anyway)."""
        dropped = np.zeros(len(self.frame), dtype=bool)
        for key in self.frame.columns:
            col = self.frame[key]
            if isinstance(col.dtype, pd.CategoricalDtype):
                lengths = pd.Series(col.cat.categories.astype(str)).str.len().to_numpy()
                long = np.append(lengths > MAX_CELL_CHARS, False)[col.cat.codes.to_numpy()]
            else:
                long = (col.astype("string").str.len() > MAX_CELL_CHARS).fillna(False).to_numpy(
                    dtype=bool)
            if long.any():
                shown = pd.Series(np.where(long, col.astype(str).str.slice(0, 40) + "…", ""))
                self.report(long, str(key), "cell_too_long",
                            _("more than {n} characters, beyond what a spreadsheet cell holds",
                              n=f"{MAX_CELL_CHARS:,}"),
                            _("shorten the text, or delete what was pasted by mistake"),
                            values=shown)
                dropped |= long
        if dropped.any():
            self.frame = self.frame[~dropped].reset_index(drop=True)
            self.rows = self.rows[~dropped]

    def problem(self, row: int | None, column: str | None, code: str, value: str, message: str,
                fix: str) -> Problem:
        origin, letters = self.origin, self.letters
        if self.stacked is not None and row is not None:
            origin, letters = self.stacked[row >> ROW_BITS]
            row &= (1 << ROW_BITS) - 1
        cell = None
        if letters is not None and column in letters and row is not None:
            cell = f"{letters[column]}{row}"
        return Problem(origin.file, origin.sheet, row, column, code, value, message, fix, cell)


def more_rows(n: int) -> str:
    """The line that counts the rows of one problem not listed one by one."""
    return _("and {n} more rows with the same problem (first listed here)", n=n)


#: Bits of a stacked table's row number that hold the row within its input.
ROW_BITS = 32


def stack(tables: list[RawTable], columns: Sequence[str] = ()) -> RawTable:
    """The tables of one name from several inputs as one table, validated in one pass: the
    rows one after the other (a column one input lacks is blank there, and so are ``columns``
    none has), each numbered ``input << 32 | row`` — its problems still name its own input,
    sheet, row and cell, and :func:`split_rows` gives the input and row of each validated
    row."""
    from pandas.api.types import union_categoricals

    columns = list(dict.fromkeys([*(c for t in tables for c in t.frame.columns), *columns]))
    cols: dict[str, object] = {}
    total = sum(len(t.frame) for t in tables)
    for c in columns:
        if not any(c in t.frame for t in tables):  # blank everywhere
            cols[c] = pd.Categorical.from_codes(np.zeros(total, dtype=np.int8),
                                                categories=pd.Index([""]))
            continue
        parts = [t.frame[c] if c in t.frame else pd.Series(pd.Categorical.from_codes(
            np.zeros(len(t.frame), dtype=np.int8), categories=pd.Index([""])))
            for t in tables]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            try:
                cols[c] = union_categoricals(parts, ignore_order=True)
            except TypeError:  # categories of another dtype (an empty table's): as text
                cols[c] = union_categoricals([p.astype(str).astype("category") for p in parts],
                                             ignore_order=True)
        else:
            cols[c] = pd.concat([p.astype(str) if isinstance(p.dtype, pd.CategoricalDtype)
                                 else p for p in parts], ignore_index=True)
    rows = np.concatenate([(np.int64(i) << ROW_BITS) | t.rows.astype(np.int64)
                           for i, t in enumerate(tables)])
    return RawTable(tables[0].name, pd.DataFrame(cols, index=pd.RangeIndex(len(rows))), rows,
                    tables[0].origin, tables[0].letters,
                    stacked=[(t.origin, t.letters) for t in tables])


def split_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The input and the row of each row number of a stacked table (:func:`stack`)."""
    rows = np.asarray(rows, dtype=np.int64)
    return rows >> ROW_BITS, rows & ((1 << ROW_BITS) - 1)
