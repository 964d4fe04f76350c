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
- **Events, for restating earlier years.** ``entry`` / ``exit`` say why an entity enters or
  leaves (``carbon.schema.ENTRY_EVENTS``, ``EXIT_EVENTS``). A structural entry (acquisition,
  insourcing from Scope 3) puts the entity inside every earlier year from ``existed_from``
  (blank = always); a structural exit (divestment, outsourcing to Scope 3) takes it out of every
  earlier year; organic ones (opening, closure) change no earlier year. "Earlier" is before the
  event's calendar year; the event's own year follows the mid-year rule like any year. Children
  share their parent's event. Only :func:`restated_weights` and :func:`restated_in_boundary` read
  the events: the figures of one inventory (:func:`apply`) count what was inside.
- **Consolidation.** ``operational_control`` (the default): an entity in the boundary counts 100%.
  ``equity_share``: it counts by the organisation's equity share in it, the product of the
  ``ownership_share`` values along its chain of parents (a blank share = wholly owned by its
  parent, or, for a top-level entity, the reporting organisation itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from carbon.i18n import Joined, _
from carbon.model import Inventory, Notice
from carbon.schema import ENTRIES, ENTRY_EVENTS, EXIT_EVENTS, EXITS
from carbon.vocab import fold

_DAY = np.timedelta64(1, "D")
_FAR_PAST, _FAR_FUTURE = np.datetime64("0001-01-01", "D"), np.datetime64("9999-12-31", "D")
#: Event rules as integers: none, organic, structural (the higher wins a tie of dates).
NONE, ORGANIC, STRUCTURAL = 0, 1, 2


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
    for _step in range(int(np.ceil(np.log2(n + 1))) + 1):
        up = up[up]
    return up[:n] != n


def subtree(entities: pd.DataFrame, roots: Iterable[str]) -> np.ndarray:
    """Mask of the entities among ``roots`` and of every entity below one of them.

    Each round marks the children of the entities marked so far: as many rounds as the tree is
    deep (entities on a parent loop are never below a root unless one of them is).

    Parameters
    ----------
    entities : DataFrame
        ``entity_id`` and ``parent_id`` (blank = top level). [-]
    roots : iterable of str
        Entity ids; an id no entity has marks nothing. [-]
    """
    n = len(entities)
    up = np.append(_parents(entities), n)
    mask = np.append(entities["entity_id"].astype(str).isin(set(roots)).to_numpy(), False)
    for _step in range(n):
        grown = mask | mask[up]
        if (grown == mask).all():
            break
        mask = grown
    return mask[:n]


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
    for _step in range(int(np.ceil(np.log2(n + 1))) + 1):
        acc = acc * np.where(up == n, 1.0, acc[up])
        up = up[up]
    return acc[:n]


def event_rules(entities: pd.DataFrame, column: str) -> np.ndarray:
    """Each entity's ``entry`` or ``exit`` as a rule: 0 none, 1 organic, 2 structural
    (:data:`carbon.schema.ENTRY_EVENTS`, ``EXIT_EVENTS``)."""
    if column not in entities:
        return np.zeros(len(entities), dtype=np.int8)
    events = ENTRY_EVENTS if column == "entry" else EXIT_EVENTS
    rule = {k: STRUCTURAL if e[0] == "structural" else ORGANIC for k, e in events.items()}
    return entities[column].astype(str).map(rule).fillna(NONE).to_numpy(dtype=np.int8)


def _bound(entities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each entity's window within its parents' windows, and which entity sets each end (itself
    or an ancestor; on a tie the one with a stated event, the nearest otherwise).

    Pointer doubling, as in equity_share: the latest start and earliest stop up the chain.
    """
    n = len(entities)
    start = entities["included_from"].to_numpy(dtype="datetime64[D]")
    stop = entities["included_to"].to_numpy(dtype="datetime64[D]")
    start = np.append(np.where(np.isnat(start), _FAR_PAST, start), _FAR_PAST)
    stop = np.append(np.where(np.isnat(stop), _FAR_FUTURE, stop), _FAR_FUTURE)
    entry = np.append(event_rules(entities, "entry"), NONE)
    exit_ = np.append(event_rules(entities, "exit"), NONE)
    by_start, by_stop = np.arange(n + 1), np.arange(n + 1)
    up = np.append(_parents(entities), n)
    for _step in range(int(np.ceil(np.log2(n + 1))) + 1):
        s_up, t_up, bs_up, bt_up = start[up], stop[up], by_start[up], by_stop[up]
        take_s = (s_up > start) | ((s_up == start) & (entry[bs_up] > entry[by_start]))
        take_t = (t_up < stop) | ((t_up == stop) & (exit_[bt_up] > exit_[by_stop]))
        start, by_start = np.where(take_s, s_up, start), np.where(take_s, bs_up, by_start)
        stop, by_stop = np.where(take_t, t_up, stop), np.where(take_t, bt_up, by_stop)
        up = up[up]
    return start[:n], stop[:n], by_start[:n], by_stop[:n]


def windows(entities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each entity's window inside the boundary, within its parents' windows: an entity is
    inside only while every entity above it is (a divested subsidiary takes its plants along).

    Returns
    -------
    tuple of ndarray of datetime64[D]
        First and last day (inclusive) of each entity's window; open ends as 0001-01-01 and
        9999-12-31. [d]
    """
    start, stop, _start_of, _stop_of = _bound(entities)
    return start, stop


def _codes(entity_ids: pd.Series, entities: pd.DataFrame) -> np.ndarray:
    """Position of each id's entity in ``entities``; -1 for an unknown id."""
    index = pd.Index(entities["entity_id"].astype(str).to_numpy())
    if isinstance(entity_ids.dtype, pd.CategoricalDtype):  # once per category, not per row
        per_category = index.get_indexer(pd.Index(entity_ids.cat.categories.astype(str)))
        return np.append(per_category, -1)[entity_ids.cat.codes.to_numpy()]
    return index.get_indexer(pd.Index(entity_ids.astype(str)))


def _windows(entity_ids: pd.Series, entities: pd.DataFrame, consolidation: str
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: whether its entity is known, the window's first and last day, its share."""
    codes = _codes(entity_ids, entities)
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


def _year(d: np.ndarray) -> np.ndarray:
    """Calendar year of each day. [a]"""
    return d.astype("datetime64[Y]").astype(np.int64) + 1970


def event_years(entities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each entity's structural events as the restatement applies them, its parents' included.

    Returns
    -------
    tuple of ndarray
        Year of a structural entry (the year of ``included_from``; 0 if none), year of a
        structural exit (the year of the first day outside; 0 if none), and the position of the
        entity whose entry and whose exit apply (itself or an ancestor). [a, a, -, -]
    """
    start, stop, by_start, by_stop = _bound(entities)
    entry = event_rules(entities, "entry")[by_start] == STRUCTURAL
    exit_ = event_rules(entities, "exit")[by_stop] == STRUCTURAL
    entry_year = np.where(entry & (start != _FAR_PAST), _year(start), 0)
    exit_year = np.where(exit_ & (stop != _FAR_FUTURE), _year(stop + _DAY), 0)
    return entry_year, exit_year, by_start, by_stop


def _history(entities: pd.DataFrame) -> pd.DataFrame:
    """The entities as the years before a structural entry see them: each acquired or insourced
    entity inside from ``existed_from`` (blank = always)."""
    structural = event_rules(entities, "entry") == STRUCTURAL
    existed = (entities["existed_from"].to_numpy(dtype="datetime64[s]") if "existed_from" in
               entities else np.full(len(entities), np.datetime64("NaT"), dtype="datetime64[s]"))
    start = entities["included_from"].to_numpy(dtype="datetime64[s]")
    return entities.assign(included_from=np.where(structural, existed, start))


def _restated(entity_ids: pd.Series, year: np.ndarray, entities: pd.DataFrame
              ) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the items before a structural exit (removed) and before a structural entry
    (seen through :func:`_history`)."""
    if not len(entities):
        none = np.zeros(len(entity_ids), dtype=bool)
        return none, none
    codes = _codes(entity_ids, entities)
    pick = np.where(codes >= 0, codes, 0)
    entry_year, exit_year, _by_start, _by_stop = event_years(entities)
    y = np.asarray(year, dtype=np.int64)
    removed = (codes >= 0) & (exit_year[pick] > 0) & (y < exit_year[pick])
    history = (codes >= 0) & ~removed & (y < entry_year[pick])
    return removed, history


def restated_weights(rows: pd.DataFrame, entities: pd.DataFrame,
                     consolidation: str = "operational_control",
                     mid_year: str = "whole_year") -> np.ndarray:
    """:func:`row_weights` with the boundary's structural events applied to earlier years (GHG
    Protocol Corporate Standard, chapter 5): an acquired unit's rows of the years before its
    acquisition count (from ``existed_from``), a divested unit's rows of the years before its
    divestment do not. Openings and closures change nothing.

    Parameters
    ----------
    rows, entities, consolidation, mid_year
        As in :func:`row_weights`. [-]

    Returns
    -------
    ndarray of float
        Weight of each piece in the restated boundary, 0 to 1. [-]
    """
    w = row_weights(rows, entities, consolidation, mid_year)
    removed, history = _restated(rows["entity_id"], rows["year"].to_numpy(), entities)
    if history.any():
        w = np.where(history, row_weights(rows, _history(entities), consolidation, mid_year), w)
    return np.where(removed, 0.0, w)


def restated_in_boundary(entity_id: pd.Series, year: np.ndarray, entities: pd.DataFrame,
                         consolidation: str = "operational_control") -> np.ndarray:
    """:func:`in_boundary` with the structural events applied to earlier years (see
    :func:`restated_weights`)."""
    year = np.asarray(year)
    inside = in_boundary(entity_id, year, entities, consolidation)
    removed, history = _restated(entity_id, year, entities)
    if history.any():
        inside = np.where(history, in_boundary(entity_id, year, _history(entities),
                                               consolidation), inside)
    return inside & ~removed


def unstated_events(entities: pd.DataFrame, years: Sequence[int] | None = None,
                    activity: pd.DataFrame | None = None) -> list[dict[str, object]]:
    """Entities that enter or leave the boundary with no ``entry`` / ``exit`` stated, and the rule
    a restatement then assumes (``carbon check`` lists them; ``carbon restate`` warns).

    A dated ``included_from`` without an entry is taken as an opening (organic: no earlier year
    changes), a dated ``included_to`` without an exit as a closure. An entity whose ``kind`` is
    written as an event (``acquisition``, 收购 …) but has no entry or exit is listed too.

    Parameters
    ----------
    entities : DataFrame
        ``entity_id``, ``kind``, ``included_from``, ``included_to``, ``entry``, ``exit``, ``row``.
    years : sequence of int, optional
        Only changes inside these years (an entry after 1 January of the first, an exit before
        31 December of the last). [a]
    activity : DataFrame, optional
        ``entity_id``, ``period_start``, ``period_end``: counts each entity's rows before its entry
        or after its exit (rows before an "opening" suggest an acquisition). [-]

    Returns
    -------
    list of dict
        ``entity_id``, ``row``, ``change`` (``entry`` | ``exit``), ``date`` (ISO date or None),
        ``assumed`` (``opening`` | ``closure`` | ``inside_from_start`` | ``inside_to_end``),
        ``rows_outside`` (activity rows before the entry or after the exit) and ``kind_says``
        (the event the kind names, or ""). [-]
    """
    n = len(entities)
    lo, hi = (year_bounds(np.array([min(years), max(years)])) if years
              else (np.array([_FAR_PAST] * 2), np.array([_FAR_FUTURE] * 2)))
    out: list[dict[str, object]] = []
    counts = {}
    if activity is not None and len(activity) and n:
        codes = _codes(activity["entity_id"], entities)
        pick = np.where(codes >= 0, codes, 0)
        p0 = activity["period_start"].to_numpy(dtype="datetime64[D]")
        p1 = activity["period_end"].to_numpy(dtype="datetime64[D]")
        own = {"entry": entities["included_from"].to_numpy(dtype="datetime64[D]"),
               "exit": entities["included_to"].to_numpy(dtype="datetime64[D]")}
        before = (codes >= 0) & (p0 < own["entry"][pick])
        after = (codes >= 0) & (p1 > own["exit"][pick])
        counts = {"entry": np.bincount(pick[before], minlength=n),
                  "exit": np.bincount(pick[after], minlength=n)}
    kinds = entities["kind"].astype(str).map(fold) if n else pd.Series(dtype=str)
    for change, col, spellings, dated, undated in (
            ("entry", "included_from", ENTRIES, "opening", "inside_from_start"),
            ("exit", "included_to", EXITS, "closure", "inside_to_end")):
        date = entities[col].to_numpy(dtype="datetime64[D]")
        stated = (entities[change].astype(str).to_numpy() != "" if change in entities
                  else np.zeros(n, dtype=bool))
        says = kinds.map(spellings).fillna("").to_numpy(dtype=object)
        inside = ((date > lo[0]) & (date <= hi[1]) if change == "entry"
                  else (date >= lo[0]) & (date < hi[1]))
        listed = ~stated & ((~np.isnat(date) & inside) | (np.isnat(date) & (says != "")))
        for i in np.flatnonzero(listed):
            out.append({"entity_id": str(entities["entity_id"].iloc[i]),
                        "row": int(entities["row"].iloc[i]) if "row" in entities else None,
                        "change": change,
                        "date": None if np.isnat(date[i]) else str(date[i]),
                        "assumed": undated if np.isnat(date[i]) else dated,
                        "rows_outside": int(counts[change][i]) if counts else 0,
                        "kind_says": str(says[i])})
    return out


def missing_history(entities: pd.DataFrame, activity: pd.DataFrame, years: Sequence[int]
                    ) -> list[tuple[int, list[int]]]:
    """The restated years an acquired (or insourced) unit has no activity rows for.

    Restating adds an acquired unit's emissions to every year before its acquisition, from the
    year it came into existence (``existed_from``, blank = always): those years need its rows
    (the seller's figures or estimates). A unit and the entities below it count together.

    Parameters
    ----------
    entities : DataFrame
        The inventory's entities. [-]
    activity : DataFrame
        ``entity_id``, ``period_start``, ``period_end``. [-]
    years : sequence of int
        The restated years. [a]

    Returns
    -------
    list of (int, list of int)
        Position of each acquired entity that lacks rows, and the years it lacks. [-, a]
    """
    if not len(entities):
        return []
    rule = event_rules(entities, "entry")
    entry_year, _exit_year, by_start, _by_stop = event_years(entities)
    existed = (entities["existed_from"].to_numpy(dtype="datetime64[D]") if "existed_from" in
               entities else np.full(len(entities), np.datetime64("NaT"), dtype="datetime64[D]"))
    first = np.where(np.isnat(existed), np.iinfo(np.int64).min, _year(existed))
    codes = _codes(activity["entity_id"], entities)
    owner = by_start[np.where(codes >= 0, codes, 0)]
    mine = (codes >= 0) & (rule[owner] == STRUCTURAL)  # rows of acquired units only
    owner = owner[mine]
    y0 = _year(activity["period_start"].to_numpy(dtype="datetime64[D]"))[mine]
    y1 = _year(activity["period_end"].to_numpy(dtype="datetime64[D]"))[mine]
    span = y1 - y0
    # the (unit, year) pairs with rows, one integer each; a row across years covers each of them
    base = 10_000
    have = set(np.unique(np.concatenate(
        [owner[span >= d] * base + y0[span >= d] + d
         for d in range(int(span.max()) + 1 if len(span) else 0)] or [np.zeros(0, np.int64)]))
        .tolist())
    out = []
    for i in np.flatnonzero(rule == STRUCTURAL):
        lacking = [y for y in sorted(set(years)) if first[i] <= y < entry_year[i]
                   and int(i) * base + y not in have]
        if lacking:
            out.append((int(i), lacking))
    return out


def _listing(counts: pd.Series, limit: int = 10) -> Joined:
    shown = Joined(_("{entity} (1 row)", entity=e) if n == 1 else
                   _("{entity} ({n} rows)", entity=e, n=n) for e, n in counts.head(limit).items())
    more = _(" and {n} more", n=len(counts) - limit) if len(counts) > limit else ""
    return Joined([shown, more], "", "")


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
    acquired = np.zeros(len(act), dtype=bool)
    if out.any() and (event_rules(ent, "entry") == STRUCTURAL).any():
        acquired = out & _restated(act["entity_id"], act["year"].to_numpy(), ent)[1]
    if acquired.any():
        acquired &= row_weights(act, _history(ent), s.consolidation, s.boundary_mid_year) > 0
    if acquired.any():  # kept for restating the years before an acquisition, not counted here
        counts = act.loc[acquired, "entity_id"].astype(str).value_counts().sort_index()
        n, listed = int(acquired.sum()), _listing(counts)
        notices.append(Notice("before_acquisition", _(
            "1 activity row (or part) of 1 acquired entity falls before its acquisition "
            "(included_from) and is not counted in these figures; carbon restate adds it to the "
            "earlier years: {listed}", listed=listed) if n == 1 else _(
            "{n} activity rows (or parts) of 1 acquired entity fall before its acquisition "
            "(included_from) and are not counted in these figures; carbon restate adds them to "
            "the earlier years: {listed}", n=n, listed=listed) if len(counts) == 1 else _(
            "{n} activity rows (or parts) of {entities} acquired entities fall before their "
            "acquisition (included_from) and are not counted in these figures; carbon restate "
            "adds them to the earlier years: {listed}", n=n, entities=len(counts),
            listed=listed)))
    stray = out & ~acquired
    if stray.any():
        counts = act.loc[stray, "entity_id"].astype(str).value_counts().sort_index()
        years = Joined(str(y) for y in sorted(act.loc[stray, "year"].unique()))
        n, listed = int(stray.sum()), _listing(counts)
        notices.append(Notice("outside_boundary", _(
            "1 activity row (or part) of 1 entity falls outside the entity's boundary window "
            "(included_from / included_to; {years}) and is not counted: {listed}", years=years,
            listed=listed) if n == 1 else _(
            "{n} activity rows (or parts) of 1 entity fall outside the entity's boundary window "
            "(included_from / included_to; {years}) and are not counted: {listed}", n=n,
            years=years, listed=listed) if len(counts) == 1 else _(
            "{n} activity rows (or parts) of {entities} entities fall outside the entity's "
            "boundary window (included_from / included_to; {years}) and are not counted: "
            "{listed}", n=n, entities=len(counts), years=years, listed=listed)))
    partial = (w > 0) & (w < 1)
    if partial.any() and s.consolidation == "equity_share":
        entities, n = act.loc[partial, "entity_id"].nunique(), int(partial.sum())
        notices.append(Notice("equity_share", _(
            "equity share: 1 activity row of 1 entity counts in part (by the organisation's "
            "share)") if n == 1 else _(
            "equity share: {n} activity rows of 1 entity count in part (by the organisation's "
            "share)", n=n) if entities == 1 else _(
            "equity share: {n} activity rows of {entities} entities count in part (by the "
            "organisation's share)", n=n, entities=entities)))
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
