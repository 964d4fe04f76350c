"""Reading inventories: a folder of CSV files (and, by issue 3, a workbook)."""

from __future__ import annotations

from pathlib import Path

from carbon.errors import InputError, Problem
from carbon.factors import FactorSet
from carbon.io.csvdir import read_folder
from carbon.io.inventory import build_inventory
from carbon.model import Inventory


def instruments(sets: dict[str, FactorSet], market_set: str) -> list[str]:
    """Instrument names: the regions of the market set's electricity emission rows."""
    fs = sets.get(market_set)
    return fs.regions("emission", "electricity") if fs else []


def read_inventory(path: Path, sets: dict[str, FactorSet]) -> Inventory:
    """Read and validate an inventory.

    Raises
    ------
    InputError
        With every problem found in every file.
    """
    if path.is_dir():
        tables, settings, files, problems = read_folder(path)
    else:
        raise InputError([Problem(str(path), None, None, None, "not_an_inventory", "",
                                  "not a folder of CSV files",
                                  "pass the folder that holds entities.csv and activity.csv")])
    if not {"entities", "activity"} <= set(tables):
        raise InputError(problems)
    return build_inventory(path, tables, settings, files, problems,
                           instruments(sets, settings.factor_sets.market))
