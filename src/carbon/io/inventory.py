"""Turn raw tables (from a CSV folder or a workbook) into a validated :class:`Inventory`.

Every check is a vectorized mask over a whole column; every failing cell becomes a
:class:`~carbon.errors.Problem`, and all problems of the inventory are raised together.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import boundary, vocab
from carbon.errors import InputError, Problem
from carbon.factors import PARAMETERS
from carbon.i18n import Joined, Msg, Words, _, quoted
from carbon.io import parse
from carbon.io.tables import ROW_BITS, RawTable
from carbon.model import Inventory, Notice, Origin, Part, Settings
from carbon.schema import (
    DATA_QUALITY,
    ENTRIES,
    ENTRY_EVENTS,
    EXIT_EVENTS,
    EXITS,
    INSTRUMENTS,
    TABLES,
    TECHNOLOGIES,
    USES,
    UTILITIES,
)
from carbon.units import (
    ENERGY,
    LENGTH,
    MASS,
    PACK,
    PIECE,
    SHEET,
    VOLUME,
    number_in_unit,
    parse_unit,
)

_WASTE = (MASS, VOLUME, PIECE)
_AIR = (MASS,)
#: Dimensions a source's quantity may be entered in, by category.
ALLOWED_DIMENSIONS = {
    "electricity": (ENERGY,),
    "heat": (ENERGY, MASS),  # heat in GJ; steam in tonnes
    "fuel": (MASS, VOLUME, ENERGY),
    "water": (VOLUME,),  # 吨 on a Chinese water bill means m³: refused, the fix says so
    "waste_hazardous": _WASTE,
    "waste_non_hazardous": _WASTE,
    "paper": (MASS, SHEET, PACK),
    "air_nox": _AIR, "air_sox": _AIR, "air_pm": _AIR, "air_co": _AIR,
    "distance": (LENGTH,),
}
_AIR_NEED: tuple[Msg, Msg | None] = (
    _("a measured mass (kg, t)"),
    _("write the mass in kg or t; for the pollutant of fuel burnt, give the fuel rows and a "
      "custom_factors row of its kind (nox, sox, pm, co: kg/L, g/km …) instead"))
_WASTE_NEED = _("a mass (t, 吨, kg), a volume (m³, L) or pieces (个, 件, 只, 支, 块, 台)")
#: By category: what a quantity must measure, and how to fix a unit that does not (None: the
#: general fix).
_DIM_NAMES: dict[str, tuple[Msg, Msg | None]] = {
    "electricity": (_("energy (kWh, 度, MWh, 万千瓦时)"), None),
    "heat": (_("energy (GJ, 吉焦, MJ) or, for steam, mass (t)"), None),
    "fuel": (_("mass (t, kg), volume (m³, L, 万立方米) or energy (GJ)"), None),
    "water": (_("a volume (m³, 立方米, L)"),
              _("write the volume in m³ (立方米); on a Chinese water bill 吨 means m³ (1 吨 of "
                "water is 1 m³): write the same number with the unit 立方米")),
    "waste_hazardous": (_WASTE_NEED, None),
    "waste_non_hazardous": (_WASTE_NEED, None),
    "paper": (_("a mass (t, kg), sheets (张), reams (令, 500 sheets) or packs (包)"), None),
    "air_nox": _AIR_NEED, "air_sox": _AIR_NEED, "air_pm": _AIR_NEED, "air_co": _AIR_NEED,
    "distance": (_("a distance (km, 公里)"), None),
}


def _map_distinct(s: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """Apply ``fn`` once per distinct value of a column, not once per row (a categorical)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s)
    mapped = [fn(str(u)) for u in uniques] + [""]
    categories, inverse = np.unique(np.array(mapped, dtype=object).astype(str), return_inverse=True)
    return pd.Series(pd.Categorical.from_codes(inverse[codes],
                                                           categories=pd.Index(categories)),
                     index=s.index)


