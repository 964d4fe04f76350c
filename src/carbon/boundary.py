"""The organisational boundary over time: which entity counts in which year, and how much.

Pure functions on DataFrames (no I/O). The entities of an inventory form a tree through
``parent_id``; each entity is inside the reporting boundary from ``included_from`` to
``included_to`` (inclusive; blank = open on that side).

Rules implemented (GHG Protocol Corporate Standard, chapter 3 and 5; ISO 14064-1, 5.1 and 6.4):

- **Whole year by default.** An entity inside the boundary at any time in a calendar year counts
  for that whole year: all its rows of that year are counted, including the months before it
  joined or after it left. The Corporate Standard asks for a structural change in the middle of a
  year to be accounted for the entire year ("rather than only for the remainder of the reporting
  period after the structural change occurred"). ``boundary_mid_year = "pro_rata"`` in settings
  counts instead only the days of each row that fall inside the window.
- An entity is inside only while every entity above it in the tree is: its window is cut to its
  parents' windows (divesting a subsidiary divests what it holds).
- Rows of years in which the entity is outside the boundary are not counted; they are listed (a
  notice with the count per entity).
- **Consolidation.** ``operational_control`` (the default): an entity in the boundary counts 100%.
  ``equity_share``: it counts by the organisation's equity share in it, the product of the
  ``ownership_share`` values along its chain of parents (a blank share = wholly owned by its
  parent, or, for a top-level entity, the reporting organisation itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from carbon.model import Inventory, Notice

_DAY = np.timedelta64(1, "D")


def _parents(entities: pd.DataFrame) -> np.ndarray:
    """Index of each entity's parent; ``len(entities)`` for a top-level entity or an unknown
    parent (reported elsewhere)."""
    ids = entities["entity_id"].astype(str).to_numpy()
    pos = pd.Index(ids).get_indexer(pd.Index(entities["parent_id"].astype(str)))
    return np.where(pos < 0, len(ids), pos)


def parent_loops(entities: pd.DataFrame) -> np.ndarray:
    """Mask of the entities whose chain of ``parent_id`` never reaches a top-level entity.

    Pointer doubling: after ``k`` rounds each entity points at its ``2**k``-th ancestor, so
    ``ceil(log2(n)) + 1`` rounds reach the root of every chain that has one.

    Parameters
    ----------
    entities : DataFrame
        ``entity_id`` and ``parent_id`` (blank = top level). [-]

    Returns
    -------
    ndarray of bool
        True for an entity on a loop (including ``parent_id == entity_id``) or below one.
    """
    n = len(entities)
    if not n:
        return np.zeros(0, dtype=bool)
    up = np.append(_parents(entities), n)  # the sentinel ``n`` is its own parent
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        up = up[up]
    return up[:n] != n


def equity_share(entities: pd.DataFrame) -> np.ndarray:
    """The organisation's equity share in each entity: the product of ``ownership_share`` along
    the entity's chain of parents (blank = 1).

    Parameters
    ----------
    entities : DataFrame
        ``entity_id``, ``parent_id`` and ``ownership_share`` (a fraction, NaN = blank). [-]

    Returns
    -------
    ndarray of float
        Equity share of each entity, 0 to 1. [-]
    """
    n = len(entities)
    share = entities["ownership_share"].to_numpy(dtype="float64", na_value=np.nan)
    share = np.append(np.where(np.isnan(share), 1.0, share), 1.0)
    up = np.append(_parents(entities), n)
    # Pointer doubling: ``acc`` is the product over the 2**k nearest links of the chain.
    acc = share.copy()
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        acc = acc * np.where(up == n, 1.0, acc[up])
        up = up[up]
    return acc[:n]


def windows(entities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each entity's window inside the boundary, within its parents' windows: an entity is
    inside only while every entity above it is (a divested subsidiary takes its plants along).

    Returns
    -------
    tuple of ndarray of datetime64[D]
        First and last day (inclusive) of each entity's window; open ends as 0001-01-01 and
        9999-12-31. [d]
    """
    n = len(entities)
    far_past, far_future = np.datetime64("0001-01-01", "D"), np.datetime64("9999-12-31", "D")
    start = entities["included_from"].to_numpy(dtype="datetime64[D]")
    stop = entities["included_to"].to_numpy(dtype="datetime64[D]")
    start = np.append(np.where(np.isnat(start), far_past, start), far_past)
    stop = np.append(np.where(np.isnat(stop), far_future, stop), far_future)
    up = np.append(_parents(entities), n)
    # Pointer doubling, as in equity_share: the latest start and earliest stop up the chain.
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        start = np.maximum(start, start[up])
        stop = np.minimum(stop, stop[up])
        up = up[up]
    return start[:n], stop[:n]


