"""Reading inventories: a folder of CSV files or a workbook (.xlsx)."""

from __future__ import annotations

from pathlib import Path

from carbon.errors import InputError, Problem
from carbon.factors import FactorSet
from carbon.io.csvdir import read_folder
from carbon.io.inventory import build_inventory
from carbon.io.source import check_readable
from carbon.io.xlsx import OWNING, read_workbook
from carbon.model import Inventory


def instruments(sets: dict[str, FactorSet], market_set: str) -> list[str]:
    """Instrument names: the regions of the market set's electricity emission rows."""
    fs = sets.get(market_set)
    return fs.regions("emission", "electricity") if fs else []


def read_inventory(path: Path, sets: dict[str, FactorSet]) -> Inventory:
    """Read and validate an inventory: a folder of CSV files, or a workbook.

    Raises
    ------
    InputError
        With every problem found in every file (or sheet).
    """
    if path.is_dir():
        tables, settings, files, problems, notices = read_folder(path)
        if not {"entities", "activity"} <= set(tables):
            raise InputError(problems)
        return build_inventory(path, tables, settings, files, problems,
                               instruments(sets, settings.factor_sets.market), notices=notices)
    check_readable(path, path.name)
    if path.suffix.lower() == ".csv":
        raise InputError([Problem(path.name, None, None, None, "not_an_inventory", "",
                                  "a single CSV file is not an inventory",
                                  "pass the folder that holds entities.csv and activity.csv, or "
                                  "a workbook (carbon template writes one)")])
    read = read_workbook(path)
    if read.problems and not {"entities", "activity"} <= set(read.tables):
        raise InputError(read.problems)
    try:
        return build_inventory(path, read.tables, read.settings, [path], read.problems,
                               instruments(sets, read.settings.factor_sets.market),
                               notices=read.notices)
    except InputError as exc:
        # a cell already reported as a formula without result, a merged cell or a spreadsheet
        # error is reported once, not again as blank or unparsable
        raise InputError([p for p in exc.listed
                          if p.code in OWNING or (p.sheet, p.cell) not in read.owned]) from None