def _factorized(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column and its distinct values (a categorical's own; else in order of
    first appearance)."""
    if isinstance(s.dtype, pd.CategoricalDtype) and not s.isna().any():
        return s.cat.codes.to_numpy().astype(np.int64), s.cat.categories
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return codes.astype(np.int64), pd.Index(uniques)


def _pairs(a: pd.Series, b: pd.Series) -> list[tuple[str, str]]:
    """The distinct (a, b) pairs of two text columns, in order of first appearance."""
    ca, ua = _factorized(a)
    cb, ub = _factorized(b)
    key = pd.unique(ca * (len(ub) + 1) + cb)
    return [(str(ua[int(k) // (len(ub) + 1)]), str(ub[int(k) % (len(ub) + 1)])) for k in key]


def _categorical(s: pd.Series) -> pd.Series:
    """A text column as a categorical: cheap to compare, group and map at any size."""
    return s.astype("category")


def _suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return _("did you mean {choice}? ", choice=quoted(close[0])) if close else ""


def _label(col: object) -> Words:
    """A column's label in each language (the schema's)."""
    return Words(col.en, col.zh_hans, col.zh_hant)  # type: ignore[attr-defined]


def check_columns(table: RawTable, add_missing: bool = True) -> None:
    """Unknown, duplicated and missing columns of a table; a missing column is added blank
    (unless ``add_missing`` is false: :func:`carbon.io.tables.stack` adds them)."""
    spec = TABLES[table.name]
    absent = [k for k in spec.keys if k not in table.frame.columns]
    for key in table.frame.columns:
        # a table that takes more columns (denominators) still refuses one named nearly as a
        # column it lacks: floor_area for floor_area_m2 would leave every floor area blank
        if key not in spec.keys and (not spec.extra_columns
                                     or difflib.get_close_matches(str(key), absent, n=1,
                                                                  cutoff=0.75)):
            table.problems.append(table.problem(
                1, str(key), "unknown_column", str(key),
                _("{table} has no column {column}", table=table.name, column=quoted(str(key))),
                _("{suggestion}rename it to one of {columns} or delete it",
                  suggestion=_suggest(str(key), list(spec.keys)),
                  columns=", ".join(spec.keys))))
    for c in spec.columns:
        if c.required and c.key not in table.frame.columns:
            table.problems.append(table.problem(
                1, c.key, "missing_column", "",
                _("{table} has no column {column}", table=table.name, column=quoted(c.key)),
                _("add a column headed {column} ({label})", column=quoted(c.key),
                  label=_label(c))))
    if not add_missing:
        return
    blank = pd.Categorical.from_codes(np.zeros(len(table.frame), dtype=np.int8),
                                      categories=pd.Index([""]))
    for c in spec.columns:
        if c.key not in table.frame.columns:
            table.frame[c.key] = blank


def _required(table: RawTable, keys: list[str]) -> np.ndarray:
    """Mask of rows with every required key filled in; reports the blank ones."""
    ok = np.ones(len(table.frame), dtype=bool)
    for key in keys:
        blank = (table.frame[key] == "").to_numpy()
        col = TABLES[table.name].column(key)
        table.report(blank, key, "required", _("{column} is required", column=_label(col)),
                     _("fill in {column}", column=key))
        ok &= ~blank
    return ok


#: A number beyond this in any input cell is refused: no meter reading, invoice, floor area or
#: factor of one row reaches it (it is a typing or export error, 1e308 or a pasted id), and
#: below it no product or sum of the calculation can overflow to infinity. [1]
MAX_NUMBER = 1e15


#: The smallest magnitude a quantity or a denominator other than 0 may have, and as written. A
#: value nearer 0 is a slip (a figure pasted in scientific notation, an exponent's sign lost),
#: and once divided by (an intensity) or compared (the review) it leaves float's range.
SMALLEST_QUANTITY = (1e-9, "10⁻⁹")
#: The same for an own factor's value: 0.6 kg N2O/TJ of diesel is 2 × 10⁻¹² t per kWh.
SMALLEST_FACTOR = (1e-15, "10⁻¹⁵")


def _numbers(table: RawTable, key: str, *, minimum: float | None = 0.0,
             smallest: tuple[float, str] = SMALLEST_QUANTITY) -> np.ndarray:
    values, bad = parse.numbers(table.frame[key])
    table.report(bad, key, "not_a_number", _("not a number"),
                 _("write digits with an optional decimal point (1234.5 or 1,234.5)"))
    huge = np.isfinite(values) & (np.abs(values) > MAX_NUMBER)
    table.report(huge, key, "too_large", _("beyond 10¹⁵, more than any one record holds"),
                 _("check the number; enter a large quantity in a larger unit (MWh rather than "
                   "kWh, 万立方米 rather than m³)"))
    values[huge] = np.nan
    tiny = np.isfinite(values) & (values != 0) & (np.abs(values) < smallest[0])
    table.report(tiny, key, "too_small", _("nearer 0 than {smallest}: less than any record "
                                           "holds", smallest=smallest[1]),
                 _("check the number; write a small quantity in a smaller unit (kWh rather "
                   "than MWh, L rather than m³)"))
    values[tiny] = np.nan
    if minimum is not None:
        neg = np.isfinite(values) & (values < minimum)
        table.report(neg, key, "negative", _("must be {minimum} or more", minimum=f"{minimum:g}"),
                     _("enter the quantity as a positive number; a correction replaces the row"))
        values[neg] = np.nan
    return values


def _dates(table: RawTable, key: str, *, end: bool = False) -> np.ndarray:
    values, bad = parse.dates(table.frame[key], end=end)
    table.report(bad, key, "not_a_date", _("not a date"),
                 _("write a date as 2024-01-31 (or 2024-03 for a whole month)"))
    return values


def _entities(table: RawTable, known: set[str] | None = None) -> pd.DataFrame:
    """The entities table, validated; ``known``: the head office's entity ids, which a branch
    file's ``parent_id`` may name besides its own."""
    f = table.frame
    ok = _required(table, ["entity_id"])
    ids = f["entity_id"]
    if table.stacked is None:
        dup = ids.duplicated(keep="first").to_numpy() & ok
    else:  # several inputs' entities: a duplicate within one input (they may list the same)
        dup = pd.DataFrame({"input": table.rows >> ROW_BITS, "id": ids.to_numpy()}).duplicated(
            keep="first").to_numpy() & ok
    table.report(dup, "entity_id", "duplicate", _("this entity_id appears on an earlier row"),
                 _("give each entity its own entity_id"))
    spellings = vocab.province_spellings()
    prov_text = f["province"]
    prov = _map_distinct(prov_text, lambda v: spellings.get(vocab.fold(v), "") if v else "")
    bad = ((prov_text != "") & (prov == "")).to_numpy()
    table.report(bad, "province", "unknown_province", _("not a province carbon knows"),
                 _("write the province as 山西, 山西省, Shanxi, 晋 or its GB/T 2260 code 14"))
    util_text = f["utility"]
    utility = _map_distinct(util_text, lambda v: UTILITIES.get(vocab.fold(v), "?") if v else "")
    table.report((utility == "?").to_numpy(), "utility", "unknown_value",
                 _("not an electricity utility carbon knows"),
                 _("write clp (CLP Power, 中電) or hk_electric (HK Electric, 港燈), or leave it "
                   "blank"))
    util_elsewhere = ((utility != "") & (utility != "?") & (prov != "hong_kong")
                      & (prov != "")).to_numpy()
    table.report(util_elsewhere, "utility", "not_applicable",
                 _("a utility is named only for a Hong Kong site"),
                 _("clear the utility, or correct the province to 香港 / Hong Kong"))
    start = _dates(table, "included_from")
    stop = _dates(table, "included_to", end=True)
    reversed_ = ~np.isnat(start) & ~np.isnat(stop) & (stop < start)
    table.report(reversed_, "included_to", "end_before_start",
                 _("included_to is before included_from"), _("swap the two dates"))
    entry, exit_, existed = _events(table, start, stop)
    share = _ownership(table)
    out = pd.DataFrame({
        "entity_id": ids, "name": f["name"], "parent_id": f["parent_id"],
        "kind": f["kind"], "province": prov, "utility": utility,
        "included_from": start, "included_to": stop, "entry": entry, "exit": exit_,
        "existed_from": existed, "ownership_share": share, "row": table.rows,
    })
    parent_bad = ((out["parent_id"] != "")
                  & ~out["parent_id"].isin(set(ids) | (known or set()))).to_numpy()
    table.report(parent_bad, "parent_id", "unknown_entity", _("no entity has this entity_id"),
                 _("use an entity_id from the entities table, or leave parent_id blank"))
    valid = ok & ~dup
    loops = np.zeros(len(out), dtype=bool)
    if table.stacked is None:  # stacked branch files are placed by the head office's tree
        loops[np.flatnonzero(valid)] = boundary.parent_loops(out[valid])
    if loops.any():
        parent_of = dict(zip(out["entity_id"].astype(str), out["parent_id"].astype(str),
                             strict=False))
        chains = []
        for e in out.loc[loops, "entity_id"].astype(str):
            chain, seen = [e], {e}
            while chain[-1] in parent_of and parent_of[chain[-1]] and len(chain) < 12:
                chain.append(parent_of[chain[-1]])
                if chain[-1] in seen:
                    break
                seen.add(chain[-1])
            chains.append(" → ".join(chain))
        table.report(loops, "parent_id", "parent_loop",
                     _("the chain of parent_id never reaches a top-level entity (it loops)"),
                     _("entities form a tree: give the top-level entity a blank parent_id and "
                       "make every other parent_id point upwards"),
                     values=pd.Series(_fill(loops, chains)))
    return out[valid & ~loops & (utility != "?").to_numpy() & ~util_elsewhere]


