"""The small models the layers pass between them: settings, an inventory, a ledger, a warning."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from carbon.i18n import LANGS, _, language_named

GridLevel = Literal["national", "regional", "provincial"]
GRID_LEVELS: tuple[str, ...] = ("national", "regional", "provincial")


class FactorPins(BaseModel):
    """Which factor set supplies what. ``grid`` pins one electricity set for every year; without
    it the vintage rule picks, per year, from ``grid_family``."""

    model_config = ConfigDict(extra="forbid")

    energy: str = "gbt2589-2020"
    fuel: str = "ndrc-public-building-2015"
    density: str = "fuel-density-gb"
    market: str = "ghg-protocol-scope2-2015"
    combustion: str = "ipcc-2006-combustion"
    grid: str | None = None
    grid_family: str = "mee-grid"
    grid_by_year: dict[int, str] = {}
    #: Masses per counted unit that are facts of arithmetic (a ream of A4 at 80 g/m²), used where
    #: the inventory gives none of its own; None = none.
    unit_mass: str | None = "iso216-a4-80gsm"
    #: Air-pollutant factor sets for fuel rows, first match first (none by default: NOx, SOx,
    #: PM and CO come from measured masses and the inventory's own factors unless a set is named).
    air: list[str] = []

    @field_validator("air", mode="before")
    @classmethod
    def _set_list(cls, v: object) -> object:
        """``"a, b"`` (a settings-sheet cell) is a list."""
        return [x for x in re.split(r"[\s,，、;；]+", v) if x] if isinstance(v, str) else v


#: The years an inventory may report: a year outside is a slip (0, 20224, 1 for true).
FIRST_YEAR, LAST_YEAR = 1900, 2200


class Settings(BaseModel):
    """An inventory's settings (``settings.toml`` or the ``settings`` sheet)."""

    model_config = ConfigDict(extra="forbid")

    organisation: str = ""
    #: The language of messages, warnings and outputs when the command line names none
    #: (``--lang``); None: the template's language, else the locale's (DESIGN.md, contract 2).
    language: Literal["zh-Hans", "zh-Hant", "en"] | None = None
    reporting_years: list[Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]] = []
    base_year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR)
    grid_level: GridLevel = "national"
    threshold_pct: float = Field(default=5.0, ge=0, allow_inf_nan=False)
    threshold_scope: Literal["location", "market", "each_scope"] = "location"
    consolidation: Literal["operational_control", "equity_share"] = "operational_control"
    boundary_mid_year: Literal["whole_year", "pro_rata"] = "whole_year"
    gwp: Literal["AR4", "AR5", "AR6"] = "AR5"
    gases: list[Literal["CO2", "CH4", "N2O"]] = ["CO2", "CH4", "N2O"]
    vehicle_technology: Literal["oxidation_catalyst", "uncontrolled", "low_mileage_ldv"] = (
        "oxidation_catalyst")
    factor_sets: FactorPins = FactorPins()
    #: A period whose quantity per day is this many times its meter's typical (the median of the
    #: meter's periods), or as many times less, is flagged (``outlier``): a 度 figure in a 万千瓦时
    #: row is 10,000 times off, a kWh figure in a MWh row 1,000; seasons move a month's figure
    #: some tens of times at most (winter gas against summer's). [1]
    outlier_factor: float = Field(default=100.0, gt=1, allow_inf_nan=False)
    #: The same for a year of an entity and source against its other years (per day). [1]
    outlier_factor_years: float = Field(default=20.0, gt=1, allow_inf_nan=False)

    @field_validator("reporting_years", "base_year", "threshold_pct", "outlier_factor",
                     "outlier_factor_years", mode="before")
    @classmethod
    def _not_true_or_false(cls, v: object) -> object:
        """``threshold_pct = true`` is no number (pydantic would read it as 1)."""
        if isinstance(v, bool) or (isinstance(v, list) and any(isinstance(x, bool) for x in v)):
            raise ValueError(_("true or false where a number belongs: write the number"))
        return v

    @field_validator("language", mode="before")
    @classmethod
    def _language_name(cls, v: object) -> object:
        """``zh_hant``, ``zh-TW``, ``繁體中文``, ``English`` name a language too."""
        return (language_named(v) or v) if isinstance(v, str) else v

    @field_validator("gwp", mode="before")
    @classmethod
    def _gwp_name(cls, v: object) -> object:
        """``AR5GWP100`` (the name earlier versions wrote) and ``ar5`` are ``AR5``."""
        return v.strip().upper().removesuffix("GWP100") if isinstance(v, str) else v

    @field_validator("gases", mode="before")
    @classmethod
    def _gas_list(cls, v: object) -> object:
        """``"CO2, CH4"`` (a settings-sheet cell) is a list; spellings are upper-cased."""
        if isinstance(v, str):
            v = [g for g in re.split(r"[\s,，、;；]+", v) if g]
        if not isinstance(v, list):
            return v
        return [g.strip().upper() if isinstance(g, str) else g for g in v]  # else: not a gas

    @field_validator("gases")
    @classmethod
    def _co2_counted(cls, v: list[str]) -> list[str]:
        if "CO2" not in v:
            raise ValueError(_("CO2 is always counted: list it, e.g. gases = [\"CO2\"]"))
        return sorted(set(v), key=("CO2", "CH4", "N2O").index)

    @property
    def gwp_context(self) -> str:
        """The name of the GWP set, as outputs record it: ``AR5GWP100``."""
        return f"{self.gwp}GWP100"

    @property
    def gwp_set(self) -> str:
        """The bundled factor set of the GWP values: ``ipcc-ar5-gwp100``."""
        return f"ipcc-{self.gwp.lower()}-gwp100"


