"""Who has sent what: each entity's sources month by month, for the head office to chase
(``carbon status``).

Built on :mod:`carbon.coverage` (no second coverage): the months each meter is expected to run and
the days its rows cover. What is expected of an entity and source in a year is what the coverage
expects — a meter with rows that year, a declared meter (the ``meters`` table), an entity and
source with rows in another year but none in this one — and, besides, a meter of the activity
rows sent but not yet filled in (a template's rows with a blank quantity, ``Inventory.pending``):
every month of its year, or the months the ``meters`` table declares for it.

Each entity, source and month is one of :data:`STATES`, from its meters' months
(:meth:`carbon.coverage.Coverage.month_status`): ``filled`` (every expected day recorded),
``estimated`` (recorded, some of it estimated), ``partial`` (some days missing, or one of its
meters missing while another recorded), ``missing`` (nothing recorded), ``not_expected`` (no meter
runs that month, or the entity is outside the boundary). Missing and partial months are what is
still to come.

Each entity is reported by one input: the branch file whose subtree holds it (the one listing its
nearest ancestor, or itself), else the head office's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon import boundary
from carbon.coverage import (
    ALL_MONTHS,
    ESTIMATED,
    MISSING,
    PARTIAL,
    RECORDED,
    calendar_years,
    coverage,
    day_numbers,
)
from carbon.errors import UsageError
from carbon.i18n import _
from carbon.model import Inventory

#: The state of an entity's source in a month, in the order a cell shows them.
STATES = ("filled", "estimated", "partial", "missing", "not_expected")
#: The states that mean "still to come": the status exits 1 while any is left.
OUTSTANDING = frozenset({"partial", "missing"})


@dataclass
class Status:
    """The submission status of a collection over its years.

    ``table``: one row per entity, source and year: ``entity_id``, ``name``, ``source``,
    ``file`` (the input that reports the entity), ``year``, then ``m01`` … ``m12`` (each a
    state of :data:`STATES`). ``idle``: the entities inside the boundary in a year of which
    nothing is expected (no rows in any year, no declared meter, no rows sent): ``entity_id``,
    ``name``, ``file``, ``year``.
    """

    years: list[int]
    table: pd.DataFrame
    idle: pd.DataFrame

    @property
    def months(self) -> list[str]:
        return [f"m{m:02d}" for m in range(1, 13)]

    @property
    def outstanding(self) -> int:
        """Entity-source-months still to come (missing or partial)."""
        cells = self.table[self.months].to_numpy()
        return int(np.isin(cells, list(OUTSTANDING)).sum())

    def by_file(self) -> pd.DataFrame:
        """Per input: entity-source-months expected, filled, estimated, partial, missing."""
        long = self.table.melt(id_vars=["file"], value_vars=self.months, value_name="state")
        counts = pd.crosstab(long["file"], long["state"]).reindex(columns=list(STATES),
                                                                   fill_value=0)
        counts["expected"] = counts[[s for s in STATES if s != "not_expected"]].sum(axis=1)
        return counts[["expected", "filled", "estimated", "partial", "missing"]]


def reporting_input(inv: Inventory) -> dict[str, int]:
    """The input that reports each entity: the branch file listing the entity or its nearest
    ancestor (the last such input given, when two list it), else the head office's (0)."""
    ent = inv.entities
    parent = dict(zip(ent["entity_id"].astype(str), ent["parent_id"].astype(str), strict=True))
    lister: dict[str, int] = {}
    for i, part in enumerate(inv.parts[1:], start=1):
        for e in part.listed:
            lister[e] = i
    out = {}
    for e in parent:
        node, seen = e, set()
        while node and node not in lister and node not in seen:
            seen.add(node)
            node = parent.get(node, "")
        out[e] = lister.get(node, 0)
    return out


def pending_meters(inv: Inventory) -> pd.DataFrame | None:
    """The declared meters and, for the meters of rows sent but not filled in that the meters
    table does not declare, every month: ``entity_id``, ``source``, ``meter``, ``months``,
    ``row`` (the declared row; the position after them for a meter of pending rows)."""
    declared = inv.meters
    pend = inv.pending
    if pend is None or pend.empty:
        return declared
    keys = ["entity_id", "source", "meter"]
    found = pend[keys].astype(str).drop_duplicates().reset_index(drop=True)
    if declared is not None and len(declared):
        have = pd.MultiIndex.from_frame(declared[keys].astype(str))
        found = found[~pd.MultiIndex.from_frame(found).isin(have)]
    base = len(declared) if declared is not None else 0
    extra = found.assign(months=ALL_MONTHS, note="",
                         row=np.arange(base + 1, base + 1 + len(found)))
    if declared is None or declared.empty:
        return extra
    return pd.concat([declared[[*keys, "months", "note", "row"]], extra], ignore_index=True)