def _events(table: RawTable, start: np.ndarray, stop: np.ndarray
            ) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """``entry``, ``exit`` (canonical values) and ``existed_from``, each checked against the dates
    it needs: an entry names what happened on ``included_from``, an exit what happened after
    ``included_to``; ``existed_from`` dates an acquired or insourced unit that came into existence
    after the base year, so it is on or before ``included_from``."""
    f = table.frame
    out = []
    for key, spellings, events, date, col in (
            ("entry", ENTRIES, ENTRY_EVENTS, start, "included_from"),
            ("exit", EXITS, EXIT_EVENTS, stop, "included_to")):
        def canonical(v: str, sp: dict[str, str] = spellings) -> str:
            return sp.get(vocab.fold(v), "?") if v else ""

        value = _map_distinct(f[key], canonical)
        table.report((value == "?").to_numpy(), key, "unknown_value",
                     _("not an entry carbon knows") if key == "entry" else
                     _("not an exit carbon knows"),
                     _("write one of {events} (or {labels}), or leave it blank",
                       events=", ".join(events),
                       labels=", ".join(e[1] for e in events.values())))
        undated = (value != "?").to_numpy() & (value != "").to_numpy() & np.isnat(date)
        table.report(undated, col, "required",
                     _("{event} is stated but {column} is blank", event=key, column=col),
                     _("write the day on which it entered in {column} (the entry says why)",
                       column=col) if key == "entry" else
                     _("write the day on which it was last inside in {column} (the exit says "
                       "why)", column=col))
        out.append(value)
    existed = _dates(table, "existed_from")
    entry = out[0]
    given = ~np.isnat(existed)
    structural = entry.isin([k for k, e in ENTRY_EVENTS.items() if e[0] == "structural"])
    table.report(given & ~structural.to_numpy(), "existed_from", "not_applicable",
                 _("existed_from only dates an acquired or insourced unit"),
                 _("clear it, or write entry = acquisition (an opening's date is included_from)"))
    late = given & ~np.isnat(start) & (existed > start)
    table.report(late, "existed_from", "end_before_start",
                 _("existed_from is after included_from"),
                 _("write the day the unit came into existence, on or before it was acquired"))
    return entry, out[1], existed


def _fill(mask: np.ndarray, values: list[str]) -> np.ndarray:
    out = np.full(len(mask), "", dtype=object)
    out[mask] = values
    return out


def _ownership(table: RawTable) -> np.ndarray:
    """``ownership_share`` as a fraction: ``60``, ``60%`` and ``0.6`` are all 60 %.

    A number with a percent sign, or above 1, is a percentage; a number from 0 to 1 without one is
    a fraction (``1`` = wholly owned).
    """
    text = table.frame["ownership_share"].astype(str).str.strip()
    bare = text.str.rstrip("%％").str.strip()
    marked = (text != bare).to_numpy()
    values, bad = parse.numbers(bare)
    table.report(bad, "ownership_share", "not_a_number", _("not a number"),
                 _("write the equity share as 60, 60% or 0.6"))
    pct = marked | (values > 1)
    out = np.where(pct, values / 100, values)
    wrong = np.isfinite(values) & ((out > 1) | (out < 0))
    table.report(wrong, "ownership_share", "out_of_range", _("not a share from 0 to 100 %"),
                 _("write the equity share as a percentage 0 to 100 (60, 60%) or a fraction 0 "
                   "to 1"))
    out[wrong] = np.nan
    return out


