"""Factor sets: loading, checking and hashing the folders under ``factors/``.

A factor set is one published source: ``metadata.toml`` (what the document is) and ``factors.csv``
(one row per value, each with its unit and its reference in the document). The loader is strict:
unknown columns or keys, duplicates, rows without unit or reference, unparsable units and units of
the wrong dimension all refuse to load, naming the file, row and column.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

import pint
from pydantic import BaseModel, ConfigDict, ValidationError

from carbon.errors import FactorNotFoundError, FactorSetError, setting_message
from carbon.factor_files import bundled_dir, digest, set_folders
from carbon.i18n import Joined, Words, _, quoted
from carbon.units import CH4, CO2, CO2E, COUNTS, ENERGY, LENGTH, MASS, N2O, VOLUME, parse_unit

COLUMNS = ("parameter", "subject", "region", "value", "unit", "reference", "verified", "note")


def _energy_per_activity(u: pint.Quantity) -> bool:
    return any(u.dimensionality == ENERGY / d for d in (MASS, VOLUME, ENERGY))


def _emission_per_activity(u: pint.Quantity) -> bool:
    return any(u.dimensionality == g / d for g in (CO2, CO2E) for d in (MASS, VOLUME, ENERGY))


def _gas_per_activity(gas: object) -> Callable[[pint.Quantity], bool]:
    return lambda u: any(u.dimensionality == gas / d for d in (MASS, VOLUME, ENERGY))


def _pollutant_per_activity(u: pint.Quantity) -> bool:
    """A mass of an air pollutant per unit of fuel (mass, volume, energy) or per km driven."""
    return any(u.dimensionality == MASS / d for d in (MASS, VOLUME, ENERGY, LENGTH))


def _air(name: str) -> tuple[str, str, Callable[[pint.Quantity], bool]]:
    return (_("{pollutant} per unit of fuel or per km", pollutant=name),
            "kg/L, g/km, kg/TJ, kg/m^3, kg/t …", _pollutant_per_activity)


#: What each parameter means and which units it may carry. The valid parameter names (and the
#: ``kind`` values of an inventory's ``custom_factors``) are this table's keys.
PARAMETERS: dict[str, tuple[str, str, Callable[[pint.Quantity], bool]]] = {
    "ncv": (_("average low heating value"),
            _("energy per mass, volume or energy (kJ/kg, GJ/t, kJ/m^3)"), _energy_per_activity),
    "coal_coefficient": (_("standard-coal coefficient"),
                         _("kgce per unit (kgce/kg, kgce/m^3, kgce/kWh)"), _energy_per_activity),
    "carbon_content": (_("carbon content per unit heat"), _("carbon per energy (tC/TJ)"),
                       lambda u: u.dimensionality == CO2 / ENERGY),
    "oxidation_rate": (_("oxidation rate"), _("a fraction (percent)"),
                       lambda u: u.dimensionless),
    "emission": (_("CO2 or CO2e per unit of activity"),
                 "kgCO2/L, tCO2/MWh, tCO2e/GJ, kgCO2/m^3 …", _emission_per_activity),
    "density": (_("density"), _("mass per volume (kg/L)"),
                lambda u: u.dimensionality == MASS / VOLUME),
    "ch4": (_("CH4 per unit of activity"), "kgCH4/TJ, gCH4/L, kgCH4/t …",
            _gas_per_activity(CH4)),
    "n2o": (_("N2O per unit of activity"), "kgN2O/TJ, gN2O/L, kgN2O/t …",
            _gas_per_activity(N2O)),
    "gwp": (_("global warming potential over 100 years"), "tCO2e/tCH4, tCO2e/tN2O, tCO2e/tCO2",
            lambda u: any(u.dimensionality == CO2E / g for g in (CO2, CH4, N2O))),
    "unit_mass": (_("mass per counted unit (a piece, a sheet or ream, a pack)"),
                  "kg/个, kg/令, kg/包 …", lambda u: any(u.dimensionality == MASS / c for c in COUNTS)),
    "nox": _air("NOx"),
    "sox": _air("SOx"),
    "pm": _air(Words("particulate matter", "颗粒物", "懸浮粒子")),
    "co": _air("CO"),
    "sulphur_content": (_("sulphur content of a fuel (mass fraction; SO2 by mass balance)"),
                        _("mg/kg, ppm, percent"), lambda u: u.dimensionless),
}


class FactorSetMeta(BaseModel):
    """What a factor set's document is; ``metadata.toml`` holds exactly these keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    title_en: str = ""
    issuer: str
    document_number: str = ""
    published: str
    url: str = ""
    family: str | None = None
    data_year: int | None = None
    covers_years: list[int] = []
    covers_regions: list[str] = []
    notes: str = ""
    missing: list[str] = []
    grid_regions: dict[str, list[str]] = {}
    utility: str | None = None  # the entities.utility key whose electricity this series covers


