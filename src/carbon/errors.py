"""Errors carbon raises, each keeping structured fields and building its message in ``__str__``.

Input problems are collected, never raised one at a time: a reader or the engine gathers every
:class:`Problem` of an inventory and raises one :class:`InputError` holding them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon.i18n import Joined, Msg, Words, _, quoted, tr


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
    def place(self) -> Joined:
        """Where the problem is, to be put into words in any language: ``inv.xlsx,
        activity!E14``; ``inv/activity.csv, row 3, column unit`` (``文件 inv/activity.csv，第 3
        行，列 unit``)."""
        file = Words(self.file, f"文件 {self.file}", f"檔案 {self.file}")
        if self.sheet and self.cell:
            return Joined([file, f"{self.sheet}!{self.cell}"], ", ", "，")
        parts: list[object] = [file]
        if self.sheet:
            parts.append(_("sheet {sheet}", sheet=self.sheet))
        if self.row is not None:
            parts.append(_("row {row}", row=self.row))
        if self.column:
            parts.append(_("column {column}", column=self.column))
        return Joined(parts, ", ", "，")

    @property
    def where(self) -> str:
        """:attr:`place` in the current language."""
        return tr(self.place)

    def words(self) -> Msg:
        """The whole problem as one line, to be put into words in any language."""
        if self.value != "":
            return _("{where}: {value}: {message}. Fix: {fix} [{code}]", where=self.place,
                     value=quoted(self.value), message=self.message, fix=self.fix,
                     code=self.code)
        return _("{where}: {message}. Fix: {fix} [{code}]", where=self.place,
                 message=self.message, fix=self.fix, code=self.code)

    def __str__(self) -> str:
        return tr(self.words())


#: pydantic's messages for a bad setting, by error type, with their parameters (``ctx``): the
#: same English, put into words in each language.
_SETTING_ERRORS = {
    "literal_error": _("Input should be {expected}"),
    "extra_forbidden": _("Extra inputs are not permitted"),
    "missing": _("Field required"),
    "int_parsing": _("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": _("Input should be a valid integer, got a number with a fractional part"),
    "int_type": _("Input should be a valid integer"),
    "float_parsing": _("Input should be a valid number, unable to parse string as a number"),
    "float_type": _("Input should be a valid number"),
    "greater_than_equal": _("Input should be greater than or equal to {ge}"),
    "greater_than": _("Input should be greater than {gt}"),
    "less_than_equal": _("Input should be less than or equal to {le}"),
    "finite_number": _("Input should be a finite number"),
    "list_type": _("Input should be a valid list"),
    "string_type": _("Input should be a valid string"),
    "dict_type": _("Input should be a valid dictionary"),
    "value_error": _("Value error, {error}"),
}


def setting_message(error: Mapping[str, Any]) -> str:
    """What is wrong with one setting (an item of pydantic's ``ValidationError.errors()``), as a
    message in any language; pydantic's own text where carbon has no words for it."""
    known = _SETTING_ERRORS.get(error.get("type", ""))
    if known is None:
        return str(error["msg"])
    ctx = {k: (v.args[0] if isinstance(v, Exception) and v.args else v)
           for k, v in (error.get("ctx") or {}).items()}
    if isinstance(ctx.get("expected"), str):  # 'a', 'b' or 'c': a list in Chinese
        listed = ctx["expected"].replace("' or '", "'、'").replace("', '", "'、'")
        ctx["expected"] = Words(ctx["expected"], listed, listed)
    try:
        msg = Msg(known.msgid, **{k: ctx[k] for k in known_fields(known.msgid)})
    except KeyError:
        return str(error["msg"])
    return msg if str(msg) == error["msg"] else str(error["msg"])


def known_fields(msgid: str) -> list[str]:
    """The placeholders of a message id."""
    import string

    return [f for _text, f, _spec, _conv in string.Formatter().parse(msgid) if f]


def _order(p: Problem) -> tuple[object, ...]:
    """Sort key: by file, sheet, row, column (a problem without row or column first)."""
    return (p.file, p.sheet or "", -1 if p.row is None else p.row, p.column or "", p.code, p.value,
            p.message)


def _told_once(problems: set[Problem]) -> set[Problem]:
    """Without what a cell's text is not, where a quote left open ran other text into the cell
    (``open_quote``): the quote is the problem, and the fix."""
    quoted = {(p.file, p.sheet, p.row, p.column) for p in problems if p.code == "open_quote"}
    if not quoted:
        return problems
    return {p for p in problems
            if p.code == "open_quote" or (p.file, p.sheet, p.row, p.column) not in quoted}


class CarbonError(Exception):
    """Base of every error carbon raises on purpose."""


class InputError(CarbonError, ValueError):
    """The inventory (or a factor set) cannot be used as it is: one report of every problem."""

    def __init__(self, problems: Iterable[Problem], language: str | None = None):
        self.problems: list[Problem] = sorted(_told_once(set(problems)), key=_order)
        #: The problems as a list, whatever ``problems`` is (the library's error gives a frame).
        self.listed: list[Problem] = self.problems
        #: A line shown after the problems (e.g. why the --errors file could not be written).
        self.note: str | None = None
        #: The files the problems were also written to (``--errors``), named on the console.
        self.written: list[Any] = []
        #: The inventory's own language (its settings' ``language``, else the language of the
        #: template it was filled in), when the reader could tell: the problems are shown in it
        #: unless the command line asks for another (DESIGN.md, contract 2).
        self.language = language
        super().__init__(len(self.problems))

    def __str__(self) -> str:
        return "\n".join([tr(problems_head(len(self.listed))),
                          *(f"  {p}" for p in self.listed)])


def problems_head(n: int, listed: bool = False) -> Msg:
    """``3 problems in the input; nothing was written.`` (``listed``: the problems were written
    to a file of their own, ``--errors``, which the next line names: no report was written.)"""
    if listed:
        if n == 1:
            return _("1 problem in the input; no report was written.")
        return _("{n} problems in the input; no report was written.", n=f"{n:,}")
    if n == 1:
        return _("1 problem in the input; nothing was written.")
    return _("{n} problems in the input; nothing was written.", n=f"{n:,}")


class FactorSetError(CarbonError, ValueError):
    """A bundled or user factor set does not load (bad metadata, row, unit or duplicate)."""

    def __init__(self, path: str, problems: Sequence[str]):
        self.path = path
        self.problems = list(problems)
        super().__init__(path)

    def __str__(self) -> str:
        return "\n".join([tr(_("factor set {path} does not load:", path=self.path)),
                          *(f"  {tr(p)}" for p in self.problems)])


class FactorNotFoundError(CarbonError, LookupError):
    """A factor was asked for that no loaded set provides."""

    def __init__(self, asked: str, available: Sequence[str]):
        self.asked = asked
        self.available = list(available)
        super().__init__(asked)

    def __str__(self) -> str:
        shown = Joined(self.available) if self.available else _("none")
        return tr(_("no factor set {asked}; available: {shown}", asked=quoted(self.asked),
                    shown=shown))


class UsageError(CarbonError, ValueError):
    """The command line asks for something that cannot be done (exit code 2).

    Raised with a message (:func:`carbon.i18n._`): it is shown in the run's language."""

    def __str__(self) -> str:
        return tr(self.args[0]) if len(self.args) == 1 else super().__str__()


class YearsWithoutData(UsageError):
    """Years asked for (``--year``) in which the inventory has no activity: ``years``, and
    ``have``, the years it has."""

    def __init__(self, message: object, years: Sequence[int], have: Sequence[int]):
        super().__init__(message)
        self.years, self.have = list(years), list(have)