def _activity(table: RawTable, entity_ids: set[str], instruments: list[str] | None) -> pd.DataFrame:
    f = table.frame
    ok = _required(table, ["entity_id", "period_start", "period_end", "source", "quantity", "unit"])
    ids = f["entity_id"]
    unknown = (ids != "").to_numpy() & ~ids.isin(entity_ids).to_numpy()
    table.report(unknown, "entity_id", "unknown_entity", _("no entity has this entity_id"),
                 _("add the entity to the entities table or correct the id"))
    start = _dates(table, "period_start")
    end = _dates(table, "period_end", end=True)
    reversed_ = ~np.isnat(start) & ~np.isnat(end) & (end < start)
    table.report(reversed_, "period_end", "end_before_start",
                 _("period_end is before period_start"),
                 _("check the two dates; the end is inclusive"))
    spellings = vocab.source_spellings()
    src_text = f["source"]
    source = _map_distinct(src_text, lambda v: spellings.get(vocab.fold(v), ""))
    bad_src = ((src_text != "") & (source == "")).to_numpy()
    names = sorted(vocab.sources())
    bad_at = np.flatnonzero(bad_src)
    bad_codes, bad_values = pd.factorize(src_text.iloc[bad_at].astype(str), sort=True)
    for i, value in enumerate(bad_values):
        mask = np.zeros(len(f), dtype=bool)
        mask[bad_at[bad_codes == i]] = True
        table.report(mask, "source", "unknown_source", _("not a source carbon knows"),
                     _("{suggestion}use one of {sources} (or 电力, 热力, 天然气, 柴油, 汽油, 水, "
                       "有害废弃物, 纸张 …)", suggestion=_suggest(value, names),
                       sources=", ".join(names)))
    quantity = _numbers(table, "quantity")
    unit_text = f["unit"]
    cats = {k: s.category for k, s in vocab.sources().items()}
    bad_unit = np.zeros(len(f), dtype=bool)
    for s, u in _pairs(source, unit_text):
        if not u:
            continue
        mask = (unit_text == u).to_numpy()
        try:
            unit = parse_unit(u)
        except ValueError:
            number = number_in_unit(u)
            if not bad_unit[mask].all():
                table.report(mask & ~bad_unit, "unit", "unknown_unit",
                             _("not a unit carbon knows") if number is None else
                             _("{number} in the unit would multiply the quantity: a unit holds "
                               "no number but a power of ten", number=number),
                             _("use kWh, 度, MWh, 万千瓦时, GJ, m³, 万立方米, L, t, kg …")
                             if number is None else
                             _("write the number in the quantity column and the unit alone "
                               "(kWh, 度, m³ …)"))
            bad_unit |= mask
            continue
        size = float(unit.to_base_units().magnitude)
        if not UNIT_SIZES[0] <= size <= UNIT_SIZES[1]:  # 10^300 m3, Qm^3: no meter's unit
            table.report(mask & ~bad_unit, "unit", "unit_out_of_range",
                         _("{unit} is {size} base units (kg, m³, J …), beyond any meter's or "
                           "invoice's unit", unit=u, size=f"{size:.3g}"),
                         _("use kWh, 度, MWh, 万千瓦时, GJ, m³, 万立方米, L, t, kg …"))
            bad_unit |= mask
            continue
        if not s:
            continue
        cat = cats[s]
        if not any(unit.dimensionality == d for d in ALLOWED_DIMENSIONS[cat]):
            m = mask & (source == s).to_numpy()
            need, fix = _DIM_NAMES[cat]
            table.report(m, "unit", "wrong_dimension",
                         _("{unit} does not measure {source}: it needs {need}",
                           unit=f"{unit.units:~}", source=vocab.source_name(s), need=need),
                         fix or _("correct the unit, or the source if the row is another one"))
            bad_unit |= m
    use_text = f["use"]
    use = _map_distinct(use_text, lambda v: USES.get(vocab.fold(v), "?") if v else "")
    table.report((use == "?").to_numpy(), "use", "unknown_value", _("not a use"),
                 _("write stationary or mobile (固定 / 移动), or leave it blank"))
    tech_text = f["technology"]
    tech = _map_distinct(tech_text, lambda v: TECHNOLOGIES.get(vocab.fold(v), "?") if v else "")
    table.report((tech == "?").to_numpy(), "technology", "unknown_value",
                 _("not a vehicle technology carbon knows"),
                 _("write uncontrolled, oxidation_catalyst or low_mileage_ldv, or leave it blank"))
    tech_stationary = ((tech != "") & (tech != "?") & (use == "stationary")).to_numpy()
    table.report(tech_stationary, "technology", "not_applicable",
                 _("a vehicle technology on a stationary row"),
                 _("clear the technology, or write use = mobile"))
    instr = _map_distinct(f["instrument"],
                          lambda v: INSTRUMENTS.get(vocab.fold(v), v) if v else "")
    bad_instr = np.zeros(len(f), dtype=bool)
    if instruments is not None:  # None: the settings' market set is unknown (said there)
        bad_instr = ((instr != "") & ~instr.isin(instruments)).to_numpy()
        table.report(bad_instr, "instrument", "unknown_value", _("not a contractual instrument"),
                     _("write one of {choices}, or leave it blank",
                       choices=", ".join(instruments)))
    not_elec = (instr != "").to_numpy() & (source != "electricity").to_numpy() & (source != "").to_numpy()
    table.report(not_elec, "instrument", "instrument_not_electricity",
                 _("an instrument only applies to purchased electricity"),
                 _("clear the instrument, or correct the source"))
    dq_text = f["data_quality"]
    dq = _map_distinct(dq_text, lambda v: DATA_QUALITY.get(vocab.fold(v), "?") if v else "")
    table.report((dq == "?").to_numpy(), "data_quality", "unknown_value",
                 _("not a data quality"),
                 _("write measured, invoice or estimated, or leave it blank"))
    good = (ok & ~unknown & ~np.isnat(start) & ~np.isnat(end) & ~reversed_ & ~bad_src
            & np.isfinite(quantity) & ~bad_unit & (use != "?").to_numpy() & ~bad_instr
            & ~not_elec & (dq != "?").to_numpy() & (tech != "?").to_numpy() & ~tech_stationary)
    out = pd.DataFrame({
        "entity_id": _categorical(ids), "period_start": start, "period_end": end,
        "source": source, "stream": _categorical(f["stream"]), "quantity": quantity,
        "unit": _categorical(unit_text), "meter": _categorical(f["meter"]), "use": use,
        "technology": tech,
        "instrument": _categorical(instr), "data_quality": dq,
        "document_ref": f["document_ref"], "note": f["note"], "row": table.rows,
    }, copy=False)
    return out if good.all() else out[good].reset_index(drop=True)