@dataclass(frozen=True)
class Factor:
    """One row of a factor set (or of an inventory's ``custom_factors``)."""

    set_id: str
    parameter: str
    subject: str
    region: str
    value: float
    unit: str
    reference: str
    verified: bool = True
    note: str = ""
    year: int | None = None  # only an inventory's own factors are per year

    @property
    def id(self) -> str:
        """Stable id used in the ledger: ``set:parameter:subject[:region][@year]``."""
        base = f"{self.set_id}:{self.parameter}:{self.subject}"
        base = f"{base}:{self.region}" if self.region else base
        return f"{base}@{self.year}" if self.year is not None else base

    @property
    def quantity(self) -> pint.Quantity:
        return self.value * parse_unit(self.unit)


class _Rows(Mapping[tuple[str, str, str], Factor]):
    """A bundled set's rows by (parameter, subject, region): ``factors.csv`` as read, checked
    when a run first uses them (as strictly as :func:`load_set` checks a set of one's own).

    Raises
    ------
    FactorSetError
        On first use, listing every problem of the rows.
    """

    def __init__(self, data: bytes, meta: FactorSetMeta, path: Path) -> None:
        self._data, self._meta, self._path = data, meta, path

    @cached_property
    def _rows(self) -> dict[tuple[str, str, str], Factor]:
        factors, problems = _checked_rows(self._data, self._meta, self._meta.id)
        if problems:
            raise FactorSetError(str(self._path), problems)
        return factors

    def __getitem__(self, key: tuple[str, str, str]) -> Factor:
        return self._rows[key]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: tuple[str, str, str], default: Any = None) -> Any:
        return self._rows.get(key, default)  # a miss without an exception (Mapping's raises one)

    def __contains__(self, key: object) -> bool:
        return key in self._rows


@dataclass(frozen=True)
class FactorSet:
    """A loaded factor set (its rows checked when loaded, or, a bundled set's, when first
    used: :func:`load_set`)."""

    meta: FactorSetMeta
    factors: Mapping[tuple[str, str, str], Factor]
    sha256: str
    path: Path

    @property
    def id(self) -> str:
        return self.meta.id

    def get(self, parameter: str, subject: str, region: str = "") -> Factor | None:
        return self.factors.get((parameter, subject, region))

    def regions(self, parameter: str, subject: str) -> list[str]:
        return sorted(r for (p, s, r) in self.factors if p == parameter and s == subject and r)

    def grid_of(self, province: str) -> str | None:
        """The regional grid a province belongs to in this set's mapping."""
        for grid, members in self.meta.grid_regions.items():
            if province in members:
                return grid
        return None


@lru_cache(maxsize=1024)
def _unit_fit(param: str, text: str) -> tuple[bool, bool, float]:
    """Whether ``text`` is a unit, whether it fits ``param`` (an unknown parameter: yes, its
    own problem is said), and its size as a pure number (nan for a unit with a dimension):
    worked out once per spelling, for the many rows of the sets that share it."""
    try:
        unit = parse_unit(text)
    except ValueError:
        return False, False, math.nan
    fits = param not in PARAMETERS or bool(PARAMETERS[param][2](unit))
    return True, fits, float(unit.to("").m) if unit.dimensionless else math.nan


