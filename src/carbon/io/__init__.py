"""Reading inventories: a folder of CSV files or a workbook (.xlsx); several at once, the head
office's first (:mod:`carbon.io.collect`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from carbon.errors import InputError, Problem
from carbon.factors import FactorSet
from carbon.i18n import Joined, _, quoted
from carbon.io.csvdir import read_folder
from carbon.io.inventory import build_inventory, origins_of
from carbon.io.source import check_readable
from carbon.io.tables import OWNING, RawTable
from carbon.model import Inventory, Notice, Origin, Settings


def instruments(sets: dict[str, FactorSet], market_set: str) -> list[str] | None:
    """Instrument names: the regions of the market set's electricity emission rows (None when
    no set has that id: :func:`pin_problems` says so)."""
    fs = sets.get(market_set)
    return fs.regions("emission", "electricity") if fs else None


def pin_problems(raw: RawInput, sets: dict[str, FactorSet]) -> list[Problem]:
    """A problem for each factor set an input's settings name (``factor_sets``) that is neither
    bundled nor among the user's own (``--factors``), at its key (a settings sheet: its cell)."""
    import difflib

    pins = raw.settings.factor_sets
    named = [(key, value) for key in ("energy", "fuel", "density", "market", "combustion")
             if isinstance(value := getattr(pins, key), str)]
    # those that may name no set: blank is none (unit_mass = "": no mass per ream assumed)
    named += [(key, value) for key in ("grid", "unit_mass") if (value := getattr(pins, key))]
    named += [(f"grid_by_year.{y}", v) for y, v in pins.grid_by_year.items()]
    named += [(f"air.{i}", v) for i, v in enumerate(pins.air)]
    where = raw.settings_origin or Origin("settings.toml")
    out = []
    for key, value in named:
        if value in sets:
            continue
        close = difflib.get_close_matches(value, list(sets), n=3, cutoff=0.5)
        row = raw.settings_rows.get(f"factor_sets.{key.split('.')[0]}" if key.startswith("air.")
                                    else f"factor_sets.{key}")
        out.append(Problem(
            where.file, where.sheet, row, f"factor_sets.{key}", "unknown_factor_set", value,
            _("no factor set has the id {id}", id=quoted(value)),
            _("use the id of a set that carbon factors list shows{hint}, or of your own set "
              "(--factors); or delete the key for the default",
              hint=_(" (did you mean {ids}?)", ids=Joined(close)) if close else ""),
            f"B{row}" if row and where.sheet else None))
    return out


@dataclass
class RawInput:
    """One input as read, before validation: its raw tables, settings, files, the problems and
    warnings of reading it, and (for a workbook) the cells a workbook-level problem already
    stands for (a formula without result, a merged cell, a spreadsheet error)."""

    path: Path
    tables: dict[str, RawTable] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    owned: set[tuple[str, str]] = field(default_factory=set)
    #: The language of the template a workbook was made from (None: a folder, or unknown).
    template_language: str | None = None
    #: Where the settings were read from (settings.toml, a settings sheet; None: none given).
    settings_origin: Origin | None = None
    #: A settings sheet's row of each key it gives (``factor_sets.grid`` → 12).
    settings_rows: dict[str, int] = field(default_factory=dict)

    @property
    def origins(self) -> dict[str, Origin]:
        """Where each table and the settings came from (:func:`origins_of`)."""
        return origins_of(self.tables, self.settings_origin)

    @property
    def language(self) -> str | None:
        """The input's own language: its settings' ``language``, else its template's."""
        return self.settings.language or self.template_language

    @property
    def complete(self) -> bool:
        """Whether it has the two tables an inventory needs (entities and activity)."""
        return {"entities", "activity"} <= set(self.tables)

    def unowned(self, problems: list[Problem]) -> list[Problem]:
        """``problems`` without those on a cell already reported as a formula without result,
        a merged cell or a spreadsheet error (reported once, not again as blank or
        unparsable)."""
        if not self.owned:
            return problems
        return [p for p in problems if p.code in OWNING or (p.sheet, p.cell) not in self.owned]


def read_raw(path: Path) -> RawInput:
    """Read one input's tables as text, with every problem found so far (nothing raises)."""
    if path.is_dir():
        tables, settings, origin, files, problems, notices = read_folder(path)
        return RawInput(path, tables, settings, files, problems, notices, settings_origin=origin)
    try:
        check_readable(path, path.name)
    except InputError as exc:
        return RawInput(path, problems=exc.listed)
    if path.suffix.lower() == ".csv":
        return RawInput(path, problems=[Problem(
            path.name, None, None, None, "not_an_inventory", "",
            _("a single CSV file is not an inventory"),
            _("pass the folder that holds entities.csv and activity.csv, or a workbook (carbon "
              "template writes one)"))])
    from carbon.io.xlsx import read_workbook  # its XML parsers only when a workbook is read

    read = read_workbook(path)
    return RawInput(path, read.tables, read.settings, [path], read.problems, read.notices,
                    read.owned, read.language, read.settings_origin, read.settings_rows)


def read_inventory(path: Path, sets: dict[str, FactorSet]) -> Inventory:
    """Read and validate an inventory: a folder of CSV files, or a workbook.

    Raises
    ------
    InputError
        With every problem found in every file (or sheet), and the inventory's language when
        the settings (or the template) tell it.
    """
    raw = read_raw(path)
    raw.problems += pin_problems(raw, sets)
    if not raw.complete:
        raise InputError(raw.problems, raw.language)
    try:
        return build_inventory(path, raw.tables, raw.settings, raw.files, raw.problems,
                               instruments(sets, raw.settings.factor_sets.market),
                               notices=raw.notices, template_language=raw.template_language,
                               settings_origin=raw.settings_origin)
    except InputError as exc:
        raise InputError(raw.unowned(exc.listed), raw.language) from None


def read_inventories(paths: Sequence[Path], sets: dict[str, FactorSet], *,
                     pending: bool = False) -> Inventory:
    """Read one inventory from several inputs: the head office's first, then the branches'
    (folders of workbooks expanded). One input without ``pending`` reads as
    :func:`read_inventory` does.

    ``pending``: activity rows whose quantity is blank are kept aside in ``Inventory.pending``
    (not yet filled in, for ``carbon status``) instead of being problems.

    Raises
    ------
    carbon.errors.UsageError
        The inputs cannot be told apart, one is given twice, or the first is not one inventory.
    InputError
        With every problem of every input.
    """
    from carbon.io.collect import collect, expand

    inputs = expand(paths)
    if len(inputs) == 1 and not pending:
        return read_inventory(inputs[0], sets)
    return collect(inputs, sets, pending=pending)