def _denominators(table: RawTable, entity_ids: set[str]) -> pd.DataFrame:
    f = table.frame
    ok = _required(table, ["entity_id", "year"])
    ids = f["entity_id"]
    unknown = (ids != "").to_numpy() & ~ids.isin(entity_ids).to_numpy()
    table.report(unknown, "entity_id", "unknown_entity", _("no entity has this entity_id"),
                 _("add the entity to the entities table or correct the id"))
    year, bad_year = parse.years(f["year"])
    table.report(bad_year, "year", "not_a_year", _("not a year"),
                 _("write a four-digit year, 2024"))
    out = pd.DataFrame({"entity_id": ids, "year": year})
    for key in f.columns:
        if key in ("entity_id", "year"):
            continue
        out[key] = _numbers(table, key)
    dup = out.duplicated(["entity_id", "year"]).to_numpy() & ok & ~bad_year
    table.report(dup, "year", "duplicate", _("this entity and year appear on an earlier row"),
                 _("keep one row per entity and year"))
    out["row"] = table.rows
    good = ok & ~unknown & ~bad_year & ~dup
    out = out[good].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out


#: The sizes an activity unit may have in base units (kg, m³, J, a piece): from a milligram or
#: a millilitre (10⁻⁶) down to 10⁻¹², up to a terawatt-hour (3.6 × 10¹⁵ J) and beyond to 10¹⁸.
UNIT_SIZES = (1e-12, 1e18)
#: The same for an own factor's unit (g/TJ is 10⁻¹⁵ kg/J): wide, short of what overflows.
FACTOR_UNIT_SIZES = (1e-30, 1e30)
#: Own factors that cannot be 0: divisors, and a mass or an energy per unit (0 would make the
#: rows of their source weigh or hold nothing).
_NEVER_ZERO = frozenset({"ncv", "coal_coefficient", "carbon_content", "density", "unit_mass",
                         "gwp", "oxidation_rate"})
#: Own factors that are fractions of a whole: at most 100 %.
_FRACTIONS = frozenset({"oxidation_rate", "sulphur_content"})


def _custom_factors(table: RawTable) -> pd.DataFrame:
    f = table.frame
    ok = _required(table, ["source", "kind", "value", "unit", "reference"])
    spellings = vocab.source_spellings()
    src_text = f["source"]
    source = _map_distinct(src_text, lambda v: spellings.get(vocab.fold(v), "") if v else "")
    bad_src = ((src_text != "") & (source == "")).to_numpy()
    table.report(bad_src, "source", "unknown_source", _("not a source carbon knows"),
                 _("use one of {sources}", sources=", ".join(sorted(vocab.sources()))))
    year, bad_year = parse.years(f["year"])
    table.report(bad_year, "year", "not_a_year", _("not a year"),
                 _("write a four-digit year, or leave it blank for every year"))
    kind = f["kind"].str.lower()
    bad_kind = ((kind != "") & ~kind.isin(list(PARAMETERS))).to_numpy()
    table.report(bad_kind, "kind", "unknown_kind", _("not a kind of factor"),
                 _("write one of {kinds}", kinds=", ".join(PARAMETERS)))
    value = _numbers(table, "value", smallest=SMALLEST_FACTOR)
    provinces = vocab.province_spellings()

    def region_key(v: str) -> str:
        return (UTILITIES.get(vocab.fold(v)) or provinces.get(vocab.fold(v)) or "?") if v else ""

    region = _map_distinct(f["region"], region_key)
    bad_region = (region == "?").to_numpy()
    table.report(bad_region, "region", "unknown_value",
                 _("not a province or utility carbon knows"),
                 _("write a province (澳门, 西藏, 14) or clp / hk_electric, or leave it blank for "
                   "every entity"))
    unit_text = f["unit"]
    bad_unit = np.zeros(len(f), dtype=bool)
    for i, (k, u) in enumerate(zip(kind, unit_text, strict=True)):
        if not u or k not in PARAMETERS:
            continue
        try:
            unit = parse_unit(u)
        except ValueError:
            bad_unit[i] = True
            table.report(np.arange(len(f)) == i, "unit", "unknown_unit",
                         _("not a unit carbon knows"),
                         _("write the unit as kgCO2/L, tCO2/MWh, GJ/t, kg/L …"))
            continue
        if not PARAMETERS[k][2](unit):
            bad_unit[i] = True
            table.report(np.arange(len(f)) == i, "unit", "wrong_dimension",
                         _("does not fit a {kind} factor", kind=k),
                         _("a {kind} factor is {unit}", kind=k, unit=PARAMETERS[k][1]))
            continue
        at = np.arange(len(f)) == i
        size = float(unit.to_base_units().magnitude)
        if not FACTOR_UNIT_SIZES[0] <= size <= FACTOR_UNIT_SIZES[1]:  # 10^300 kgCO2/L
            bad_unit[i] = True
            table.report(at, "unit", "unit_out_of_range",
                         _("{unit} is {size} base units (kg, m³, J …), beyond any factor's unit",
                           unit=u, size=f"{size:.3g}"),
                         _("write the unit as kgCO2/L, tCO2/MWh, GJ/t, kg/L …"))
        elif k in _NEVER_ZERO and value[i] == 0:  # a divisor, or a mass or energy per unit
            bad_unit[i] = True
            table.report(at, "value", "zero_factor", _("a {kind} of 0 is no {kind}", kind=k),
                         _("write the {kind} from its source document, or delete the row",
                           kind=k))
        elif k in _FRACTIONS and float((value[i] * unit).to("").m) > 1:
            bad_unit[i] = True
            table.report(at, "value", "over_100_percent",
                         _("a {kind} of more than 100 %", kind=k),
                         _("check the number against its unit (98 with %, 0.98 without)"))
    out = pd.DataFrame({"source": source, "year": pd.array(year, dtype="Int64"), "kind": kind,
                        "value": value, "unit": unit_text,
                        "reference": f["reference"], "region": region.astype(str),
                        "stream": f["stream"].astype(str), "row": table.rows})
    dup = out.duplicated(["source", "year", "kind", "region", "stream"]).to_numpy() & ok
    table.report(dup, "kind", "duplicate",
                 _("the same source, year, kind, region and stream is on an earlier row"),
                 _("keep one factor per source, year, kind, region and stream"))
    good = (ok & ~bad_src & ~bad_year & ~bad_kind & np.isfinite(value) & ~bad_unit & ~dup
            & ~bad_region)
    return out[good].reset_index(drop=True)