def default_years(inv: Inventory) -> list[int]:
    """The year being collected: the latest any activity row touches, filled or not."""
    ends = [day_numbers(f["period_end"]) for f in (inv.activity, inv.pending) if f is not None
            and len(f)]
    if not ends:
        return []
    return [int(calendar_years(np.concatenate(ends)).max())]


def _combine(status: np.ndarray) -> np.ndarray:
    """The state of an entity's source per month from its meters' (rows: meters; 12 columns):
    indices into :data:`STATES`."""
    missing = (status == MISSING).any(axis=0)
    partial = (status == PARTIAL).any(axis=0)
    covered = np.isin(status, [PARTIAL, ESTIMATED, RECORDED]).any(axis=0)
    estimated = (status == ESTIMATED).any(axis=0)
    recorded = (status == RECORDED).any(axis=0)
    out = np.full(status.shape[1], STATES.index("not_expected"), dtype=np.int64)
    out[recorded] = STATES.index("filled")
    out[estimated] = STATES.index("estimated")
    out[partial | (missing & covered)] = STATES.index("partial")
    out[missing & ~covered] = STATES.index("missing")
    return out


def submission_status(inv: Inventory, years: Sequence[int] | None = None) -> Status:
    """Each entity's sources month by month over ``years`` (default :func:`default_years`).

    Parameters
    ----------
    inv : Inventory
        Read with its pending rows (``read_inventory(..., pending=True)``), or without. [-]
    years : sequence of int, optional
        The years to show. [a]
    """
    years = sorted(set(years or default_years(inv)))
    if not years:
        raise UsageError(_("no activity row, filled in or not, tells the year to show: give it "
                           "with --year 2025"))
    cov = coverage(inv.activity, inv.entities, years, pending_meters(inv))
    t = cov.table
    status = cov.month_status()
    meters = cov.meters
    m = t["meter"].to_numpy()
    key = pd.DataFrame({"entity_id": meters["entity_id"].to_numpy()[m],
                        "source": meters["source"].to_numpy()[m],
                        "year": t["year"].to_numpy()})
    group = key.groupby(["entity_id", "source", "year"], sort=True).ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    heads = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]]) if len(order) \
        else np.zeros(0, dtype=np.int64)
    stops = np.r_[heads[1:], len(order)][:len(heads)]  # none when nothing is expected or sent
    cells = [_combine(status[order[a:b]]) for a, b in zip(heads, stops, strict=True)]
    firsts = key.iloc[order[heads]].reset_index(drop=True)
    names = dict(zip(inv.entities["entity_id"].astype(str), inv.entities["name"].astype(str),
                     strict=True))
    reports = reporting_input(inv)
    file_of = [p.name for p in inv.parts] or [inv.path.name]
    table = firsts.assign(
        name=firsts["entity_id"].map(names).fillna(""),
        file=[file_of[reports.get(e, 0)] for e in firsts["entity_id"]])
    grid = np.array(cells, dtype=np.int64).reshape(-1, 12)
    states = np.array(STATES, dtype=object)
    for j in range(12):
        table[f"m{j + 1:02d}"] = states[grid[:, j]] if len(grid) else []
    # in the order of the inputs, then of the head office's entities
    rank = {e: i for i, e in enumerate(inv.entities["entity_id"].astype(str))}
    table = table.assign(
        _input=[reports.get(e, 0) for e in table["entity_id"]],
        _entity=table["entity_id"].map(rank)).sort_values(
        ["_input", "_entity", "source", "year"], kind="stable")
    table = table[["entity_id", "name", "source", "file", "year",
                   *(f"m{j:02d}" for j in range(1, 13))]]
    # entities inside the boundary that year of which nothing is expected
    w0, w1 = (w.astype(np.int64) for w in boundary.windows(inv.entities))
    jan1, dec31 = (x.astype(np.int64) for x in boundary.year_bounds(np.array(years)))
    inside = (w0[:, None] <= dec31[None, :]) & (w1[:, None] >= jan1[None, :])
    seen = set(zip(table["entity_id"], table["year"].astype(int), strict=True))
    ids = inv.entities["entity_id"].astype(str).tolist()
    idle = [(e, names.get(e, ""), file_of[reports.get(e, 0)], y) for i, e in enumerate(ids)
            for j, y in enumerate(years) if inside[i, j] and (e, y) not in seen]
    return Status(years, table.reset_index(drop=True),
                  pd.DataFrame(idle, columns=["entity_id", "name", "file", "year"]))