def _windows(entity_ids: pd.Series, entities: pd.DataFrame, consolidation: str
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: whether its entity is known, the window's first and last day, its share."""
    index = pd.Index(entities["entity_id"].astype(str).to_numpy())
    if isinstance(entity_ids.dtype, pd.CategoricalDtype):  # once per category, not per row
        per_category = index.get_indexer(pd.Index(entity_ids.cat.categories.astype(str)))
        codes = np.append(per_category, -1)[entity_ids.cat.codes.to_numpy()]
    else:
        codes = index.get_indexer(pd.Index(entity_ids.astype(str)))
    known = codes >= 0
    start, stop = windows(entities)
    share = (equity_share(entities) if consolidation == "equity_share"
             else np.ones(len(entities)))
    pick = np.where(known, codes, 0)
    if not len(entities):
        empty = np.zeros(len(codes))
        return known, empty.astype("datetime64[D]"), empty.astype("datetime64[D]"), empty
    return known, start[pick], stop[pick], np.where(known, share[pick], 0.0)


def year_bounds(year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """January 1 and December 31 of each calendar year. [d]"""
    y = np.asarray(year, dtype=np.int64) - 1970
    jan1 = y.astype("datetime64[Y]").astype("datetime64[D]")
    dec31 = (y + 1).astype("datetime64[Y]").astype("datetime64[D]") - _DAY
    return jan1, dec31


def in_boundary(entity_id: pd.Series, year: Iterable[int] | np.ndarray, entities: pd.DataFrame,
                consolidation: str = "operational_control") -> np.ndarray:
    """Whether each (entity, year) is inside the boundary: the entity exists in ``entities``,
    its window touches the year, and (equity share) its share is above zero.

    Parameters
    ----------
    entity_id : Series of str
        One entity id per cell. [-]
    year : array of int
        One calendar year per cell. [a]
    entities : DataFrame
        The boundary's entities (``entity_id``, ``parent_id``, ``included_from``,
        ``included_to``, ``ownership_share``). [-]
    consolidation : {"operational_control", "equity_share"}
        Consolidation approach. [-]
    """
    known, start, stop, share = _windows(entity_id, entities, consolidation)
    jan1, dec31 = year_bounds(np.asarray(list(year) if not isinstance(year, np.ndarray)
                                          else year))
    return known & (start <= dec31) & (stop >= jan1) & (share > 0)


def row_weights(rows: pd.DataFrame, entities: pd.DataFrame,
                consolidation: str = "operational_control",
                mid_year: str = "whole_year") -> np.ndarray:
    """The part of each activity row (one calendar year's piece of it) the boundary counts.

    Parameters
    ----------
    rows : DataFrame
        ``entity_id``, ``year``, ``period_start``, ``period_end`` (inclusive), each piece inside
        one calendar year (see :func:`carbon.calc.split_years`). [-]
    entities : DataFrame
        The boundary's entities. [-]
    consolidation : {"operational_control", "equity_share"}
        Consolidation approach: equity share multiplies by the entity's equity share. [-]
    mid_year : {"whole_year", "pro_rata"}
        Whole year: 1 when the entity is in the boundary at any time in the piece's year.
        Pro rata: the fraction of the piece's days inside the window. [-]

    Returns
    -------
    ndarray of float
        Weight of each piece, 0 (not counted) to 1. [-]
    """
    known, start, stop, share = _windows(rows["entity_id"], entities, consolidation)
    jan1, dec31 = year_bounds(rows["year"].to_numpy())
    inside = known & (start <= dec31) & (stop >= jan1)
    if mid_year == "pro_rata":
        p0 = rows["period_start"].to_numpy(dtype="datetime64[D]")
        p1 = rows["period_end"].to_numpy(dtype="datetime64[D]")
        lo, hi = np.maximum(p0, start), np.minimum(p1, stop)
        days = (p1 - p0) / _DAY + 1
        frac = np.clip(((hi - lo) / _DAY + 1) / days, 0.0, 1.0)
        return np.where(inside, frac * share, 0.0)
    return np.where(inside, share, 0.0)


def _listing(counts: pd.Series, limit: int = 10) -> str:
    shown = [f"{e} ({n} row{'s' if n != 1 else ''})" for e, n in counts.head(limit).items()]
    return ", ".join(shown) + (f" and {len(counts) - limit} more" if len(counts) > limit else "")


def apply(act: pd.DataFrame, inv: Inventory) -> tuple[pd.DataFrame, list[Notice]]:
    """Apply an inventory's boundary to its activity pieces (the hook in :func:`carbon.calc.compute`).

    Pieces outside the boundary are dropped and listed; ``share`` (the part of the row counted)
    is multiplied by the boundary weight: the pro-rata day fraction and the equity share.

    Parameters
    ----------
    act : DataFrame
        Activity pieces, one per row and calendar year (``entity_id``, ``year``,
        ``period_start``, ``period_end``, ``share``, ``row``). [-]
    inv : Inventory
        Gives the entities and the settings (consolidation, boundary_mid_year). [-]
    """
    ent = inv.entities
    s = inv.settings
    windows = ent["included_from"].notna().any() or ent["included_to"].notna().any()
    if not windows and s.consolidation == "operational_control":
        return act, []
    w = row_weights(act, ent, s.consolidation, s.boundary_mid_year)
    notices: list[Notice] = []
    out = ~(w > 0)
    if out.any():
        counts = act.loc[out, "entity_id"].astype(str).value_counts().sort_index()
        years = ", ".join(str(y) for y in sorted(act.loc[out, "year"].unique()))
        notices.append(Notice("outside_boundary", f"{int(out.sum())} activity rows (or parts) of "
                              f"{len(counts)} entities fall outside the entity's boundary "
                              f"window (included_from / included_to; {years}) and are not "
                              f"counted: {_listing(counts)}"))
    partial = (w > 0) & (w < 1)
    if partial.any() and s.consolidation == "equity_share":
        n = act.loc[partial, "entity_id"].nunique()
        notices.append(Notice("equity_share", f"equity share: {int(partial.sum())} activity rows "
                              f"of {n} entities count in part (by the organisation's share)"))
    keep = ~out
    act = act[keep].reset_index(drop=True) if out.any() else act.copy(deep=False)
    act["share"] = act["share"].to_numpy() * w[keep]
    return act, notices


def changed_entities(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, list[str]]:
    """Entity ids only in ``after`` (added) and only in ``before`` (removed), sorted."""
    a = set(before["entity_id"].astype(str))
    b = set(after["entity_id"].astype(str))
    return {"added": sorted(b - a), "removed": sorted(a - b)}


def kinds(entities: pd.DataFrame, ids: Sequence[str]) -> dict[str, int]:
    """How many of ``ids`` there are of each ``kind`` (blank kind as "")."""
    sub = entities[entities["entity_id"].astype(str).isin(list(ids))]
    counts = sub["kind"].astype(str).value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items())}