def _meters(table: RawTable, entity_ids: set[str]) -> pd.DataFrame:
    """Declared meters: which entity and source, the meter id, the months it runs."""
    f = table.frame
    ok = _required(table, ["entity_id", "source"])
    ids = f["entity_id"]
    unknown = (ids != "").to_numpy() & ~ids.isin(entity_ids).to_numpy()
    table.report(unknown, "entity_id", "unknown_entity", _("no entity has this entity_id"),
                 _("add the entity to the entities table or correct the id"))
    spellings = vocab.source_spellings()
    src_text = f["source"]
    source = _map_distinct(src_text, lambda v: spellings.get(vocab.fold(v), "") if v else "")
    bad_src = ((src_text != "") & (source == "")).to_numpy()
    table.report(bad_src, "source", "unknown_source", _("not an energy source carbon knows"),
                 _("use one of {sources} (or 电力, 热力, 天然气 …)",
                   sources=", ".join(sorted(vocab.sources()))))
    codes, texts = _factorized(f["months"])
    parsed = np.array([parse.month_set(str(t)) or 0 for t in texts], dtype=np.int64)
    months = parsed[codes] if len(codes) else np.zeros(0, dtype=np.int64)
    bad_months = months == 0
    table.report(bad_months, "months", "not_months", _("not a list of months"),
                 _("write the months the meter runs: 11-3 (November to March), 11月-3月, 5-9, or "
                   "1-12 (blank) for the whole year"))
    out = pd.DataFrame({"entity_id": ids.astype(str), "source": source.astype(str),
                        "meter": f["meter"].astype(str), "months": months,
                        "note": f["note"].astype(str), "row": table.rows})
    dup = (out.duplicated(["entity_id", "source", "meter"]).to_numpy() & ok & ~bad_src)
    table.report(dup, "meter", "duplicate",
                 _("the same entity, source and meter is on an earlier row"),
                 _("keep one row per meter"))
    good = ok & ~unknown & ~bad_src & ~bad_months & ~dup
    return out[good].reset_index(drop=True)


#: What identifies one meter (or one invoice series): its periods should neither overlap nor leave gaps.
METER = ["entity_id", "source", "stream", "meter", "use", "instrument"]
#: At most this many gaps, overlaps or duplicates are listed one by one; the rest are counted.
MAX_LISTED_NOTICES = 20


def _listed(code: str, lines: list[Msg], total: int, more: Msg,
            origins: list[Origin | None] | None = None) -> list[Notice]:
    """The first lines one by one (each with the table it is about, when known), then a count
    of the rest (``more``: a message with ``{n}``)."""
    at = origins or [None] * len(lines)
    out = [Notice(code, line, o) for line, o in zip(lines[:MAX_LISTED_NOTICES], at, strict=False)]
    if total > MAX_LISTED_NOTICES:
        out.append(Notice(code, Msg(more.msgid, n=total - MAX_LISTED_NOTICES)))
    return out


def _meter(frame: pd.DataFrame, at: np.ndarray) -> list[Joined]:
    """A readable name for the rows at ``at``: ``E1 electricity`` (+ use, instrument when given;
    the source in each language's words)."""
    parts = [frame[k].iloc[at].astype(str).tolist() for k in METER]
    src = METER.index("source")
    return [Joined([vocab.source_name(v) if i == src else v for i, v in enumerate(values) if v],
                   " ", " ") for values in zip(*parts, strict=True)]


def _days(d: np.ndarray) -> list[str]:
    """Day numbers (since 1970-01-01) as dates in text: 2024-01-31."""
    return [str(x) for x in d.astype("datetime64[D]")]


