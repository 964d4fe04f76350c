"""Gaps, overlaps and duplicates in a meter's periods are warnings, in CSV folders and workbooks;
coverage (days in boundary, expected, recorded, missing) matches a plain day-by-day reading."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import compute_json, make_inventory
from tests.xlsx_util import make_workbook


def _month(m: int, source: str = "electricity", qty: float = 100, unit: str = "kWh",
           entity: str = "E1") -> list[object]:
    end = dt.date(2024 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return [entity, f"2024-{m:02d}-01", end.isoformat(), source, qty, unit]


def _codes(out: dict) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for w in out["warnings"]:
        got.setdefault(w["code"], []).append(w["message"])
    return got


def test_twelve_contiguous_months_give_no_period_warning(tmp_path):
    inv = make_inventory(tmp_path / "inv", [_month(m) for m in range(1, 13)])
    codes = _codes(compute_json(inv))
    assert not {"period_gap", "period_overlap", "duplicate_row"} & set(codes)


def test_gap_overlap_and_duplicate_are_listed_with_rows(tmp_path):
    rows = [_month(m) for m in (1, 2, 4, 5)]  # March missing, and July to December
    rows.append(["E1", "2024-05-15", "2024-06-30", "electricity", 50, "kWh"])  # overlaps May
    rows.append(_month(2))  # February again
    rows.append(_month(3, "diesel", 10, "L"))  # another meter: no gap for electricity's sake
    inv = make_inventory(tmp_path / "inv", rows)
    codes = _codes(compute_json(inv))
    assert codes["period_gap"] == [
        "inv/activity.csv: E1 diesel: nothing recorded from 2024-01-01 to 2024-02-29 (before "
        "row 8), from 2024-04-01 to 2024-12-31 (after row 8); add the missing periods if the "
        "meter ran",
        "inv/activity.csv: E1 electricity: nothing recorded from 2024-03-01 to 2024-03-31 "
        "(between rows 3 and 4), from 2024-07-01 to 2024-12-31 (after row 6); add the missing "
        "periods if the meter ran"]
    assert len(codes["period_overlap"]) == 1
    assert "row 6 (2024-05-15 to 2024-06-30) overlaps an earlier period ending 2024-05-31 (row 5)" \
        in codes["period_overlap"][0]
    assert codes["duplicate_row"] == [
        "inv/activity.csv: row 7 repeats row 3 (E1 electricity, 2024-02-01 to 2024-02-29); both "
        "are counted: delete one if it is entered twice"]


def test_an_overlap_names_the_earlier_period_it_overlaps_not_the_previous_row(tmp_path):
    """A year's reading, then monthly ones: each month overlaps the year (row 2, ending
    2024-12-31), not the month before it, which the message named (ending in February)."""
    rows = [["E1", "2024-01-01", "2024-12-31", "electricity", 1200, "kWh"],
            *(_month(m) for m in (1, 2, 3))]
    codes = _codes(compute_json(make_inventory(tmp_path / "inv", rows)))
    said = " ".join(codes["period_overlap"])
    for row in (4, 5):
        assert f"row {row} (2024-0{row - 2}-01" in said
    assert said.count("ending 2024-12-31 (row 2)") == 2


def test_meters_are_told_apart_by_use_and_instrument(tmp_path):
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "instrument"]
    rows = [[*_month(m), ""] for m in range(1, 13)] + [
        ["E1", "2024-01-01", "2024-12-31", "electricity", 5000, "kWh", "green_power"]]
    inv = make_inventory(tmp_path / "inv", rows, activity_header=header)
    codes = _codes(compute_json(inv))
    assert "period_overlap" not in codes and "period_gap" not in codes


def test_workbook_periods_are_checked_alike(tmp_path):
    rows = [[r[0], *r[1:]] for r in (_month(1), _month(3))]
    path = make_workbook(tmp_path / "inv.xlsx", activity=rows)
    gap = _codes(compute_json(path))["period_gap"]
    assert gap == ["inv.xlsx, sheet activity: E1 electricity: nothing recorded from 2024-02-01 to "
                   "2024-02-29 (between rows 2 and 3), from 2024-04-01 to 2024-12-31 (after row "
                   "3); add the missing periods if the meter ran"]


def test_many_gaps_are_one_line_per_meter_and_many_meters_are_counted(tmp_path):
    rows = [["E1", f"2024-01-{d:02d}", f"2024-01-{d:02d}", "electricity", 1, "kWh"]
            for d in range(1, 31, 2)]
    rows += [["E1", f"2024-02-{d:02d}", f"2024-02-{d:02d}", "electricity", 1, "kWh"]
             for d in range(1, 29, 2)]
    # 24 more sites, each with its December missing
    rows += [[f"S{i:02d}", "2024-01-01", "2024-11-30", "electricity", 1000, "kWh"]
             for i in range(24)]
    entities = [["E1", "Site 1", "", "office", "山西", "", ""]] + [
        [f"S{i:02d}", f"Site S{i:02d}", "", "office", "山西", "", ""] for i in range(24)]
    inv = make_inventory(tmp_path / "inv", rows, entities=entities)
    out = compute_json(inv)
    gaps = _codes(out)["period_gap"]
    assert len(gaps) == 21 and gaps[-1] == "and 5 more meters with missing days"
    assert gaps[0] == (
        "inv/activity.csv: E1 electricity: nothing recorded from 2024-01-02 to 2024-01-02 "
        "(between rows 2 and 3), from 2024-01-04 to 2024-01-04 (between rows 3 and 4), from "
        "2024-01-06 to 2024-01-06 (between rows 4 and 5), from 2024-01-08 to 2024-01-08 (between "
        "rows 5 and 6) and 25 more periods (337 days in all); add the missing periods if the "
        "meter ran")
    e1 = next(c for c in out["coverage"] if c["entity_id"] == "E1")
    assert (e1["days_recorded"], e1["days_missing"], len(e1["missing"])) == (29, 337, 29)


def _reference(rows: list[tuple[str, int, int, float]]) -> tuple[int, int]:
    """Duplicates and overlaps counted the slow, obvious way (one meter per entity)."""
    seen: set[tuple[str, int, int, float]] = set()
    kept, dups = [], 0
    for i, r in enumerate(rows):
        if r in seen:
            dups += 1
        else:
            seen.add(r)
            kept.append((r[0], r[1], r[2], i))
    overlaps = 0
    for entity in {r[0] for r in kept}:
        reach = None
        for _, s, e, _ in sorted(r for r in kept if r[0] == entity):
            if reach is not None:
                overlaps += s <= reach
            reach = e if reach is None else max(reach, e)
    return dups, overlaps


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 30), st.integers(0, 5),
                          st.sampled_from([1.0, 2.0])), min_size=1, max_size=40))
def test_period_checks_match_a_plain_reading(raw):
    import numpy as np
    import pandas as pd

    from carbon.io.inventory import MAX_LISTED_NOTICES, period_notices

    rows = [(e, s, s + d, q) for e, s, d, q in raw]
    day0 = np.datetime64("2024-01-01", "s")
    act = pd.DataFrame({
        "entity_id": pd.Categorical([r[0] for r in rows]),
        "source": pd.Categorical(["electricity"] * len(rows)),
        "stream": pd.Categorical([""] * len(rows)),
        "use": pd.Categorical([""] * len(rows)), "meter": pd.Categorical([""] * len(rows)),
        "instrument": pd.Categorical([""] * len(rows)),
        "period_start": day0 + np.array([r[1] for r in rows]) * np.timedelta64(1, "D"),
        "period_end": day0 + np.array([r[2] for r in rows]) * np.timedelta64(1, "D"),
        "quantity": [r[3] for r in rows], "unit": pd.Categorical(["kWh"] * len(rows)),
        "row": np.arange(2, len(rows) + 2)})
    notices = period_notices(act, "f")

    def count(code: str) -> int:
        got = [n.message for n in notices if n.code == code]
        if got and got[-1].startswith("and "):
            return MAX_LISTED_NOTICES + int(got[-1].split()[1])
        return len(got)

    assert (count("duplicate_row"), count("period_overlap")) == _reference(rows)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["", "m2"]),
                               st.integers(-40, 760), st.integers(0, 90), st.booleans()),
                     min_size=1, max_size=30),
       window=st.tuples(st.one_of(st.none(), st.integers(-30, 700)),
                        st.one_of(st.none(), st.integers(0, 760))),
       months=st.integers(1, 0xFFF), years=st.sampled_from([[2024], [2025], [2024, 2025]]))
def test_coverage_matches_a_day_by_day_reading(rows, window, months, years):
    """Days in boundary, expected, recorded, estimated and missing, and the missing ranges, of
    each meter and year against sets of days; meter B's blank meter is declared seasonal."""
    import numpy as np
    import pandas as pd

    from carbon.coverage import coverage

    day0 = np.datetime64("2024-01-01", "D")
    act = pd.DataFrame({
        "entity_id": pd.Categorical([r[0] for r in rows]),
        "source": pd.Categorical(["electricity"] * len(rows)),
        "meter": pd.Categorical([r[1] for r in rows]), "use": pd.Categorical([""] * len(rows)),
        "instrument": pd.Categorical([""] * len(rows)),
        "period_start": (day0 + np.array([r[2] for r in rows])).astype("datetime64[s]"),
        "period_end": (day0 + np.array([r[2] + r[3] for r in rows])).astype("datetime64[s]"),
        "data_quality": pd.Categorical(["estimated" if r[4] else "" for r in rows]),
        "row": np.arange(2, len(rows) + 2)})
    w0, w1 = window
    nat = np.datetime64("NaT", "s")
    entities = pd.DataFrame({
        "entity_id": ["A", "B"], "parent_id": ["", ""],
        "included_from": [nat, nat if w0 is None else (day0 + w0).astype("datetime64[s]")],
        "included_to": [nat, nat if w1 is None else (day0 + w1).astype("datetime64[s]")]})
    declared = pd.DataFrame({"entity_id": ["B"], "source": ["electricity"], "meter": [""],
                             "months": [months], "row": [2]})
    cov = coverage(act, entities, years, declared)

    def days(a: int, b: int) -> set[int]:
        return set(range(a, b + 1))

    got = {}
    for i, r in enumerate(cov.table.itertuples(index=False)):
        m = cov.meters.iloc[r.meter]
        gaps = cov.gaps[cov.gaps["record"] == i]
        ranges = [(int((s - day0).astype(int)), int((e - day0).astype(int)))
                  for s, e in zip(gaps["start"].to_numpy().astype("datetime64[D]"),
                                  gaps["end"].to_numpy().astype("datetime64[D]"), strict=True)]
        got[(m["entity_id"], m["meter"], int(r.year))] = (
            r.days_in_boundary, r.days_expected, r.days_recorded, r.days_estimated,
            r.days_missing, ranges, bool(r.source_missing))
    want = {}
    for entity in ("A", "B"):
        lo_w = -10**6 if entity == "A" or w0 is None else w0
        hi_w = 10**6 if entity == "A" or w1 is None else w1
        for meter in ("", "m2"):
            mine = [r for r in rows if r[0] == entity and r[1] == meter]
            seasonal = entity == "B" and meter == ""
            if not mine and not seasonal:
                continue
            covered = set().union(*(days(r[2], r[2] + r[3]) for r in mine)) if mine else set()
            est = set().union(*(days(r[2], r[2] + r[3]) for r in mine if r[4])) if mine else set()
            any_rows = [r for r in rows if r[0] == entity]
            for year in years:
                y0 = int((np.datetime64(f"{year}-01-01", "D") - day0).astype(int))
                y1 = int((np.datetime64(f"{year}-12-31", "D") - day0).astype(int))
                inside = days(max(y0, lo_w), min(y1, hi_w))
                if not inside:
                    continue
                has = bool(covered & days(y0, y1))
                source_here = any(days(r[2], r[2] + r[3]) & days(y0, y1) for r in any_rows)
                lacking = bool(any_rows) and not source_here
                if not (has or seasonal or (mine and lacking)):
                    continue
                run = months if seasonal else 0xFFF
                expected = {d for d in inside
                            if run >> int((day0 + d).astype("datetime64[M]").astype(int) % 12)
                            & 1}
                missing = sorted(expected - covered)
                ranges = []
                for d in missing:
                    if ranges and ranges[-1][1] == d - 1:
                        ranges[-1] = (ranges[-1][0], d)
                    else:
                        ranges.append((d, d))
                want[(entity, meter, year)] = (
                    len(inside), len(expected), len(covered & inside), len(est & inside),
                    len(missing), ranges, lacking)
    assert got == want
