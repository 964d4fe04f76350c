"""A table as read from a file, before validation: every cell as text, every row numbered."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.errors import Problem
from carbon.model import Origin

#: At most this many problems are listed per column and kind of problem; the rest are counted.
MAX_LISTED = 200
#: Excel's limit on the text of one cell; a longer cell is refused in a CSV file too. [characters]
MAX_CELL_CHARS = 32_767


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

    def report(self, mask: np.ndarray, column: str | None, code: str, message: str, fix: str,
               values: pd.Series | None = None) -> None:
        """Add one problem per row where ``mask`` is true (at most MAX_LISTED, then a count)."""
        where = np.flatnonzero(mask)
        if not len(where):
            return
        if values is None:
            values = self.frame[column] if column in self.frame else pd.Series([""] * len(mask))
        shown = where[:MAX_LISTED]
        vals = values.iloc[shown].tolist() if len(values) == len(mask) else [""] * len(shown)
        for pos, val in zip(shown, vals, strict=True):
            self.problems.append(self.problem(int(self.rows[pos]), column, code, str(val),
                                              message, fix))
        if len(where) > MAX_LISTED:
            rest = len(where) - MAX_LISTED
            self.problems.append(self.problem(
                int(self.rows[where[MAX_LISTED]]), column, code, "",
                f"and {rest} more rows with the same problem (first listed here)", fix))

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
                            f"more than {MAX_CELL_CHARS:,} characters, beyond what a spreadsheet "
                            "cell holds", "shorten the text, or delete what was pasted by mistake",
                            values=shown)
                dropped |= long
        if dropped.any():
            self.frame = self.frame[~dropped].reset_index(drop=True)
            self.rows = self.rows[~dropped]

    def problem(self, row: int | None, column: str | None, code: str, value: str, message: str,
                fix: str) -> Problem:
        cell = None
        if self.letters is not None and column in self.letters and row is not None:
            cell = f"{self.letters[column]}{row}"
        return Problem(self.origin.file, self.origin.sheet, row, column, code, value, message,
                       fix, cell)