def period_notices(activity: pd.DataFrame, where: str | list[str],
                   origins: list[Origin] | None = None) -> list[Notice]:
    """Warnings for duplicate rows and for overlaps in each meter's periods.

    ``where`` names the activity table; for rows read from several inputs (a ``part`` column),
    one name per input, and ``origins`` their tables: a row is then named with its input when
    the row it is compared with comes from another.

    A meter is one combination of the :data:`METER` columns. Rows are sorted once by meter and
    period; each period is compared with the latest end among the meter's earlier periods (a grouped
    cumulative maximum, shifted by one): a start on or before it is an overlap. A row equal to an
    earlier one in meter, period, quantity and unit is a duplicate (and not counted again as an
    overlap). Everything runs on integer codes; only the listed rows are put into words. Gaps
    (inside a year and at its edges, against the entity's boundary and the meter's declared
    months) are :mod:`carbon.coverage`'s.
    """
    if activity.empty:
        return []
    meter = np.zeros(len(activity), dtype=np.int64)
    meters = 1
    for col in METER:
        codes, values = _factorized(activity[col])
        if len(values) == 1:  # one value on every row (a column left blank): tells no meter apart
            continue
        meter = meter * (len(values) + 1) + codes
        meters *= len(values) + 1
    start = activity["period_start"].to_numpy().astype("datetime64[D]").astype(np.int64)
    end = activity["period_end"].to_numpy().astype("datetime64[D]").astype(np.int64)
    s_min, e_min = int(start.min()), int(end.min())
    s_span, e_span = int(start.max()) - s_min + 1, int(end.max()) - e_min + 1
    if meters * s_span * e_span >= 2**62:  # too many to code as they are: number them densely
        meter = pd.factorize(meter)[0].astype(np.int64)
        meters = int(meter.max()) + 1
    # one integer per row, sorting by meter, then start, then end
    key = (meter * s_span + (start - s_min)) * e_span + (end - e_min)
    qty = activity["quantity"].to_numpy()
    unit = _factorized(activity["unit"])[0]
    rows = activity["row"].to_numpy()
    # a stable sort (timsort) takes rows entered meter by meter, or month by month, in one pass
    # or a few merges: 30-40 ms at a million rows instead of 80; shuffled rows cost 10% more
    ks = np.sort(key, kind="stable")
    dup = np.zeros(len(key), dtype=bool)
    if (ks[1:] == ks[:-1]).any():  # rows sharing meter and period: duplicates only among them
        cand = np.flatnonzero(np.isin(key, ks[1:][ks[1:] == ks[:-1]]))
        dup[cand] = pd.DataFrame({"key": key[cand], "unit": unit[cand], "qty": qty[cand]}
                                 ).duplicated().to_numpy()
        if dup.any():
            ks = np.sort(key[~dup], kind="stable")

    def position(p: int) -> int:
        """The activity row at sorted position ``p`` (ties in row order)."""
        same = np.flatnonzero((key == ks[p]) & ~dup)
        return int(same[p - int(np.searchsorted(ks, ks[p]))])

    names = [where] if isinstance(where, str) else where
    part = (activity["part"].to_numpy() if len(names) > 1 and "part" in activity
            else np.zeros(len(activity), dtype=np.int64))

    def row_of(i: int, j: int) -> Msg:
        """Row ``j`` as named from a line about row ``i``: with its input if another."""
        return (_("row {row}", row=rows[j]) if part[i] == part[j] else
                _("{table} row {row}", table=names[part[j]], row=rows[j]))

    dup_at = np.flatnonzero(dup)
    shown = dup_at[:MAX_LISTED_NOTICES]
    first = [int(np.flatnonzero((key == key[i]) & (unit == unit[i]) & (qty == qty[i]))[0])
             for i in shown]
    dup_lines = [_("{table}: row {row} repeats {other} ({meter}, {start} to {end}); both are "
                   "counted: delete one if it is entered twice", table=names[part[i]],
                   row=rows[i], other=row_of(i, j), meter=m, start=s0, end=s1)
                 for i, j, m, s0, s1 in zip(shown, first, _meter(activity, shown),
                                            _days(start[shown]), _days(end[shown]), strict=True)]
    # gaps and overlaps among the rest, per meter in period order: decode the sorted keys
    m_o, rest = np.divmod(ks, s_span * e_span)
    s_o, e_o = np.divmod(rest, e_span)
    s_o += s_min
    e_o += e_min
    reach = np.maximum.accumulate(m_o * e_span + (e_o - e_min)) - m_o * e_span + e_min
    prev_end = np.r_[0, reach[:-1]]
    valid = np.r_[False, m_o[1:] == m_o[:-1]]
    overlap = valid & (s_o <= prev_end)

    def latest(p: int) -> int:
        """The sorted position of the meter's earlier period that ends last (the one ``p``
        overlaps; the last of them when several end that day)."""
        first = int(np.searchsorted(m_o, m_o[p]))
        return first + int(np.flatnonzero(e_o[first:p] == prev_end[p])[-1])

    def listed(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Msg], list[Joined]]:
        at = np.flatnonzero(mask)[:MAX_LISTED_NOTICES]
        now = np.array([position(int(p)) for p in at], dtype=np.int64)
        before = [row_of(int(i), position(latest(int(p)))) for i, p in zip(now, at, strict=True)]
        return at, now, before, _meter(activity, now)

    v, v_now, v_prev, v_name = listed(overlap)
    over_lines = [_("{table}: {meter}: row {row} ({start} to {end}) overlaps an earlier period "
                    "ending {previous} ({other}); both are counted: check for a reading entered "
                    "twice, or tell two meters apart with a note", table=names[part[i]], meter=m,
                    row=rows[i], start=a, end=b, previous=c, other=r0)
                  for m, i, a, b, c, r0 in zip(v_name, v_now, _days(s_o[v]), _days(e_o[v]),
                                               _days(prev_end[v]), v_prev, strict=True)]
    at = origins or []
    return [*_listed("duplicate_row", dup_lines, len(dup_at), _("and {n} more duplicate rows"),
                     [at[part[i]] for i in shown] if at else None),
            *_listed("period_overlap", over_lines, int(overlap.sum()),
                     _("and {n} more overlapping meter periods"),
                     [at[part[i]] for i in v_now] if at else None)]