def check_row(row: dict[str, str], where: str) -> list[str]:
    """Problems of one factor row (``where`` prefixes each message)."""
    out: list[str] = []
    param = row.get("parameter", "")
    if param not in PARAMETERS:
        out.append(_("{where}, column parameter: {value} is not one of {choices}", where=where,
                     value=quoted(param), choices=", ".join(PARAMETERS)))
    for col in ("subject", "unit", "reference"):
        if not row.get(col, "").strip():
            out.append(_("{where}, column {column}: empty; every row needs its {column}",
                         where=where, column=col))
    try:
        value = float(row.get("value", ""))
    except ValueError:
        out.append(_("{where}, column value: {value} is not a number", where=where,
                     value=repr(row.get("value"))))
        value = float("nan")
    else:
        if not math.isfinite(value):  # float() reads nan and inf
            out.append(f"{where}, column value: {row.get('value')!r} is not a finite number")
    if row.get("unit", "").strip():
        known, fits, scale = _unit_fit(param, row["unit"])
        if not known:
            out.append(_("{where}, column unit: {unit} is not a unit carbon knows", where=where,
                         unit=quoted(row["unit"])))
        else:
            if not fits:
                out.append(_("{where}, column unit: {unit} does not fit {parameter} ({need})",
                             where=where, unit=quoted(row["unit"]), parameter=param,
                             need=PARAMETERS[param][1]))
            if param == "oxidation_rate" and fits and value == value and not 0 < value * scale <= 1:
                out.append(_("{where}, column value: oxidation rate {value} {unit} is not "
                             "between 0 and 100 percent", where=where, value=value,
                             unit=row["unit"]))
    if row.get("verified", "true") not in ("true", "false"):
        out.append(_("{where}, column verified: {value}; write true or false", where=where,
                     value=repr(row.get("verified"))))
    return out