def _most_common(s: pd.Series) -> str:
    """The value most rows give (the first of them on a tie)."""
    return str(s.value_counts(sort=True).index[0])


def expected_rows(inv: Inventory, ids: Sequence[str], year: int) -> pd.DataFrame:
    """The activity rows a workbook for the entities ``ids`` expects in ``year``, to be filled
    in: each of their meters × each month it runs while its entity is inside the boundary.

    Their meters: those with rows in the latest earlier year the entities have rows in (its unit
    and vehicle technology the ones most of its rows give), and those the ``meters`` table
    declares (their months; the source's reporting unit when they have no rows). A meter runs
    every month unless declared otherwise.

    Returns
    -------
    DataFrame
        ``entity_id``, ``source`` (key), ``meter``, ``use``, ``instrument``, ``stream`` (a
        waste or water stream: the rows of each are a series of their own), ``technology``,
        ``unit``, ``period_start``, ``period_end`` (datetime64[D], a month each), in the order of
        ``ids``, then source, meter and month. [-]
    """
    from carbon import vocab

    keys = ["entity_id", "source", "meter", "use", "instrument", "stream"]
    act = inv.activity
    mine = act[act["entity_id"].astype(str).isin(set(ids))]
    before = (calendar_years(day_numbers(mine["period_start"])) < year) if len(mine) else \
        np.zeros(0, dtype=bool)
    last = int(calendar_years(day_numbers(mine["period_end"][before])).max()) if before.any() \
        else None
    frames = []
    if last is not None:
        y0 = calendar_years(day_numbers(mine["period_start"]))
        y1 = calendar_years(day_numbers(mine["period_end"]))
        rows = mine[(y0 <= last) & (y1 >= last)]
        text = rows[[*keys, "technology", "unit"]].astype(str)
        common = (text.groupby(keys, sort=False)[["unit", "technology"]]
                  .agg(_most_common).reset_index())
        frames.append(common.assign(months=ALL_MONTHS))
    declared = inv.meters
    if declared is not None and len(declared):
        d = declared[declared["entity_id"].astype(str).isin(set(ids))]
        d = d[["entity_id", "source", "meter", "months"]].astype({"entity_id": str,
                                                                   "source": str, "meter": str})
        if frames:
            have = frames[0]
            hit = have.merge(d, on=["entity_id", "source", "meter"], how="left",
                             suffixes=("", "_declared"))
            have["months"] = hit["months_declared"].fillna(ALL_MONTHS).astype(np.int64)
            known = pd.MultiIndex.from_frame(have[["entity_id", "source", "meter"]])
            d = d[~pd.MultiIndex.from_frame(d[["entity_id", "source", "meter"]]).isin(known)]
        units = {k: s.report_unit for k, s in vocab.sources().items()}
        frames.append(d.assign(use="", instrument="", stream="", technology="",
                               unit=d["source"].map(units).fillna("")))
    if not frames:
        return pd.DataFrame(columns=[*keys, "technology", "unit", "period_start", "period_end"])
    meters = pd.concat(frames, ignore_index=True)
    order = {e: i for i, e in enumerate(ids)}
    meters = meters.assign(_o=meters["entity_id"].map(order)).sort_values(
        ["_o", "source", "meter", "use", "instrument", "stream"], kind="stable").drop(columns="_o")
    # the months each meter runs while its entity is inside the boundary
    w0, w1 = boundary.windows(inv.entities)
    pos = pd.Index(inv.entities["entity_id"].astype(str)).get_indexer(
        pd.Index(meters["entity_id"].astype(str)))
    first = np.arange(12).astype("timedelta64[M]") + np.datetime64(f"{year}-01", "M")
    m_start = first.astype("datetime64[D]")
    m_end = (first + 1).astype("datetime64[D]") - 1
    out = []
    for rec, p in zip(meters.to_dict("records"), pos.tolist(), strict=True):
        for m in range(12):
            if not (int(rec["months"]) >> m) & 1:
                continue
            if p >= 0 and (w1[p] < m_start[m] or w0[p] > m_end[m]):
                continue
            out.append({**{k: rec[k] for k in (*keys, "technology", "unit")},
                        "period_start": m_start[m], "period_end": m_end[m]})
    return pd.DataFrame(out, columns=[*keys, "technology", "unit", "period_start",
                                      "period_end"])
