"""``carbon.boundary``'s pure functions on small entity tables, each expected value worked out by
hand from the rules in the module's docstring (GHG Protocol Corporate Standard, chapters 3 and 5):
windows cut to the parents', the whole-year and pro-rata weights, equity shares along a chain,
structural events applied to earlier years, loops in the tree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carbon import boundary as b

NAT = np.datetime64("NaT")


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


def entities(*rows: dict) -> pd.DataFrame:
    """An entity table as the inventory reader builds it (blank dates NaT, blank share NaN)."""
    cols = {"entity_id": "", "parent_id": "", "kind": "office", "included_from": None,
            "included_to": None, "entry": "", "exit": "", "existed_from": None,
            "ownership_share": np.nan}
    frame = pd.DataFrame([{**cols, **r} for r in rows])
    for c in ("included_from", "included_to", "existed_from"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[s]")
    frame["row"] = np.arange(2, len(frame) + 2)
    return frame


def pieces(*rows: tuple[str, int, str, str]) -> pd.DataFrame:
    """Activity pieces (entity, year, first day, last day), each within its year."""
    return pd.DataFrame({"entity_id": [r[0] for r in rows], "year": [r[1] for r in rows],
                         "period_start": pd.to_datetime([r[2] for r in rows]),
                         "period_end": pd.to_datetime([r[3] for r in rows])})


# --- the tree -----------------------------------------------------------------------------------

def test_parent_loops_long_chains_below_a_loop_and_to_a_root():
    """40 entities hang below a two-entity loop (all on a loop's chain), 40 below a root (none),
    one is its own parent, one names an unknown parent (top level: reported elsewhere)."""
    rows = [{"entity_id": "L1", "parent_id": "L2"}, {"entity_id": "L2", "parent_id": "L1"}]
    rows += [{"entity_id": f"C{i}", "parent_id": f"C{i - 1}" if i else "L1"} for i in range(40)]
    rows += [{"entity_id": "R"}]
    rows += [{"entity_id": f"T{i}", "parent_id": f"T{i - 1}" if i else "R"} for i in range(40)]
    rows += [{"entity_id": "SELF", "parent_id": "SELF"}, {"entity_id": "ORPHAN",
                                                           "parent_id": "ZZ"}]
    got = b.parent_loops(entities(*rows))
    assert got.tolist() == [True] * 42 + [False] * 41 + [True, False]
    assert b.parent_loops(entities({"entity_id": "X"}).iloc[:0]).tolist() == []


def test_equity_share_down_a_chain_of_33():
    """Each level owns half of the next, every third blank (wholly owned): level k's share is
    0.5 to the number of non-blank links from the top to it."""
    rows, expected, share = [], [], 1.0
    for i in range(33):
        written = np.nan if i % 3 == 2 else 0.5
        share *= 1.0 if np.isnan(written) else written
        rows.append({"entity_id": f"E{i}", "parent_id": f"E{i - 1}" if i else "",
                     "ownership_share": written})
        expected.append(share)
    rows.append({"entity_id": "X", "parent_id": "nobody", "ownership_share": 0.25})
    got = b.equity_share(entities(*reversed(rows)))  # order does not matter
    assert got.tolist() == pytest.approx([0.25, *reversed(expected)], rel=1e-12)


def test_windows_are_cut_to_every_parent_up_the_tree():
    ents = entities(
        {"entity_id": "G", "included_from": "2020-01-01", "included_to": "2025-12-31"},
        {"entity_id": "S", "parent_id": "G", "included_from": "2021-06-01"},
        {"entity_id": "P", "parent_id": "S", "included_to": "2024-03-31"},
        {"entity_id": "Q", "parent_id": "P", "included_from": "2019-01-01",
         "included_to": "2030-01-01"},
        {"entity_id": "FREE"})
    start, stop = b.windows(ents)
    assert start.tolist() == [day(d) for d in ("2020-01-01", "2021-06-01", "2021-06-01",
                                               "2021-06-01", "0001-01-01")]
    assert stop.tolist() == [day(d) for d in ("2025-12-31", "2025-12-31", "2024-03-31",
                                              "2024-03-31", "9999-12-31")]


def test_a_window_twenty_levels_down():
    rows = [{"entity_id": "N0", "included_from": "2023-07-01", "included_to": "2024-06-30"}]
    rows += [{"entity_id": f"N{i}", "parent_id": f"N{i - 1}"} for i in range(1, 20)]
    start, stop = b.windows(entities(*rows))
    assert start.tolist() == [day("2023-07-01")] * 20
    assert stop.tolist() == [day("2024-06-30")] * 20


def test_year_bounds():
    jan1, dec31 = b.year_bounds(np.array([2024, 2023, 1970, 1900, 2200]))
    assert jan1.tolist() == [day(d) for d in ("2024-01-01", "2023-01-01", "1970-01-01",
                                              "1900-01-01", "2200-01-01")]
    assert dec31.tolist() == [day(d) for d in ("2024-12-31", "2023-12-31", "1970-12-31",
                                               "1900-12-31", "2200-12-31")]


# --- which entity-years count, and how much -----------------------------------------------------

WINDOWED = entities(
    {"entity_id": "A"},
    {"entity_id": "NEW", "included_from": "2023-07-01"},  # 184 days of 2023 inside
    {"entity_id": "OLD", "included_to": "2023-03-31"},  # 90 days of 2023 inside
    {"entity_id": "HALF", "ownership_share": 0.5},
    {"entity_id": "NONE", "ownership_share": 0.0})


def test_in_boundary_by_year_window_and_share():
    ids = pd.Series(["A", "NEW", "NEW", "NEW", "OLD", "OLD", "OLD", "HALF", "NONE", "GHOST"])
    years = [2022, 2022, 2023, 2024, 2022, 2023, 2024, 2023, 2023, 2023]
    assert b.in_boundary(ids, years, WINDOWED).tolist() == [
        True, False, True, True, True, True, False, True, True, False]
    equity = b.in_boundary(ids, np.array(years), WINDOWED, "equity_share")
    assert equity.tolist() == [True, False, True, True, True, True, False, True, False, False]


def test_row_weights_whole_year_pro_rata_and_equity():
    rows = pieces(("A", 2023, "2023-01-01", "2023-12-31"),
                  ("NEW", 2023, "2023-01-01", "2023-12-31"),
                  ("NEW", 2022, "2022-01-01", "2022-12-31"),
                  ("OLD", 2023, "2023-01-01", "2023-12-31"),
                  ("OLD", 2023, "2023-03-01", "2023-04-30"),  # 31 of its 61 days inside
                  ("HALF", 2023, "2023-01-01", "2023-12-31"),
                  ("GHOST", 2023, "2023-01-01", "2023-12-31"))
    assert b.row_weights(rows, WINDOWED).tolist() == [1, 1, 0, 1, 1, 1, 0]
    assert b.row_weights(rows, WINDOWED, "equity_share").tolist() == [1, 1, 0, 1, 1, 0.5, 0]
    pro = b.row_weights(rows, WINDOWED, "equity_share", "pro_rata")
    assert pro.tolist() == pytest.approx([1, 184 / 365, 0, 90 / 365, 31 / 61, 0.5, 0], rel=1e-12)
    assert b.row_weights(rows.iloc[:0], WINDOWED).tolist() == []


def test_codes_of_a_categorical_column_once_per_category():
    ids = pd.Series(["NEW", "GHOST", "A", "NEW", None], dtype="category")
    assert b.in_boundary(ids, [2022] * 5, WINDOWED).tolist() == [False, False, True, False,
                                                                False]
    assert b.in_boundary(ids, [2024] * 5, WINDOWED).tolist() == [True, False, True, True, False]


def test_no_entities_counts_nothing():
    none = entities({"entity_id": "X"}).iloc[:0]
    rows = pieces(("A", 2023, "2023-01-01", "2023-12-31"))
    assert b.row_weights(rows, none).tolist() == [0]
    assert b.restated_weights(rows, none).tolist() == [0]


# --- events ----------------------------------------------------------------------------------

def test_event_rules_structural_organic_none():
    ents = entities(*({"entity_id": f"E{i}", "entry": e} for i, e in enumerate(
        ["acquisition", "opening", "insourcing", "insourcing_scope2", ""])))
    assert b.event_rules(ents, "entry").tolist() == [2, 1, 2, 1, 0]
    ents = entities(*({"entity_id": f"E{i}", "exit": e} for i, e in enumerate(
        ["divestment", "closure", "outsourcing", "outsourcing_scope2", ""])))
    assert b.event_rules(ents, "exit").tolist() == [2, 1, 2, 1, 0]
    assert b.event_rules(ents.drop(columns="entry"), "entry").tolist() == [0] * 5


EVENTS = entities(
    {"entity_id": "HQ"},
    {"entity_id": "BUY", "included_from": "2023-07-01", "entry": "acquisition"},
    {"entity_id": "BUY-P", "parent_id": "BUY"},  # shares its parent's event
    {"entity_id": "SELL", "included_to": "2023-09-30", "exit": "divestment"},
    {"entity_id": "OPEN", "included_from": "2023-07-01", "entry": "opening"},
    {"entity_id": "SHUT", "included_to": "2023-12-31", "exit": "closure"},
    {"entity_id": "YOUNG", "included_from": "2024-02-01", "entry": "acquisition",
     "existed_from": "2022-05-01"},
    {"entity_id": "TIE", "included_from": "2023-07-01", "entry": "", "parent_id": "BUY"},
    {"entity_id": "OWN", "included_from": "2023-07-01", "entry": "opening", "parent_id": "BUY"},
    {"entity_id": "OWN2", "included_from": "2023-07-01", "entry": "acquisition",
     "parent_id": "OPEN"})


def test_event_years_and_whose_event_applies():
    entry, exit_, by_start, by_stop = b.event_years(EVENTS)
    assert entry.tolist() == [0, 2023, 2023, 0, 0, 0, 2024, 2023, 2023, 2023]
    # the first day outside: a divestment on 30 September 2023 is an exit in 2023; a closure on
    # 31 December is organic (no exit year)
    assert exit_.tolist() == [0, 0, 0, 2023, 0, 0, 0, 0, 0, 0]
    # on a tie of dates the higher rule wins: BUY-P, TIE (no event) and OWN (an opening) take
    # BUY's acquisition; OWN2's acquisition beats its parent's opening
    assert by_start.tolist() == [0, 1, 1, 3, 4, 5, 6, 1, 1, 9]
    assert by_stop.tolist() == list(range(10))


def test_a_divestment_on_31_december_exits_the_next_year():
    ents = entities({"entity_id": "S", "included_to": "2023-12-31", "exit": "divestment"})
    assert b.event_years(ents)[1].tolist() == [2024]


def test_restated_weights_add_acquired_history_and_remove_divested_years():
    rows = pieces(("BUY", 2022, "2022-01-01", "2022-12-31"),
                  ("BUY-P", 2022, "2022-01-01", "2022-12-31"),
                  ("BUY", 2023, "2023-01-01", "2023-12-31"),
                  ("SELL", 2022, "2022-01-01", "2022-12-31"),
                  ("SELL", 2023, "2023-01-01", "2023-12-31"),
                  ("OPEN", 2022, "2022-01-01", "2022-12-31"),
                  ("YOUNG", 2022, "2022-01-01", "2022-12-31"),  # existed from May 2022
                  ("YOUNG", 2021, "2021-01-01", "2021-12-31"),  # before it existed
                  ("HQ", 2022, "2022-01-01", "2022-12-31"))
    assert b.row_weights(rows, EVENTS).tolist() == [0, 0, 1, 1, 1, 0, 0, 0, 1]
    assert b.restated_weights(rows, EVENTS).tolist() == [1, 1, 1, 0, 1, 0, 1, 0, 1]
    pro = b.restated_weights(rows, EVENTS, mid_year="pro_rata")
    # YOUNG's 2022 history counts from its existence, 1 May: 245 of 365 days
    assert pro.tolist() == pytest.approx([1, 1, 184 / 365, 0, 273 / 365, 0, 245 / 365, 0, 1],
                                         rel=1e-12)
    inside = b.restated_in_boundary(rows["entity_id"], rows["year"].to_numpy(), EVENTS)
    assert inside.tolist() == [True, True, True, False, True, False, True, False, True]


def test_missing_history_of_acquired_units():
    act = pd.DataFrame({"entity_id": ["BUY-P", "BUY", "YOUNG"],
                        "period_start": pd.to_datetime(["2020-12-01", "2023-01-01",
                                                        "2023-01-01"]),
                        "period_end": pd.to_datetime(["2022-01-31", "2023-12-31",
                                                      "2023-12-31"])})
    # BUY (with BUY-P below it) has rows for 2020-2022 through BUY-P's row across three years;
    # YOUNG, acquired in 2024, existed from 2022 and has rows for 2023 only; OWN2, acquired in
    # 2023 and existing always, has none
    got = b.missing_history(EVENTS, act, [2019, 2020, 2021, 2022, 2023, 2024])
    assert got == [(1, [2019]), (6, [2022]), (9, [2019, 2020, 2021, 2022])]
    assert b.missing_history(EVENTS.iloc[:0], act, [2022]) == []


def test_unstated_events_from_the_window_edges():
    """An entry on 1 January of the first year or an exit on 31 December of the last is no
    change inside the years."""
    ents = entities({"entity_id": "A", "included_from": "2022-01-01"},
                    {"entity_id": "B", "included_from": "2022-01-02"},
                    {"entity_id": "C", "included_to": "2023-12-31"},
                    {"entity_id": "D", "included_to": "2023-12-30"},
                    {"entity_id": "E", "included_from": "2024-01-01"})
    got = b.unstated_events(ents, [2022, 2023])
    assert [(u["entity_id"], u["change"], u["assumed"]) for u in got] == [
        ("B", "entry", "opening"), ("D", "exit", "closure")]
    assert [u["entity_id"] for u in b.unstated_events(ents)] == ["A", "B", "E", "C", "D"]


def test_changed_entities_and_kinds():
    before = entities({"entity_id": "A", "kind": "office"}, {"entity_id": "B", "kind": "plant"})
    after = entities({"entity_id": "B", "kind": "plant"}, {"entity_id": "C", "kind": "plant"},
                     {"entity_id": "D", "kind": "outlet"}, {"entity_id": "E", "kind": ""})
    assert b.changed_entities(before, after) == {"added": ["C", "D", "E"], "removed": ["A"]}
    assert b.kinds(after, ["C", "D", "E", "B"]) == {"": 1, "outlet": 1, "plant": 2}


def test_exit_ties_and_an_earlier_own_end():
    """P is divested on 30 September 2023. C1 ends the same day with no event: P's exit applies.
    C2 ends earlier on its own: its own end, no exit. C3 closes the same day: the divestment,
    structural, wins the tie."""
    ents = entities({"entity_id": "P", "included_to": "2023-09-30", "exit": "divestment"},
                    {"entity_id": "C1", "parent_id": "P", "included_to": "2023-09-30"},
                    {"entity_id": "C2", "parent_id": "P", "included_to": "2023-06-30"},
                    {"entity_id": "C3", "parent_id": "P", "included_to": "2023-09-30",
                     "exit": "closure"})
    _, exit_, _, by_stop = b.event_years(ents)
    assert exit_.tolist() == [2023, 2023, 0, 2023] and by_stop.tolist() == [0, 0, 2, 0]
    assert b.windows(ents)[1].tolist() == [day("2023-09-30")] * 2 + [day("2023-06-30"),
                                                                      day("2023-09-30")]


def test_restated_history_without_an_existed_from_column_and_under_an_opened_parent():
    rows = pieces(("YOUNG", 2021, "2021-01-01", "2021-12-31"),
                  ("BUY", 2022, "2022-01-01", "2022-12-31"))
    # no existed_from column: an acquired unit existed always
    assert b.restated_weights(rows, EVENTS.drop(columns="existed_from")).tolist() == [1, 1]
    # a unit acquired in 2023 below a site opened in 2023: its 2022 history is outside the
    # parent's window, so it is not added
    ents = entities({"entity_id": "SITE", "included_from": "2023-01-01", "entry": "opening"},
                    {"entity_id": "BUY", "parent_id": "SITE", "included_from": "2023-07-01",
                     "entry": "acquisition"})
    assert b.restated_weights(rows.iloc[1:], ents).tolist() == [0]


def test_events_of_the_first_entity_in_the_table():
    rows = pieces(("SELL", 2022, "2022-01-01", "2022-12-31"),
                  ("BUY", 2022, "2022-01-01", "2022-12-31"))
    first = entities({"entity_id": "SELL", "included_to": "2023-09-30", "exit": "divestment"},
                     {"entity_id": "HQ"})
    assert b.restated_weights(rows.iloc[:1], first).tolist() == [0]
    first = entities({"entity_id": "BUY", "included_from": "2023-07-01", "entry": "acquisition"})
    assert b.restated_weights(rows.iloc[1:], first).tolist() == [1]
    act = rows.iloc[1:].drop(columns="year")
    assert b.missing_history(first, act, [2021, 2022]) == [(0, [2021])]


def test_restated_in_boundary_with_no_entities_and_by_equity_share():
    none = entities({"entity_id": "X"}).iloc[:0]
    assert b.restated_in_boundary(pd.Series(["A"]), np.array([2022]), none).tolist() == [False]
    ents = entities({"entity_id": "BUY", "included_from": "2023-07-01", "entry": "acquisition",
                     "ownership_share": 0.5},
                    {"entity_id": "ZERO", "ownership_share": 0.0})
    rows = pieces(("BUY", 2022, "2022-01-01", "2022-12-31"),
                  ("ZERO", 2022, "2022-01-01", "2022-12-31"))
    assert b.restated_weights(rows, ents, "equity_share").tolist() == [0.5, 0]
    inside = b.restated_in_boundary(rows["entity_id"], np.array([2022, 2022]), ents,
                                    "equity_share")
    assert inside.tolist() == [True, False]
    # acquired with no equity share: its history is outside by equity share too
    zero = entities({"entity_id": "ZB", "included_from": "2023-07-01", "entry": "acquisition",
                     "ownership_share": 0.0})
    assert b.restated_in_boundary(pd.Series(["ZB"]), np.array([2022]), zero,
                                  "equity_share").tolist() == [False]
    assert b.restated_in_boundary(pd.Series(["ZB"]), np.array([2022]), zero).tolist() == [True]


def test_windows_touching_a_year_on_its_first_or_last_day():
    ents = entities({"entity_id": "DEC31", "included_from": "2022-12-31"},
                    {"entity_id": "JAN1", "included_to": "2023-01-01"})
    ids = pd.Series(["DEC31", "DEC31", "JAN1", "JAN1"])
    assert b.in_boundary(ids, [2022, 2021, 2023, 2024], ents).tolist() == [True, False, True,
                                                                          False]
    rows = pieces(("DEC31", 2022, "2022-01-01", "2022-12-31"),
                  ("JAN1", 2023, "2023-01-01", "2023-12-31"),
                  ("DEC31", 2022, "2022-01-01", "2022-03-31"))  # no day inside
    assert b.row_weights(rows, ents).tolist() == [1, 1, 1]
    assert b.row_weights(rows, ents, mid_year="pro_rata").tolist() == pytest.approx(
        [1 / 365, 1 / 365, 0], rel=1e-12)


def test_equity_share_of_a_single_entity_and_an_empty_loop_check():
    assert b.equity_share(entities({"entity_id": "A", "ownership_share": 0.5})).tolist() == [0.5]
    assert b.parent_loops(entities({"entity_id": "X"}).iloc[:0]).dtype == np.dtype(bool)


def test_missing_history_of_a_later_year_after_an_earlier_row():
    """Acquired in 2024 with a row for 2021 only: 2022 and 2023 are missing (a row covers its own
    years, never later ones)."""
    ents = entities({"entity_id": "BUY", "included_from": "2024-01-01", "entry": "acquisition"})
    act = pd.DataFrame({"entity_id": ["BUY"], "period_start": pd.to_datetime(["2021-01-01"]),
                        "period_end": pd.to_datetime(["2021-12-31"])})
    assert b.missing_history(ents, act, [2021, 2022, 2023]) == [(0, [2022, 2023])]
    # without an existed_from column it existed always
    assert b.missing_history(ents.drop(columns="existed_from"), act, [2020, 2021]) == [
        (0, [2020])]


def test_unstated_events_edges_counts_and_missing_columns():
    ents = entities({"entity_id": "NEW", "included_from": "2023-12-31"},  # last day of the years
                    {"entity_id": "GONE", "included_to": "2022-01-01"},  # first day
                    {"entity_id": "SOLD", "included_to": "2023-06-30"},
                    {"entity_id": "HELD", "kind": "出售"})  # a kind naming an exit, no dates
    act = pd.DataFrame({"entity_id": ["NEW", "SOLD", "SOLD", "SOLD"],
                        "period_start": pd.to_datetime(["2023-01-01", "2023-01-01",
                                                        "2023-06-01", "2023-07-01"]),
                        "period_end": pd.to_datetime(["2023-12-31", "2023-05-31",
                                                      "2023-06-30", "2023-07-31"])})
    got = b.unstated_events(ents, [2022, 2023], act)
    assert [(u["entity_id"], u["change"], u["assumed"], u["rows_outside"], u["kind_says"])
            for u in got] == [("NEW", "entry", "opening", 1, ""),
                              ("GONE", "exit", "closure", 0, ""),
                              ("SOLD", "exit", "closure", 1, ""),
                              ("HELD", "exit", "inside_to_end", 0, "divestment")]
    # no activity: nothing counted; no entry, exit or row column: nothing stated, rows unknown
    assert {u["rows_outside"] for u in b.unstated_events(ents, [2022, 2023])} == {0}
    first = entities({"entity_id": "SOLD", "included_to": "2023-06-30"}, {"entity_id": "HQ"})
    [sold] = b.unstated_events(first, [2023], act[act["entity_id"] == "SOLD"])
    assert sold["rows_outside"] == 1
    bare = ents.drop(columns=["entry", "exit", "row"])
    assert [(u["entity_id"], u["row"]) for u in b.unstated_events(bare, [2022, 2023])] == [
        ("NEW", None), ("GONE", None), ("SOLD", None), ("HELD", None)]