def stated_language(data: object) -> str | None:
    """The ``language`` a settings file or sheet states (``data``: its keys and values as read),
    when valid: known even when another setting is wrong, so that the problems are shown in it."""
    value = data.get("language") if isinstance(data, dict) else None
    named = language_named(value) if isinstance(value, str) else None
    return named if named in LANGS else None


@dataclass(frozen=True)
class Origin:
    """Where a table came from, as the user names it."""

    file: str
    sheet: str | None = None


@dataclass(frozen=True)
class Part:
    """One input of an inventory read from several (``carbon compute hq/ branch-a.xlsx …``):
    where each of its tables came from and, for a workbook, each column's letter.

    The first part is the head office's: it holds the settings, the own factors and the entity
    tree; the others add rows for the entities they list and those below them.
    """

    path: Path
    origins: dict[str, Origin]
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    #: The entity ids its entities table lists (a branch file's subtree starts from them).
    listed: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The input as messages name it: a workbook's file name, a folder's own name."""
        return self.path.resolve().name if self.path.is_dir() else self.path.name


@dataclass(frozen=True)
class Notice:
    """A warning: listed in every output, never blocking."""

    code: str
    message: str
    #: The input table it is about, when one (routes it to that input's problems file).
    origin: Origin | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Inventory:
    """A validated inventory: typed tables, one row per input row, each keeping its user row number.

    ``entities``: entity_id, name, parent_id, kind, province (key), utility (key or ""),
    included_from, included_to,
    entry, exit (canonical event or ""), existed_from, ownership_share (a fraction, NaN = blank),
    row.
    ``activity``: entity_id, period_start, period_end (inclusive), source (key), stream, quantity,
    unit, meter, use, technology (key or ""), instrument, data_quality, document_ref, note, row.
    ``denominators``: entity_id, year, floor_area_m2, headcount (+ user columns), row.
    ``custom_factors``: source, year (<NA> = every year), kind, value, unit, reference, region
    (province or utility key, "" = everywhere), stream ("" = every stream), row.
    ``meters`` (declared meters; None when the inventory has none): entity_id, source (key),
    meter, months (the months it runs, bit ``m - 1`` for month ``m``), note, row.
    ``letters``: the spreadsheet column letter of each column, by table, for a workbook's tables.
    ``parts``: the inputs it was read from, the head office's first (one for a single inventory);
    ``activity`` and ``meters`` carry ``part``, the position of each row's input in ``parts``
    (``row`` counts within that input's table). ``origins`` and
    ``letters`` are the first part's.
    ``pending`` (read for ``carbon status`` only): activity rows whose quantity is still blank,
    validated like the others, with ``part`` and ``row``; None otherwise.
    ``template_language``: the language of the template the head office's workbook was made
    from (None for a folder, or a workbook that does not tell).
    """

    path: Path
    entities: pd.DataFrame
    activity: pd.DataFrame
    denominators: pd.DataFrame | None
    custom_factors: pd.DataFrame | None
    settings: Settings
    origins: dict[str, Origin]
    files: list[Path] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    meters: pd.DataFrame | None = None
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    pending: pd.DataFrame | None = None
    #: The language of the template the (head office's) workbook was made from, when it can be
    #: told; None for a folder of CSV files.
    template_language: str | None = None

    @property
    def language(self) -> str | None:
        """The inventory's own language: its settings' ``language``, else its template's."""
        return self.settings.language or self.template_language

    def origin_of(self, table: str, part: int = 0) -> Origin:
        """Where ``table`` of input ``part`` came from (the inventory's name when it has none)."""
        origins = self.parts[part].origins if part < len(self.parts) else self.origins
        return origins.get(table, Origin(self.path.name))

    def letters_of(self, table: str, part: int = 0) -> dict[str, str]:
        """The column letters of ``table`` of input ``part`` (empty for a CSV file)."""
        letters = self.parts[part].letters if part < len(self.parts) else self.letters
        return letters.get(table, {})


@dataclass
class Ledger:
    """One row per activity row (and per year, for a row whose period crosses a year end).

    ``rows`` carries every rated metric (:func:`carbon.metrics.rated`) as a column; ``weights``
    the GWP per gas the derived metrics use [t CO2e / t gas]; ``units`` each metric's unit as
    computed (``tCO2`` where only CO2 was counted, ``tCO2e`` otherwise). An optional metric
    (:attr:`carbon.metrics.Metric.optional`) that some row carries is in ``present``, and
    ``rows`` then also has its column :func:`carbon.metrics.carrier` (1.0 on each row that
    carries it, else 0.0): summed like the figures, it says where the figure exists. ``zeros``
    are the rated metrics no combination has: their columns are one shared read-only array of
    zeros, which totals need not scan.
    """

    rows: pd.DataFrame
    factors: dict[str, object]
    factor_sets: list[tuple[str, str]]
    notices: list[Notice]
    weights: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    present: frozenset[str] = frozenset()
    zeros: frozenset[str] = frozenset()
    grid_level: str = ""  # the level the electricity factors were taken at