def load_set(path: Path, *, rows_when_used: bool = False) -> FactorSet:
    """Load and check one factor-set folder; its rows too unless ``rows_when_used`` (the
    bundled sets: a run checks the few it uses, when it uses them).

    Raises
    ------
    FactorSetError
        Listing every problem of the folder.
    """
    problems: list[str] = []
    meta_path, rows_path = path / "metadata.toml", path / "factors.csv"
    for p in (meta_path, rows_path):
        if not p.is_file():
            problems.append(_("{file}: missing", file=p.name))
    if problems:
        raise FactorSetError(str(path), problems)
    meta_bytes, rows_bytes = meta_path.read_bytes(), rows_path.read_bytes()
    meta: FactorSetMeta | None = None
    try:
        meta = FactorSetMeta(**tomllib.loads(meta_bytes.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"metadata.toml: {exc}")
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            problems.append(_("metadata.toml, key {key}: {problem} (allowed keys: {allowed})",
                              key=loc, problem=setting_message(e),
                              allowed=", ".join(FactorSetMeta.model_fields)))
    if meta is not None and meta.id != path.name:
        problems.append(_("metadata.toml, key id: {id} differs from the folder {folder}",
                          id=quoted(meta.id), folder=quoted(path.name)))
    sha256 = digest(meta_bytes, rows_bytes)
    if meta is not None and not problems and rows_when_used:
        return FactorSet(meta, _Rows(rows_bytes, meta, path), sha256, path)
    factors, row_problems = _checked_rows(rows_bytes, meta, meta.id if meta else path.name)
    problems += row_problems
    if problems or meta is None:
        raise FactorSetError(str(path), problems)
    return FactorSet(meta, factors, sha256, path)


def _checked_rows(rows_bytes: bytes, meta: FactorSetMeta | None, set_id: str
                  ) -> tuple[dict[tuple[str, str, str], Factor], list[str]]:
    """A set's ``factors.csv`` as factors by (parameter, subject, region), and every problem
    of its rows (``meta``: the set's metadata when it loaded, for its grid regions)."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(rows_bytes.decode("utf-8-sig")))
    header = tuple(reader.fieldnames or ())
    if header != COLUMNS:
        unknown = [c for c in header if c not in COLUMNS]
        lacking = [c for c in COLUMNS if c not in header]
        problems.append(_("factors.csv, header: expected {columns}{unknown}{missing}",
                          columns=",".join(COLUMNS),
                          unknown=_("; unknown {columns}", columns=unknown) if unknown else "",
                          missing=_("; missing {columns}", columns=lacking) if lacking else ""))
        return {}, problems
    factors: dict[tuple[str, str, str], Factor] = {}
    for n, row in enumerate(reader, start=2):
        where = _("factors.csv, row {row}", row=n)
        if None in row:
            problems.append(_("{where}: more fields than the header has", where=where))
            continue
        row_problems = check_row(row, where)
        problems += row_problems
        key = (row["parameter"], row["subject"].strip(), row["region"].strip())
        if key in factors:
            problems.append(_("{where}: duplicate of {factor}", where=where,
                              factor=factors[key].id))
        elif not row_problems:
            factors[key] = Factor(set_id, key[0], key[1], key[2], float(row["value"]),
                                  row["unit"].strip(), row["reference"].strip(),
                                  row["verified"] != "false", row["note"].strip())
    if meta is not None:
        for grid in meta.grid_regions:
            if not any(k[2] == grid for k in factors):
                problems.append(_("metadata.toml, grid_regions.{grid}: no factor row for this "
                                  "grid", grid=grid))
    return factors, problems


@cache
def bundled() -> dict[str, FactorSet]:
    """Every bundled factor set, by id (their rows checked when a run uses them)."""
    return load_sets([bundled_dir()], rows_when_used=True)


def load_sets(folders: Iterable[Path], *, rows_when_used: bool = False
              ) -> dict[str, FactorSet]:
    """Load every factor set in ``folders`` (each a set, or a folder of sets; ``rows_when_used``:
    :func:`load_set`'s)."""
    out: dict[str, FactorSet] = {}
    errors: list[str] = []
    failed: list[FactorSetError] = []
    folders = list(folders)
    for folder in folders:
        if not folder.is_dir():
            errors.append(_("{path} is not a folder: give a factor set's folder (its "
                            "metadata.toml and factors.csv) or a folder of such folders",
                            path=folder))
            continue
        found = set_folders(folder)
        if not found:
            errors.append(_("{path} holds no factor set: a factor set is a folder with "
                            "metadata.toml and factors.csv", path=folder))
            continue
        for p in found:
            try:
                fs = load_set(p, rows_when_used=rows_when_used)
            except FactorSetError as exc:  # its problems under its own heading, in any language
                failed.append(exc)
                errors.append(Joined([_("factor set {path} does not load:", path=exc.path),
                                      *exc.problems], "\n    ", "\n    "))
                continue
            if fs.id in out:
                errors.append(_("factor set id {id} appears twice ({first}, {second})",
                                id=quoted(fs.id), first=out[fs.id].path, second=p))
            out[fs.id] = fs
    where = ", ".join(str(f) for f in folders)
    if len(errors) == 1 and len(failed) == 1 and failed[0].path == where:
        raise failed[0]  # the one set asked for: its problems without a second heading
    if errors:
        raise FactorSetError(where, errors)
    return out


def with_user_sets(paths: Iterable[Path]) -> dict[str, FactorSet]:
    """The bundled sets plus the user's own (``--factors PATH``); a user set may not reuse an id."""
    sets = dict(bundled())
    user = load_sets(paths)
    clash = sorted(set(user) & set(sets))
    if clash:
        raise FactorSetError(", ".join(map(str, paths)),
                             [_("id {id} is a bundled set; give your set its own id",
                                id=quoted(c)) for c in clash])
    sets.update(user)
    return sets


def require(sets: dict[str, FactorSet], set_id: str) -> FactorSet:
    """The set with this id, or an error naming the ones that exist."""
    try:
        return sets[set_id]
    except KeyError:
        raise FactorNotFoundError(set_id, sorted(sets)) from None


def family(sets: dict[str, FactorSet], name: str) -> dict[int, FactorSet]:
    """Sets of one series (``mee-grid``) by the year their data describe."""
    return {fs.meta.data_year: fs for fs in sets.values()
            if fs.meta.family == name and fs.meta.data_year is not None}
