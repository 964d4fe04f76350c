"""Errors carbon raises, each keeping structured fields and building its message in ``__str__``.

Input problems are collected, never raised one at a time: a reader or the engine gathers every
:class:`Problem` of an inventory and raises one :class:`InputError` holding them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as the user sees it.

    ``row`` counts like a spreadsheet: the header is row 1, the first data row is row 2. ``cell`` is
    the spreadsheet reference (``E14``) when the input is a workbook.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    code: str
    value: str
    message: str
    fix: str
    cell: str | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.file}, {self.sheet}!{self.cell}"
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        shown = f" {self.value!r}:" if self.value != "" else ""
        return f"{self.where}:{shown} {self.message}. Fix: {self.fix} [{self.code}]"


def _order(p: Problem) -> tuple[object, ...]:
    """Sort key: by file, sheet, row, column (a problem without row or column first)."""
    return (p.file, p.sheet or "", -1 if p.row is None else p.row, p.column or "", p.code, p.value,
            p.message)


class CarbonError(Exception):
    """Base of every error carbon raises on purpose."""


class InputError(CarbonError, ValueError):
    """The inventory (or a factor set) cannot be used as it is: one report of every problem."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(set(problems), key=_order)
        #: The problems as a list, whatever ``problems`` is (the library's error gives a frame).
        self.listed: list[Problem] = self.problems
        #: A line shown after the problems (e.g. why the --errors file could not be written).
        self.note: str | None = None
        super().__init__(len(self.problems))

    def __str__(self) -> str:
        n = len(self.listed)
        head = f"{n} problem{'s' if n != 1 else ''} in the input; nothing was written."
        return "\n".join([head, *(f"  {p}" for p in self.listed)])


class FactorSetError(CarbonError, ValueError):
    """A bundled or user factor set does not load (bad metadata, row, unit or duplicate)."""

    def __init__(self, path: str, problems: Sequence[str]):
        self.path = path
        self.problems = list(problems)
        super().__init__(path)

    def __str__(self) -> str:
        return f"factor set {self.path} does not load:\n" + "\n".join(f"  {p}" for p in self.problems)


class FactorNotFoundError(CarbonError, LookupError):
    """A factor was asked for that no loaded set provides."""

    def __init__(self, asked: str, available: Sequence[str]):
        self.asked = asked
        self.available = list(available)
        super().__init__(asked)

    def __str__(self) -> str:
        shown = ", ".join(self.available) if self.available else "none"
        return f"no factor set {self.asked!r}; available: {shown}"


class UsageError(CarbonError, ValueError):
    """The command line asks for something that cannot be done (exit code 2)."""