@dataclass
class Checked:
    """The validated tables of one input, and every problem found in them (the caller raises).

    ``ids``: the entity ids the input's entities table names, valid or not (rows naming one of
    them are not reported again as naming an unknown entity).
    """

    entities: pd.DataFrame
    activity: pd.DataFrame
    denominators: pd.DataFrame | None
    custom_factors: pd.DataFrame | None
    meters: pd.DataFrame | None
    ids: set[str]
    problems: list[Problem]


def check_tables(tables: dict[str, RawTable], instruments: list[str] | None,
                 known: set[str] | None = None) -> Checked:
    """Validate the raw tables of one input (every problem collected, nothing raised).

    ``known``: for a branch file read with the head office's inventory, the head office's
    entity ids: its rows may name them besides the entities the file lists itself.
    """
    for t in tables.values():
        check_columns(t)
    for name in ("entities", "activity"):
        t = tables[name]
        if t.frame.empty:
            t.problems.append(Problem(
                t.origin.file, t.origin.sheet, 2, None, "no_rows", "",
                _("the sheet has its header but no rows") if t.origin.sheet else
                _("the file has its header but no rows"),
                _("add the {table} rows under the header", table=name),
                "A2" if t.origin.sheet else None))
    for t in tables.values():
        t.check_lengths()
    entities = _entities(tables["entities"], known)
    own = set(entities["entity_id"]) | set(tables["entities"].frame["entity_id"])
    rows = check_rows(tables, own | (known or set()), instruments)
    problems = [p for t in tables.values() for p in t.problems]
    return replace(rows, entities=entities.reset_index(drop=True), ids={str(i) for i in own},
                   problems=problems)


def check_rows(tables: dict[str, RawTable], ids: set[str], instruments: list[str] | None) -> Checked:
    """Validate the tables other than ``entities`` (their columns checked already), the entity
    ids their rows may name being ``ids``; the problems stay in each table's ``problems``."""
    activity = _activity(tables["activity"], ids, instruments)
    denominators = (_denominators(tables["denominators"], ids)
                    if "denominators" in tables else None)
    custom = _custom_factors(tables["custom_factors"]) if "custom_factors" in tables else None
    meters = _meters(tables["meters"], ids) if "meters" in tables else None
    return Checked(pd.DataFrame(), activity, denominators, custom, meters, set(), [])


def check_pending(table: RawTable, ids: set[str], instruments: list[str] | None) -> pd.DataFrame:
    """Validate activity rows whose quantity is still blank (a template's rows not yet filled
    in) as the filled ones are, their quantity taken as 0; their problems are added to
    ``table.problems`` (not those of its columns, reported with the filled rows)."""
    check_columns(table)
    table.problems.clear()
    table.frame["quantity"] = "0"
    table.check_lengths()
    return _activity(table, ids, instruments)


def inventory_notices(activity: pd.DataFrame, denominators: pd.DataFrame | None,
                      origins: list[Origin]) -> list[Notice]:
    """The warnings of a validated inventory: duplicate rows and overlapping periods (the
    activity table of each input in ``origins``, the rows' ``part`` saying whose), no
    denominators, estimated rows."""
    notices = period_notices(activity, [table_label(o) for o in origins], origins)
    if denominators is None or denominators.empty:
        notices.append(Notice("no_denominators", _("no denominators table: intensities are left "
                                                   "empty; add floor_area_m2 and headcount per "
                                                   "entity and year")))
    est = activity["data_quality"] == "estimated"
    if est.any():
        n = int(est.sum())
        notices.append(Notice("estimated_data", _("1 activity row is an estimate (data_quality "
                                                  "= estimated)") if n == 1 else
                              _("{n} activity rows are estimates (data_quality = estimated)",
                                n=n)))
    return notices


def table_label(origin: Origin) -> str:
    """A table as warnings name it: ``inv/activity.csv`` or ``inv.xlsx, sheet activity``."""
    return (_("{file}, sheet {sheet}", file=origin.file, sheet=origin.sheet) if origin.sheet
            else origin.file)


def origins_of(tables: dict[str, RawTable], settings: Origin | None = None) -> dict[str, Origin]:
    """Where each table of an input came from, and its settings when it has any: the file (and
    sheet) a problem names."""
    origins = {n: t.origin for n, t in tables.items()}
    if settings is not None:
        origins["settings"] = settings
    return origins


def build_inventory(path: Path, tables: dict[str, RawTable], settings: Settings,
                    files: list[Path], problems: list[Problem],
                    instruments: list[str] | None, notices: list[Notice] | None = None,
                    template_language: str | None = None,
                    settings_origin: Origin | None = None) -> Inventory:
    """Validate raw tables into an inventory, or raise one InputError with every problem.

    ``problems`` are those the reader already found (a missing file, a bad settings key …);
    ``notices`` the warnings it found (hidden rows …), listed before those found here.
    """
    checked = check_tables(tables, instruments)
    problems = problems + checked.problems
    if problems:
        raise InputError(problems)
    activity = checked.activity
    activity["part"] = np.zeros(len(activity), dtype=np.int16)
    meters = checked.meters
    if meters is not None:
        meters["part"] = np.zeros(len(meters), dtype=np.int16)
    notices = [*(notices or []), *inventory_notices(activity, checked.denominators,
                                                    [tables["activity"].origin])]
    origins = origins_of(tables, settings_origin)
    letters = {n: dict(t.letters) for n, t in tables.items() if t.letters}
    return Inventory(path, checked.entities, activity, checked.denominators,
                     checked.custom_factors, settings, origins, files, notices, meters=meters,
                     letters=letters, parts=[Part(path, origins, letters, list(files),
                                                  frozenset(checked.entities["entity_id"]))],
                     template_language=template_language)


def origin_label(path: Path, base: Path) -> Origin:
    """How an input file is named in messages: relative to the inventory when inside it."""
    try:
        return Origin(str(path.relative_to(base)))
    except ValueError:
        return Origin(str(path))
