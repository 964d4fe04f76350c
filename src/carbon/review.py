"""What needs a look before an inventory's figures are published: the reporting years, coverage,
plausibility and boundary events, each finding located and put into words.

The orchestration above :mod:`carbon.coverage` and :mod:`carbon.plausibility`: ``carbon
compute`` adds the findings to its warnings (and, with ``--strict``, fails on them); ``carbon
check`` lists them with what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbon import boundary, vocab
from carbon.coverage import (
    ALL_MONTHS,
    MISSING,
    OUTSIDE,
    PARTIAL,
    Coverage,
    calendar_years,
    coverage,
    day_numbers,
    dense,
    partial_years,
    series_codes,
)
from carbon.errors import InputError, Problem, YearsWithoutData
from carbon.i18n import Joined, Msg, Words, _
from carbon.io.parse import months_text
from carbon.model import Inventory, Notice, Origin
from carbon.plausibility import likely_mixup, outliers, unit_basis
from carbon.schema import ENTRY_EVENTS, EXIT_EVENTS

#: The warnings that need a look: ``carbon check`` exits 1 on them, ``compute --strict`` fails.
FINDINGS = frozenset({"period_gap", "source_missing", "outlier", "period_overlap",
                      "duplicate_row", "outside_boundary", "acquisition_unstated",
                      "boundary_event_assumed"})
#: At most this many findings of one code are put into warnings one by one; the rest counted.
MAX_LISTED = 20
#: Gaps of one meter named in its line; the rest are counted.
GAPS_NAMED = 4


@dataclass
class Review:
    """An inventory reviewed over its reporting years.

    ``findings``: the coverage and plausibility findings, located (file, sheet, row, cell).
    ``notices``: the warnings every run lists: the findings in words (at most
    :data:`MAX_LISTED` per code, then a count) and the entities inside for part of a year.
    """

    years: list[int]
    coverage: Coverage
    findings: list[Problem]
    notices: list[Notice]

    def coverage_json(self) -> list[dict[str, Any]]:
        return coverage_records(self.coverage)


# -- the reporting years ---------------------------------------------------------------------------
def data_years(inv: Inventory) -> list[int]:
    """The calendar years the inventory's activity rows touch."""
    act = inv.activity
    if act.empty:
        return []
    y0 = calendar_years(day_numbers(act["period_start"]))
    y1 = calendar_years(day_numbers(act["period_end"]))
    lo = int(y0.min())
    span = int(y1.max()) - lo + 1
    _codes, pairs = dense((y0 - lo) * span + (y1 - lo), span * span)
    return sorted({lo + int(y) for p in pairs for y in range(int(p // span), int(p % span) + 1)})


def reporting_years(inv: Inventory, option: Sequence[int] | None) -> list[int]:
    """The years a run reports: ``--year``, else the settings' reporting years, else every year
    the activity touches."""
    return sorted(set(option or inv.settings.reporting_years)) or data_years(inv)


def _settings_origin(inv: Inventory) -> Origin:
    sheet = next((o for o in inv.origins.values() if o.sheet), None)
    if sheet is not None:
        return Origin(sheet.file, "settings")
    folder = inv.origins["activity"].file.rsplit("/", 1)[0]
    return Origin(f"{folder}/settings.toml")


def check_years(inv: Inventory, years: Sequence[int], option: Sequence[int] | None) -> None:
    """A reporting year without any activity is an error, never a column of zeros.

    Raises
    ------
    UsageError
        A ``--year`` the inventory has no activity in.
    InputError
        A year of the settings' ``reporting_years`` it has no activity in.
    """
    if not option and not inv.settings.reporting_years:
        return  # the years are those the activity touches (reporting_years)
    have = data_years(inv)
    empty = [y for y in years if y not in set(have)]
    if not empty:
        return
    shown = Joined(str(y) for y in empty)
    has = Joined(str(y) for y in have) if have else _("none")
    if option:
        raise YearsWithoutData(_(
            "--year {years}: the inventory has no activity in {years} (its activity rows cover "
            "{have}); a year without data would be reported as zeros. Report a year it has "
            "(--year {latest}), or add the activity rows of {years}", years=shown, have=has,
            latest=have[-1] if have else ""), empty, have)
    origin = _settings_origin(inv)
    raise InputError([Problem(
        origin.file, origin.sheet, None, "reporting_years", "no_activity", str(y),
        _("reporting year {year} has no activity rows (the inventory's activity covers {have}): "
          "its figures would be a column of zeros", year=y, have=has),
        _("add the activity rows of {year}, or take {year} out of reporting_years", year=y))
        for y in empty])


# -- words -------------------------------------------------------------------------------------------
def _where(origin: Origin) -> str:
    return (_("{file}, sheet {sheet}", file=origin.file, sheet=origin.sheet) if origin.sheet
            else origin.file)


def _fmt(x: float) -> str:
    """A quantity for reading: 25,000 · 412.5 · 0.0025."""
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def _times(ratio: float) -> Msg:
    return (_("{ratio} times", ratio=_fmt(ratio)) if ratio >= 1 else
            _("1/{ratio} of", ratio=_fmt(1 / ratio)))


def _meter_name(m: pd.Series | dict[str, Any]) -> Joined:
    parts: list[object] = [str(m["entity_id"]), vocab.source_name(str(m["source"]))]
    if m["meter"]:
        parts.append(_("meter {meter}", meter=m["meter"]))
    parts += [str(m[k]) for k in ("use", "instrument") if m[k]]
    return Joined(parts, " ", " ")


class _Locator:
    """Rows of an inventory's tables as the user names them: ``row 14`` in a CSV file,
    ``activity!E14`` in a workbook — each in its own input when the inventory was read from
    several (a row's ``part``). The coverage names activity rows and declared meters by their
    position + 1 (row numbers repeat from one input to the next): :meth:`activity_at`,
    :meth:`meter_at` turn those into (input, row)."""

    def __init__(self, inv: Inventory):
        self.inv = inv
        self._tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, frame in (("activity", inv.activity), ("meters", inv.meters)):
            if frame is not None:
                part = (frame["part"].to_numpy(dtype=np.int64) if "part" in frame
                        else np.zeros(len(frame), dtype=np.int64))
                self._tables[name] = (part, frame["row"].to_numpy(dtype=np.int64))

    def at(self, table: str, position: int) -> tuple[int, int]:
        """(input, row) of the row at ``position`` + 1 of ``table``; (0, 0) for 0 (none)."""
        if position <= 0 or table not in self._tables:
            return 0, 0
        part, row = self._tables[table]
        return int(part[position - 1]), int(row[position - 1])

    def activity_at(self, position: int) -> tuple[int, int]:
        return self.at("activity", position)

    def meter_at(self, position: int) -> tuple[int, int]:
        return self.at("meters", position)

    def origin(self, table: str, part: int = 0) -> Origin:
        return self.inv.origin_of(table, part)

    def cell(self, table: str, column: str, row: int, part: int = 0) -> str | None:
        letter = self.inv.letters_of(table, part).get(column)
        return f"{letter}{row}" if letter and row else None

    def ref(self, table: str, column: str, row: int, part: int = 0,
            home: int | None = None) -> str:
        """``activity!E14`` or ``row 14``; preceded by its input's file when it is not the
        ``home`` input (the one the message is about)."""
        cell = self.cell(table, column, row, part)
        o = self.origin(table, part)
        text: str = f"{o.sheet}!{cell}" if cell and o.sheet else _("row {row}", row=row)
        if home is not None and part != home:
            text = Joined([o.file, text], ", ", "，") if o.sheet else Joined([o.file, text], " ")
        return text

    def row_text(self, table: str, part: int, row: int, home: int) -> str:
        """``row 14``, preceded by its input's file when that is not ``home``; "" for none."""
        if not row:
            return ""
        return (_("row {row}", row=row) if part == home else
                _("{file} row {row}", file=self.origin(table, part).file, row=row))

    def problem(self, table: str, row: int | None, column: str | None, code: str, value: str,
                message: str, fix: str, part: int = 0) -> Problem:
        o = self.origin(table, part)
        cell = self.cell(table, column, row, part) if column and row else None
        return Problem(o.file, o.sheet, row, column, code, value, message, fix, cell)


def notice_of(p: Problem) -> Notice:
    """A finding as a warning line: where, what, what to do."""
    where = _("{file}, sheet {sheet}", file=p.file, sheet=p.sheet) if p.sheet else p.file
    return Notice(p.code, _("{where}: {message}; {fix}", where=where, message=p.message,
                            fix=p.fix))


def _listed(code: str, problems: list[Problem], more: Msg) -> list[Notice]:
    """The findings as warning lines (at most :data:`MAX_LISTED`), then a count of the rest
    (``more``: a message with ``{n}``)."""
    out = [notice_of(p) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        out.append(Notice(code, Msg(more.msgid, n=len(problems) - MAX_LISTED)))
    return out


# -- coverage in words ------------------------------------------------------------------------------
def _between(before: str, after: str) -> str:
    """The rows either side of a gap (``row 5``, or ``BR01.xlsx row 5`` in another input)."""
    if before and after:
        if isinstance(before, Msg) and isinstance(after, Msg) and \
                before.msgid == after.msgid == "row {row}":
            return _(" (between rows {before} and {after})", before=before.params["row"],
                     after=after.params["row"])
        return _(" (between {before} and {after})", before=before, after=after)
    if after:
        return _(" (before {after})", after=after)
    if before:
        return _(" (after {before})", before=before)
    return ""


def _season_hints(cov: Coverage, records: np.ndarray, meter_of: np.ndarray) -> dict[int, str]:
    """For the meters that miss the same whole months in every year they are checked and run in
    the others (one run of 3 to 8 months: a season, not a month or two lost), the declaration
    that makes those months expected: ``{meter: "11-3"}``. ``records`` are sorted by meter."""
    if not len(records):
        return {}
    status = cov.month_status(records)
    heads = np.flatnonzero(np.r_[True, meter_of[1:] != meter_of[:-1]])
    missing = np.logical_and.reduceat(status == MISSING, heads, axis=0)
    odd = np.logical_or.reduceat((status == PARTIAL) | (status == OUTSIDE), heads, axis=0)
    out = {}
    bad = [bool(x) for x in np.atleast_1d(np.any(odd, axis=1))]
    for m, miss, odd_months in zip(meter_of[heads].tolist(), missing.tolist(), bad, strict=True):
        if odd_months or not 4 <= sum(miss) <= 9:
            continue
        text = months_text(sum(1 << i for i in range(12) if not miss[i]))
        if "," not in text:
            out[int(m)] = text
    return out


def coverage_findings(inv: Inventory, cov: Coverage, where: _Locator) -> list[Problem]:
    """One finding per meter with missing days (its gaps in one line); one per entity and source
    missing in a year it has none of while it has rows in another."""
    t, g, meters = cov.table, cov.gaps, cov.meters
    out: list[Problem] = []
    t_meter = t["meter"].to_numpy()
    gap_rec = g["record"].to_numpy()
    sel = np.flatnonzero(~t["source_missing"].to_numpy()[gap_rec])  # a missing source: below
    if len(sel):
        g_meter = t_meter[gap_rec[sel]]  # sorted: gaps by record, records by meter and year
        heads = np.flatnonzero(np.r_[True, g_meter[1:] != g_meter[:-1]])
        sizes = np.diff(np.r_[heads, len(sel)])
        days = np.add.reduceat(g["days"].to_numpy()[sel], heads)
        recorded = np.bincount(t_meter, weights=t["days_recorded"].to_numpy(),
                               minlength=len(meters))
        starts = g["start"].to_numpy().astype("datetime64[D]").astype(str)
        ends = g["end"].to_numpy().astype("datetime64[D]").astype(str)
        before, after = g["row_before"].to_numpy(), g["row_after"].to_numpy()
        rec_sel = np.unique(gap_rec[sel])
        hints = _season_hints(cov, rec_sel, t_meter[rec_sel])
        attrs = meters[["entity_id", "source", "meter", "use", "instrument", "months",
                        "declared_row"]].to_numpy()
        for h, n, d in zip(heads.tolist(), sizes.tolist(), days.tolist(), strict=True):
            m = int(g_meter[h])
            eid, src, mid, use, instr, months, declared = attrs[m]
            name = _meter_name({"entity_id": eid, "source": src, "meter": mid, "use": use,
                                "instrument": instr})
            mine = sel[h:h + n]
            if declared and not recorded[m]:
                home, row = where.meter_at(int(declared))
            else:
                home, row = where.activity_at(int(after[mine[0]] or before[mine[0]]))

            def either(i: int, home: int = home) -> str:
                b, a = (where.activity_at(int(x[i])) for x in (before, after))
                return _between(where.row_text("activity", *b, home),
                                where.row_text("activity", *a, home))

            pieces = Joined(_("from {start} to {end}{rows}", start=starts[i], end=ends[i],
                              rows=either(i)) for i in mine[:GAPS_NAMED])
            more = (_(" and {n} more periods ({days} days in all)", n=n - GAPS_NAMED,
                      days=f"{int(d):,}") if n > GAPS_NAMED else "")
            if declared and not recorded[m]:
                ref = where.ref("meters", "meter", row, home)
                out.append(where.problem(
                    "meters", row, "meter", "period_gap", str(mid),
                    _("{meter} (declared in the meters table, {where}): nothing recorded "
                      "{periods}{more}", meter=name, where=ref, periods=pieces, more=more),
                    _("add its readings or invoices to activity (the same entity, source and "
                      "meter), or delete its meters row if it no longer runs"), home))
                continue
            hint = (_("; if it runs only in months {months} (a heating season, say), declare it "
                      "in the meters table with months = {months}: its other months are then "
                      "not gaps", months=hints[m])
                    if m in hints and int(months) == ALL_MONTHS else "")
            out.append(where.problem(
                "activity", row or None, "period_start", "period_gap", "",
                _("{meter}: nothing recorded {periods}{more}", meter=name, periods=pieces,
                  more=more),
                _("add the missing periods if the meter ran{hint}", hint=hint) if n > 1 else
                _("add the missing period if the meter ran{hint}", hint=hint), home))
    if t["source_missing"].any():
        out += _source_findings(inv, cov, where)
    return out


def _source_findings(inv: Inventory, cov: Coverage, where: _Locator) -> list[Problem]:
    """One finding per entity and source with no row in a reporting year (the entity inside the
    boundary) while it has rows in another year."""
    t, meters, spans = cov.table, cov.meters, cov.spans
    es_of_meter, _names = pd.factorize(meters["entity_id"] + "\x1f" + meters["source"])
    es_of_meter = np.asarray(es_of_meter, dtype=np.int64)
    # the years each entity and source has rows in (every year, not only the reported)
    y0, y1 = calendar_years(spans.start), calendar_years(spans.end)
    has: dict[int, set[int]] = {}
    for e, a, b in set(zip(es_of_meter[spans.series].tolist(), y0.tolist(), y1.tolist(),
                           strict=True)):
        has.setdefault(e, set()).update(range(a, b + 1))
    lack = t[t["source_missing"].to_numpy()]
    lack_es = es_of_meter[lack["meter"].to_numpy()]
    missing: dict[int, set[int]] = {}
    first_meter: dict[int, int] = {}
    for e, m, y in zip(lack_es.tolist(), lack["meter"].tolist(), lack["year"].tolist(),
                       strict=True):
        missing.setdefault(e, set()).add(y)
        first_meter.setdefault(e, m)
    ent_rows = inv.entities["row"].to_numpy() if "row" in inv.entities else None
    out = []
    ent_of = meters["entity"].tolist()
    for e in sorted(missing, key=lambda k: first_meter[k]):  # meters are sorted by entity
        first = first_meter[e]
        eid, src = str(meters["entity_id"].iat[first]), str(meters["source"].iat[first])
        years = sorted(has.get(e, set()))
        has_text = Joined([Joined(str(y) for y in years[:6]), " …" if len(years) > 6 else ""],
                          "", "")
        miss_text = Joined(str(y) for y in sorted(missing[e]))
        row = (int(ent_rows[ent_of[first]]) if ent_rows is not None and ent_of[first] >= 0
               else None)
        known = vocab.sources().get(src)
        label = (Words(known.en.lower(), known.zh_hans, known.zh_hant) if known is not None
                 else src.lower())
        out.append(where.problem(
            "entities", row, "entity_id", "source_missing", eid,
            _("{entity} {source}: rows in {have}, none in {missing} (while {entity} is inside "
              "the boundary)", entity=eid, source=vocab.source_name(src), have=has_text,
              missing=miss_text),
            _("add its {source} rows of {missing} if it used any; if {entity} left the "
              "boundary, write its last day in included_to", source=label, missing=miss_text,
              entity=eid)))
    return out


def _partial_notices(inv: Inventory, years: list[int], where: _Locator) -> list[Notice]:
    """A note for each entity inside the boundary for part of a reporting year."""
    part = partial_years(inv.entities, years)
    if part.empty:
        return []
    ent = inv.entities
    ids = ent["entity_id"].astype(str).tolist()
    entry = ent["entry"].astype(str).tolist() if "entry" in ent else [""] * len(ent)
    exit_ = ent["exit"].astype(str).tolist() if "exit" in ent else [""] * len(ent)
    rule = inv.settings.boundary_mid_year
    out = []
    for e, year, a, b, days, year_days in zip(
            part["entity"].tolist(), part["year"].tolist(),
            part["start"].astype(str).str.slice(0, 10).tolist(),
            part["end"].astype(str).str.slice(0, 10).tolist(), part["days"].tolist(),
            part["year_days"].tolist(), strict=True):
        enters = a != f"{year}-01-01"
        event = entry[e] if enters else exit_[e]
        events = ENTRY_EVENTS if enters else EXIT_EVENTS
        if event in events:
            _rule, hans, hant, en = events[event]
            said: object = Joined(["", Words(en, hans, hant)], ", ", "，")
        else:
            said = f", {event}" if event else ""
        counts = (_("its figures count all its rows of {year} (boundary_mid_year = whole_year)",
                    year=year) if rule == "whole_year" else
                  _("its figures count only those days (boundary_mid_year = pro_rata)"))
        out.append(Notice("partial_year", _(
            "{table}: {entity} is inside the boundary from {start} to {end} in {year} ({days} "
            "of {year_days} days{event}): a partial year; coverage counts those days, {counts}",
            table=_where(where.origin("entities")), entity=ids[e], start=a, end=b, year=year,
            days=days, year_days=year_days, event=said, counts=counts)))
    if len(out) > MAX_LISTED:
        rest = len(out) - MAX_LISTED
        out = [*out[:MAX_LISTED], Notice("partial_year", _(
            "and {n} more entity-years inside the boundary for part of the year", n=rest))]
    return out


# -- plausibility in words -----------------------------------------------------------------------
def _cause(ratio: float, unit: str, qty: float) -> str:
    """The likely cause of a value ``ratio`` times its typical, in words (or "")."""
    mix = likely_mixup(float(np.log10(ratio)), unit)
    bare = unit.replace("万", "").replace("萬", "") or unit
    if mix == 4 and ratio > 1 and bare != unit:
        return _("; likely cause: 万 and the base unit mixed up (10⁴): {qty} {bare} is "
                 "{converted} {unit}", qty=_fmt(qty), bare=bare, converted=_fmt(qty / 1e4),
                 unit=unit)
    if mix == 4 and ratio > 1:
        return _("; likely cause: 万 and the base unit mixed up (10⁴)")
    if mix == 4:
        return _("; likely cause: 万 and the base unit mixed up (10⁴): {qty} 万{bare} is "
                 "{converted} {bare}", qty=_fmt(qty), bare=bare, converted=_fmt(qty * 1e4))
    if mix == 3:
        return (_("; likely cause: a unit a thousand times smaller (10³: MWh and kWh, t and kg, "
                  "m³ and L mixed up)") if ratio > 1 else
                _("; likely cause: a unit a thousand times larger (10³: MWh and kWh, t and kg, "
                  "m³ and L mixed up)"))
    return ""


def _whole_years(act: pd.DataFrame, rows: pd.DataFrame, series: np.ndarray
                 ) -> tuple[list[tuple[np.ndarray, float, int]], pd.DataFrame]:
    """The meter-years (three rows or more) whose every row is flagged the same way: their rows,
    the median ratio and the meter's number of periods; and the flagged rows left."""
    pos = rows["position"].to_numpy()
    year_all = calendar_years(day_numbers(act["period_start"]))
    y_min = int(year_all.min())
    n_years = int(year_all.max()) - y_min + 1
    per_cell = np.bincount(series * n_years + (year_all - y_min))  # rows per meter and year
    cell = series[pos] * n_years + (year_all[pos] - y_min)
    up = rows["ratio"].to_numpy() > 1
    order = np.lexsort((up, cell))
    c, u = cell[order], up[order]
    heads = np.flatnonzero(np.r_[True, (c[1:] != c[:-1]) | (u[1:] != u[:-1])])
    sizes = np.diff(np.r_[heads, len(order)])
    whole = []
    done = np.zeros(len(rows), dtype=bool)
    ratio, periods = rows["ratio"].to_numpy(), rows["periods"].to_numpy()
    for h, n in zip(heads.tolist(), sizes.tolist(), strict=True):
        if n < 3 or per_cell[c[h]] != n:
            continue
        at = np.sort(order[h:h + n])
        done[at] = True
        whole.append((pos[at], float(np.median(ratio[at])), int(periods[at[0]])))
    return whole, rows[~done]


def _typical_of(n: int, what: str) -> Msg:
    """Where a typical value comes from: the median of a series, or the one other value
    (``what``: ``period`` or ``year``)."""
    if what == "period":
        return (_("the rate per day of its other period") if n == 2 else
                _("the median rate per day of its {n} periods", n=n))
    return (_("the rate per day of its other year") if n == 2 else
            _("the median rate per day of its {n} years", n=n))


def plausibility_findings(inv: Inventory, years: list[int], where: _Locator,
                          series: tuple[np.ndarray, pd.DataFrame]) -> list[Problem]:
    """The outliers of :func:`carbon.plausibility.outliers` in words, each at its row."""
    act = inv.activity
    s = inv.settings
    found = outliers(act, years, s.outlier_factor, s.outlier_factor_years, series)
    out = []
    units = act["unit"].array  # read at the rows found (a million texts never made)
    quantity = act["quantity"].to_numpy()
    user_row = act["row"].to_numpy()
    user_part = (act["part"].to_numpy() if "part" in act
                 else np.zeros(len(act), dtype=np.int64))
    dates = {c: act[c].to_numpy() for c in ("period_start", "period_end")}

    codes, meters = series
    named: list[Joined] = []

    def meter_of(i: int) -> Joined:
        if not named:  # every meter's name, once
            keys = ("entity_id", "source", "meter", "use", "instrument")
            named.extend(_meter_name(dict(zip(keys, values, strict=True)))
                         for values in zip(*(meters[k].tolist() for k in keys), strict=True))
        return named[int(codes[i])]

    rows_found = found.rows
    if len(rows_found) >= 3:  # a meter's whole year off the same way: one finding, not twelve
        whole, rows_found = _whole_years(act, rows_found, series[0])
        for pos, ratio, periods in whole:
            first, last = int(user_row[pos[0]]), int(user_row[pos[-1]])
            p0, p1 = int(user_part[pos[0]]), int(user_part[pos[-1]])
            year = str(dates["period_start"][pos[0]])[:4]
            unit = str(units[pos[0]])
            qty = float(np.median(quantity[pos]))
            out.append(where.problem(
                "activity", first, "quantity", "outlier", _fmt(qty),
                _("{first} to {last} ({meter}): each of its {n} rows of {year} is about {times} "
                  "the meter's typical for its period ({typical}){cause}",
                  first=where.ref("activity", "quantity", first, p0),
                  last=where.ref("activity", "quantity", last, p1, p0),
                  meter=meter_of(int(pos[0])), n=len(pos), year=year, times=_times(ratio),
                  typical=_typical_of(periods, "period"), cause=_cause(ratio, unit, qty)),
                _WHOLE_YEAR_FIX, p0))
    for i, ratio, typical_rate, periods, size in zip(
            rows_found["position"].tolist(), rows_found["ratio"].tolist(),
            rows_found["typical"].tolist(), rows_found["periods"].tolist(),
            rows_found["size"].tolist(), strict=True):
        row, part = int(user_row[i]), int(user_part[i])
        unit = str(units[i])
        qty = float(quantity[i])
        a, b = (str(dates[c][i])[:10] for c in ("period_start", "period_end"))
        days = int((np.datetime64(b) - np.datetime64(a)).astype(int)) + 1
        typical = typical_rate * days / size
        cause = _cause(ratio, unit, qty)
        out.append(where.problem(
            "activity", row, "quantity", "outlier", _fmt(qty),
            _("{where} ({meter}, {start} to {end}): {qty} {unit} is {times} the meter's typical "
              "{typical} {unit} for such a period ({days} days at {basis}){cause}",
              where=where.ref("activity", "quantity", row, part), meter=meter_of(i), start=a,
              end=b, qty=_fmt(qty), unit=unit, times=_times(ratio), typical=_fmt(typical),
              days=days, basis=_typical_of(periods, "period"), cause=cause),
            _("check the figure and its unit against the invoice or meter reading, and correct "
              "the quantity or the unit"), part))
    y = found.years
    for eid, src, year, first_pos, n, rate_base, typ_base, ratio, n_years in zip(
            y["entity_id"].tolist(), y["source"].tolist(), y["year"].tolist(),
            y["first"].tolist(), y["rows"].tolist(), y["rate"].tolist(), y["typical"].tolist(),
            y["ratio"].tolist(), y["years"].tolist(), strict=True):
        row, part = int(user_row[first_pos]), int(user_part[first_pos])
        unit = str(units[first_pos])
        size = unit_basis(unit)[1]
        rate, typical = rate_base / size, typ_base / size
        rows_from = (_("1 row from {where}", where=where.ref("activity", "quantity", row, part))
                     if n == 1 else
                     _("{n} rows from {where}", n=n,
                       where=where.ref("activity", "quantity", row, part)))
        out.append(where.problem(
            "activity", row, "quantity", "outlier", f"{_fmt(rate)} {unit}/d",
            _("{entity} {source} in {year} ({rows}): {rate} {unit} a day is {times} its typical "
              "{typical} {unit} a day ({basis}){cause}", entity=eid,
              source=vocab.source_name(src), year=year,
              rows=rows_from, rate=_fmt(rate), unit=unit, times=_times(ratio),
              typical=_fmt(typical), basis=_typical_of(n_years, "year"),
              cause=_cause(ratio, unit, rate)),
            _WHOLE_YEAR_FIX, part))
    return out


#: What to do about a year of a meter far off its other years.
_WHOLE_YEAR_FIX = _("check that year's figures and units against the invoices; a whole year in "
                    "the wrong unit moves every figure of it")


# -- boundary events ----------------------------------------------------------------------------
def unstated_event_words(u: dict[str, object]) -> tuple[str, str, str, Msg, Msg] | None:
    """An entity entering or leaving with no event stated (one record of
    :func:`carbon.boundary.unstated_events`), in words: code, column, value, what a restatement
    assumes, and how to state the event. None where nothing needs saying."""
    eid, date, n = u["entity_id"], u["date"], int(str(u["rows_outside"]))
    if u["change"] == "entry" and date is None:
        return ("acquisition_unstated", "entry", str(u["kind_says"]),
                _("{entity}: its kind says {kind} but no entry is stated: it counts as inside the "
                  "boundary from the start (every year it has rows, the base year included)",
                  entity=eid, kind=u["kind_says"]),
                _("to record the acquisition, write its acquisition date in included_from and "
                  "entry = acquisition"))
    if u["change"] == "entry" and (n or u["kind_says"] == "acquisition"):
        why = (_("it has 1 activity row before that date") if n == 1 else
               _("it has {n} activity rows before that date", n=n) if n else
               _("its kind says {kind}", kind=u["kind_says"]))
        return ("acquisition_unstated", "entry", str(date),
                _("{entity} enters the boundary on {date} with no entry stated: a restatement "
                  "takes it as an opening (organic growth: the years before unchanged), but "
                  "{why}", entity=eid, date=date, why=why),
                _("if it was acquired, write entry = acquisition (its rows before {date} are "
                  "then added to the earlier years, the base year included: give them for every "
                  "restated year); if it opened then, write entry = opening", date=date))
    if u["change"] == "entry":
        return ("boundary_event_assumed", "entry", str(date),
                _("{entity} enters the boundary on {date} with no entry stated: a restatement "
                  "takes it as an opening (organic growth: the years before unchanged)",
                  entity=eid, date=date),
                _("write entry = opening to confirm, or entry = acquisition (with its rows for "
                  "the earlier years) if it was acquired"))
    if date is not None:
        return ("boundary_event_assumed", "exit", str(date),
                _("{entity} leaves the boundary after {date} with no exit stated: a restatement "
                  "takes it as a closure (organic decline: the years before unchanged)",
                  entity=eid, date=date),
                _("write exit = closure to confirm, or exit = divestment if it was sold (it is "
                  "then removed from every earlier year)"))
    return None


def boundary_findings(inv: Inventory, years: Sequence[int]) -> list[Problem]:
    """Entities entering or leaving the boundary with no event stated: the rule a restatement
    would assume and how to state the event (:func:`carbon.boundary.unstated_events`)."""
    where = _Locator(inv)
    out = []
    for u in boundary.unstated_events(inv.entities, list(years), inv.activity):
        words = unstated_event_words(u)
        if words is not None:
            code, column, value, message, fix = words
            row = int(str(u["row"])) if u["row"] is not None else None
            out.append(where.problem("entities", row, column, code, value, message, fix))
    return out


# -- the review ----------------------------------------------------------------------------------
def review(inv: Inventory, years: Sequence[int]) -> Review:
    """Coverage and plausibility of an inventory over its reporting years, in words.

    Parameters
    ----------
    inv : Inventory
        A validated inventory.
    years : sequence of int
        The reporting years (:func:`reporting_years`). [a]
    """
    years = sorted(set(years))
    codes = series_codes(inv.activity)
    # activity rows and declared meters named by position + 1 (the locator finds their input)
    declared = (inv.meters.assign(row=np.arange(1, len(inv.meters) + 1))
                if inv.meters is not None else None)
    cov = coverage(inv.activity, inv.entities, years, declared, series=codes,
                   rows=np.arange(1, len(inv.activity) + 1))
    where = _Locator(inv)
    gaps = coverage_findings(inv, cov, where)
    odd = plausibility_findings(inv, years, where, codes)
    notices = [*_listed("period_gap", [p for p in gaps if p.code == "period_gap"],
                        _("and {n} more meters with missing days")),
               *_listed("source_missing", [p for p in gaps if p.code == "source_missing"],
                        _("and {n} more entities with a source missing in a year")),
               *_partial_notices(inv, years, where),
               *_listed("outlier", odd, _("and {n} more values far off their series"))]
    return Review(years, cov, [*gaps, *odd], notices)


def coverage_records(cov: Coverage) -> list[dict[str, Any]]:
    """The coverage table of the JSON output: one object per meter and year (README, "Compute
    JSON")."""
    t, m, g = cov.table, cov.meters, cov.gaps
    meter = t["meter"].to_numpy()
    months = m["months"].to_numpy()
    texts = {int(x): months_text(int(x)) for x in np.unique(months)}
    declared = [texts[int(x)] if d > 0 else None
                for x, d in zip(months, m["declared_row"].to_numpy(), strict=True)]
    rec = g["record"].to_numpy()
    cut = np.searchsorted(rec, np.arange(len(t) + 1)).tolist()
    missing = [{"from": a, "to": b, "days": d} for a, b, d in zip(
        g["start"].astype(str).str.slice(0, 10).tolist(),
        g["end"].astype(str).str.slice(0, 10).tolist(), g["days"].tolist(), strict=True)]
    cols = [m[c].to_numpy()[meter].tolist() for c in ("entity_id", "source", "meter", "use",
                                                     "instrument")]
    nums = [t[c].tolist() for c in ("year", "days_in_boundary", "days_expected",
                                    "days_recorded", "days_estimated", "days_missing")]
    said = [declared[int(k)] for k in meter]
    return [{"entity_id": e, "source": s, "meter": mt, "use": u, "instrument": ins, "year": y,
             "months": ms, "days_in_boundary": db, "days_expected": de, "days_recorded": dr,
             "days_estimated": dest, "days_missing": dm, "source_missing": sm,
             "missing": missing[c0:c1]}
            for e, s, mt, u, ins, y, ms, db, de, dr, dest, dm, sm, c0, c1 in zip(
                *cols, nums[0], said, *nums[1:], t["source_missing"].tolist(), cut[:-1], cut[1:],
                strict=True)]


def _span_text(a: Any, b: Any) -> str:
    """A missing range for reading: ``2024-01``, ``2024-04 to 2024-10``, or its days."""
    a, b = np.datetime64(a, "D"), np.datetime64(b, "D")
    whole = (a == a.astype("datetime64[M]").astype("datetime64[D]")
             and b + 1 == (b + 1).astype("datetime64[M]").astype("datetime64[D]"))
    if whole:
        m0, m1 = str(a)[:7], str(b)[:7]
        return m0 if m0 == m1 else _("{start} to {end}", start=m0, end=m1)
    return str(a) if a == b else _("{start} to {end}", start=str(a), end=str(b))


def summary(cov: Coverage, limit: int = 3) -> Msg:
    """One line for the console: ``coverage: 58 meters, 2 with missing days (…)``."""
    t, m = cov.table, cov.meters
    n = int(np.unique(t["meter"].to_numpy()).size)
    gaps = t[t["days_missing"].to_numpy() > 0]
    lacking = np.unique(gaps["meter"].to_numpy())
    years = cov.years
    span = (f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}") if years else ""
    head = (_("coverage {span}: 1 meter", span=span) if n == 1 else
            _("coverage {span}: {n} meters", span=span, n=f"{n:,}"))
    estimated = int(np.unique(t.loc[t["days_estimated"].to_numpy() > 0, "meter"]).size)
    est = (_(" (1 meter with estimated days)") if estimated == 1 else
           _(" ({n} meters with estimated days)", n=f"{estimated:,}") if estimated else "")
    if not len(lacking):
        return _("{head}, every expected day recorded{estimated}", head=head, estimated=est)
    shown = []
    g = cov.gaps
    g_meter = t["meter"].to_numpy()[g["record"].to_numpy()]
    for k in lacking[:limit]:
        days = int(gaps.loc[gaps["meter"] == k, "days_missing"].sum())
        mine = g[g_meter == k]
        spans = [_span_text(a, b) for a, b in zip(mine["start"].iloc[:2], mine["end"].iloc[:2],
                                                   strict=True)]
        listed = Joined([Joined(spans), Words(", …", "、…", "、…") if len(mine) > 2 else ""],
                        "", "")
        shown.append(_("{meter}: {spans} (1 day)", meter=_meter_name(m.iloc[int(k)]),
                       spans=listed) if days == 1 else
                     _("{meter}: {spans} ({days} days)", meter=_meter_name(m.iloc[int(k)]),
                       spans=listed, days=f"{days:,}"))
    more = _(", and {n} more", n=len(lacking) - limit) if len(lacking) > limit else ""
    return _("{head}, {n} with missing days ({meters}{more}; see the warnings){estimated}",
             head=head, n=f"{len(lacking):,}", meters=Joined(shown, "; "), more=more,
             estimated=est)
