"""Several inventories at once (issue 15): a head office's inventory and its branches' files read
as one, the conflicts between them, the audit trail and manifest per file, the problems files per
input, restating collections — all through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

import carbon
from tests.conftest import EXAMPLE, compute_json, run, write_csv
from tests.xlsx_util import sheet

MULTISITE = EXAMPLE / "multisite"
COLLECTION = MULTISITE / "collection"
HQ, BRANCHES = COLLECTION / "hq", COLLECTION / "branches"

ENTITIES = ["entity_id", "name", "parent_id", "kind", "province", "included_from", "included_to"]
ACTIVITY = ["entity_id", "period_start", "period_end", "source", "quantity", "unit"]


def _tree(folder: Path, rows: list[list[str]], activity: list[list[object]],
          settings: str | None = None, denominators: list[list[object]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "entities.csv", ENTITIES, rows)
    write_csv(folder / "activity.csv", ACTIVITY, activity)
    if settings is not None:
        (folder / "settings.toml").write_text(settings, encoding="utf-8")
    if denominators is not None:
        write_csv(folder / "denominators.csv", ["entity_id", "year", "floor_area_m2",
                                                "headcount"], denominators)
    return folder


#: A head office HQ with two branches A and B, each with an outlet below it.
TREE = [["HQ", "Head office", "", "head_office", "山西", "", ""],
        ["A", "Branch A", "HQ", "branch", "山西", "", ""],
        ["A1", "Outlet A1", "A", "outlet", "山西", "", ""],
        ["B", "Branch B", "HQ", "branch", "山西", "", ""],
        ["B1", "Outlet B1", "B", "outlet", "山西", "", ""]]


def _row(entity: str, month: int, quantity: float = 1000.0) -> list[object]:
    last = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return [entity, f"2024-{month:02d}-01", f"2024-{month:02d}-{last}", "electricity", quantity,
            "kWh"]


def _small(tmp: Path) -> tuple[Path, Path, Path]:
    """A head office folder (its own rows) and two branch folders (theirs)."""
    hq = _tree(tmp / "hq", TREE, [_row("HQ", m) for m in range(1, 13)],
               settings="reporting_years = [2024]\n")
    a = _tree(tmp / "branch-a", [["A", "Branch A", "", "branch", "山西", "", ""],
                                 ["A1", "Outlet A1", "A", "outlet", "山西", "", ""]],
              [_row(e, m, 500.0) for e in ("A", "A1") for m in range(1, 13)])
    b = _tree(tmp / "branch-b", [["B", "", "", "", "", "", ""]],  # blank cells: the head office's
              [_row(e, m, 250.0) for e in ("B", "B1") for m in range(1, 13)])
    return hq, a, b


def _problems(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr


# -- the example: one inventory, or a head office and 14 branch workbooks ----------------------------
def test_the_collected_example_computes_to_exactly_the_single_inventorys_json():
    single = run("compute", MULTISITE / "after", "--format", "json")
    collected = run("compute", HQ, BRANCHES, "--format", "json")
    assert single.exit_code == collected.exit_code == 0, collected.output
    assert collected.stdout == single.stdout  # every total, entity, warning and coverage record
    listed = run("compute", HQ, *sorted(BRANCHES.iterdir(), reverse=True), "--format", "json")
    assert listed.stdout == single.stdout  # the order of the branch files does not matter


def test_the_committed_collection_is_what_the_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("collect_example", MULTISITE / "collect.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "collection")
    written = sorted(p.relative_to(tmp_path / "collection") for p in
                     (tmp_path / "collection").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(COLLECTION) for p in COLLECTION.rglob("*") if p.is_file())
    assert written == committed
    for rel in written:
        assert (tmp_path / "collection" / rel).read_bytes() == (COLLECTION / rel).read_bytes(), (
            f"{rel} is stale: run python examples/jinshang-bank/multisite/collect.py")


def test_the_library_reads_several_paths_as_the_cli_does():
    inv = carbon.read_inventory(HQ, BRANCHES)
    assert [p.name for p in inv.paths] == ["hq", *(f"BR{i:02d}.xlsx" for i in range(1, 15))]
    assert len(inv.tables["activity"]) == 450
    assert carbon.compute(inv).to_json() == run("compute", HQ, BRANCHES, "--format",
                                                "json").stdout


def test_the_audit_trail_names_each_rows_own_file(tmp_path):
    out = tmp_path / "report.xlsx"
    assert run("compute", HQ, BRANCHES, "--out", out).exit_code == 0
    ws = openpyxl.load_workbook(out, read_only=True)["Audit trail"]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    col = {h: i for i, h in enumerate(head)}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    files = {(r[col["Input file"]], r[col["Sheet"]], r[col["Entity id"]]) for r in rows}
    assert ("hq/activity.csv", None, "HO") in files
    assert ("BR03.xlsx", "activity", "OUT03") in files
    assert not any(f == "hq/activity.csv" and e.startswith(("BR", "OUT")) for f, _, e in files)
    # each row's own row number, and its document from its own file
    first = next(r for r in rows if r[col["Input file"]] == "BR03.xlsx")
    assert first[col["Row"]] == 2
    assert first[col["Document reference"]] == "ESG report 2024 performance table"


def test_the_manifest_hashes_every_file_and_verify_names_the_one_that_changed(tmp_path):
    shutil.copytree(COLLECTION, tmp_path / "collection")
    hq, branches = tmp_path / "collection" / "hq", tmp_path / "collection" / "branches"
    manifest = tmp_path / "run.json"
    assert run("compute", hq, branches, "--format", "json", "--out", tmp_path / "r.json",
               "--manifest", manifest).exit_code == 0
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    inputs = {i["path"] for i in doc["inputs"]}
    assert "collection/branches/BR07.xlsx" in inputs and "collection/hq/activity.csv" in inputs
    assert len(inputs) == 4 + 14
    assert doc["options"]["paths"] == ["collection/hq", "collection/branches"]
    assert run("verify", manifest).exit_code == 0
    wb = openpyxl.load_workbook(branches / "BR07.xlsx")
    sheet(wb, "activity")["E2"] = 999999.0
    wb.save(branches / "BR07.xlsx")
    result = run("verify", manifest)
    assert result.exit_code == 1
    assert "input collection/branches/BR07.xlsx: changed" in result.stdout
    assert "input collection/branches/BR06.xlsx" not in result.stdout


def test_restate_takes_each_side_as_several_inputs():
    one = run("restate", "--before", MULTISITE / "before", "--after", MULTISITE / "after",
              "--format", "json")
    many = run("restate", "--before", MULTISITE / "before", "--after", HQ, "--after", BRANCHES,
               "--format", "json")
    assert one.exit_code == many.exit_code == 0, many.output
    assert many.stdout == one.stdout


# -- the rules, each conflict an error naming both files -----------------------------------------------
def test_branch_files_add_their_subtrees_rows(tmp_path):
    hq, a, b = _small(tmp_path)
    got = compute_json(hq, a, b)  # type: ignore[arg-type]
    assert got["years"]["2024"]["energy_kwh"] == pytest.approx(12 * (1000 + 2 * 500 + 2 * 250))
    by = {e["entity_id"]: e["energy_kwh"] for e in got["by_entity"]}
    assert by == {"HQ": 12000.0, "A": 6000.0, "A1": 6000.0, "B": 3000.0, "B1": 3000.0}


def test_an_entity_defined_twice_differently_names_both_files(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(a / "entities.csv", ENTITIES, [["A", "Branch A (new name)", "", "branch", "山西省",
                                              "", ""],
                                             ["A1", "Outlet A1", "A", "outlet", "Shanxi", "", ""]])
    err = _problems(run("compute", hq, a, b))
    assert "branch-a/entities.csv, row 2, column name" in err
    assert "A is defined differently in hq/entities.csv row 3" in err
    assert "hq/entities.csv, row 3, column name" in err and "branch-a/entities.csv row 2" in err
    assert "province" not in err  # 山西省 and Shanxi are 山西 [entity_conflict]
    assert "[entity_conflict]" in err


def test_an_activity_row_in_two_files_names_both(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(hq / "activity.csv", ACTIVITY, [*(_row("HQ", m) for m in range(1, 13)),
                                             _row("A1", 3, 500.0)])
    err = _problems(run("compute", hq, a, b))
    assert "hq/activity.csv, row 14, column period_start" in err
    assert "A1 electricity, 2024-03-01 to 2024-03-31) is also in branch-a/activity.csv row 16" in err
    assert "branch-a/activity.csv, row 16" in err and "hq/activity.csv row 14" in err
    assert "the same record, counted twice" in err and "[duplicate_across_files]" in err
    # another quantity: two versions of one record
    write_csv(hq / "activity.csv", ACTIVITY, [*(_row("HQ", m) for m in range(1, 13)),
                                             _row("A1", 3, 510.0)])
    err = _problems(run("compute", hq, a, b))
    assert "(500 kWh there, 510 kWh here): two versions of one record" in err


def test_a_branch_writing_rows_outside_its_subtree_is_named(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(a / "activity.csv", ACTIVITY, [*(_row(e, m, 500.0) for e in ("A", "A1")
                                               for m in range(1, 13)),
                                             ["B1", "2023-01-01", "2023-01-31", "electricity", 9,
                                              "kWh"], _row("ZZ", 1, 9.0)])
    err = _problems(run("compute", hq, a, b))
    assert ("branch-a/activity.csv, row 26, column entity_id: 'B1': B1 is not among this file's "
            "entities (A and the entities below them in the head office's tree)") in err
    assert "[outside_subtree]" in err
    assert "branch-a/activity.csv, row 27, column entity_id: 'ZZ'" in err  # known to no one
    assert "head office's entities" in err


def test_branch_entities_outside_the_tree_denominators_twice_own_factors_and_settings(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(b / "entities.csv", ENTITIES, [["B", "", "", "", "", "", ""],
                                             ["B9", "New outlet", "B", "outlet", "山西", "", ""]])
    write_csv(hq / "denominators.csv", ["entity_id", "year", "floor_area_m2", "headcount"],
              [["A", 2024, 100, 5]])
    write_csv(a / "denominators.csv", ["entity_id", "year", "floor_area_m2", "headcount"],
              [["A", 2024, 100, 5]])
    write_csv(a / "custom_factors.csv", ["source", "year", "kind", "value", "unit", "reference"],
              [["diesel", "", "emission", 2.7, "kgCO2/L", "supplier"]])
    (a / "settings.toml").write_text("reporting_years = [2023]\n", encoding="utf-8")
    err = _problems(run("compute", hq, a, b))
    assert "branch-b/entities.csv, row 3, column entity_id: 'B9': B9 is not in the head " \
           "office's entities (hq/entities.csv)" in err
    assert "hq/denominators.csv, row 2" in err and "branch-a/denominators.csv row 2" in err
    assert "A 2024 (denominators) is also in" in err
    assert "branch-a/custom_factors.csv, row 2" in err and "[head_office_only]" in err
    assert ("branch-a/settings.toml, column reporting_years: '[2023]': the settings come from "
            "the head office's inventory (hq/settings.toml: reporting_years = [2024])") in err


def test_every_problem_of_every_file_in_one_report(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(a / "activity.csv", ACTIVITY, [_row("A", 1, "8,278,39")])  # type: ignore[arg-type]
    write_csv(b / "activity.csv", ACTIVITY, [["B", "2024-01-01", "2024-01-31", "electricity", 5,
                                              "bananas"]])
    err = _problems(run("compute", hq, a, b))
    assert "branch-a/activity.csv, row 2, column quantity" in err
    assert "branch-b/activity.csv, row 2, column unit" in err


def test_inputs_the_command_line_cannot_tell_apart(tmp_path):
    hq, a, _ = _small(tmp_path)
    twice = run("compute", hq, a, a)
    assert twice.exit_code == 2 and "is given twice" in twice.stderr
    (tmp_path / "other").mkdir()
    shutil.copytree(a, tmp_path / "other" / "branch-a")
    same = run("compute", hq, a, tmp_path / "other" / "branch-a")
    assert same.exit_code == 2 and "two inputs are named branch-a" in same.stderr
    (tmp_path / "books").mkdir()
    first = run("compute", tmp_path / "books", hq)
    assert first.exit_code == 2 and "the first input is the head office's inventory" in \
        first.stderr


def test_a_folder_of_branch_files_reads_every_file_in_it(tmp_path):
    hq, a, b = _small(tmp_path)
    folder = tmp_path / "branches"
    folder.mkdir()
    shutil.move(a, folder / "branch-a")
    shutil.move(b, folder / "branch-b")
    (folder / "branch-c.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (folder / "~$branch-a.xlsx").write_bytes(b"lock")  # Excel's lock file: not an input
    err = _problems(run("compute", hq, folder))
    assert "branch-c.xls: an old Office document" in err  # never silently skipped
    (folder / "branch-c.xls").unlink()
    assert compute_json(hq, folder)["years"]["2024"]["energy_kwh"] == pytest.approx(30000.0)


def test_errors_dir_writes_one_problems_file_per_input(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(a / "activity.csv", ACTIVITY, [_row("A", 1, -5.0),
                                             ["B1", "2023-02-01", "2023-02-28", "electricity", 5,
                                              "kWh"]])
    out = tmp_path / "problems"
    assert run("compute", hq, a, b, "--errors", out).exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["branch-a.problems.xlsx",
                                                     "branch-b.problems.xlsx", "hq.problems.xlsx"]

    def listed(name: str) -> list[tuple[object, ...]]:
        ws = openpyxl.load_workbook(out / name, read_only=True)["problems"]
        return list(ws.iter_rows(min_row=2, values_only=True))

    mine = listed("branch-a.problems.xlsx")
    assert {r[0] for r in mine} == {"branch-a/activity.csv"}
    assert {r[6] for r in mine} == {"negative", "outside_subtree"}
    assert listed("branch-b.problems.xlsx") == [] and listed("hq.problems.xlsx") == []
    # a run without problems replaces the lists with empty ones
    write_csv(a / "activity.csv", ACTIVITY, [_row("A", 1)])
    assert run("compute", hq, a, b, "--errors", out, "--format", "json").exit_code == 0
    assert listed("branch-a.problems.xlsx") == []


def test_check_errors_dir_sends_each_input_its_findings(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(a / "activity.csv", ACTIVITY, [_row(e, m, 500.0) for e in ("A", "A1")
                                             for m in range(1, 13) if (e, m) != ("A1", 7)])
    out = tmp_path / "findings"
    result = run("check", hq, a, b, "--errors", out)
    assert result.exit_code == 1, result.output
    ws = openpyxl.load_workbook(out / "branch-a.problems.xlsx", read_only=True)["problems"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[6]) for r in rows] == [("branch-a/activity.csv", "period_gap")]
    assert "2024-07-01 to 2024-07-31 (between rows 19 and 20)" in str(rows[0][7])
    for name in ("hq.problems.xlsx", "branch-b.problems.xlsx"):
        ws = openpyxl.load_workbook(out / name, read_only=True)["problems"]
        assert list(ws.iter_rows(min_row=2, values_only=True)) == []


def test_a_head_office_may_leave_its_own_activity_empty(tmp_path):
    hq, a, b = _small(tmp_path)
    write_csv(hq / "activity.csv", ACTIVITY, [])
    assert compute_json(hq, a, b)["years"]["2024"]["energy_kwh"] == pytest.approx(18000.0)
    write_csv(a / "activity.csv", ACTIVITY, [])
    write_csv(b / "activity.csv", ACTIVITY, [])
    err = _problems(run("compute", hq, a, b))
    assert "hq/activity.csv, row 2: no input has activity rows" in err


def test_a_row_without_a_factor_is_named_in_its_own_branch_file(tmp_path):
    """Branch B's outlet reports coke (no carbon content in the NDRC guide): the problem is at
    branch B's own activity file and row, not the head office's."""
    hq, a, b = _small(tmp_path)
    write_csv(b / "activity.csv", ACTIVITY, [_row("B", 1, 250.0),
                                             ["B1", "2024-01-01", "2024-01-31", "coke", 2, "t"]])
    err = " ".join(_problems(run("compute", hq, a, b)).split())
    assert "branch-b/activity.csv, row 3, column source: 'coke in t, 2024': no carbon_content " \
           "for coke" in err
    assert "hq/activity.csv" not in err


def test_a_denominators_column_of_the_head_office_only_is_blank_in_the_branches_rows(tmp_path):
    """A denominators table may carry more columns (revenue): one only the head office's table
    has is blank in the branch files' rows (it stopped the run: KeyError, exit 3); the figures
    are those without it."""
    hq = tmp_path / "hq"
    shutil.copytree(COLLECTION / "hq", hq)
    lines = (hq / "denominators.csv").read_text(encoding="utf-8").splitlines()
    (hq / "denominators.csv").write_text(
        "\n".join([lines[0] + ",revenue", *(line + ",1000" for line in lines[1:])]) + "\n",
        encoding="utf-8")
    got = compute_json(hq, str(COLLECTION / "branches"))
    assert got["years"] == compute_json(COLLECTION / "hq", str(COLLECTION / "branches"))["years"]


def test_a_misspelt_denominators_column_is_named_not_left_blank(tmp_path):
    """floor_area for floor_area_m2: an extra column to a table that takes them, but the floor
    areas would all be blank; refused with the column it nearly is."""
    hq = tmp_path / "hq"
    shutil.copytree(COLLECTION / "hq", hq)
    text = (hq / "denominators.csv").read_text(encoding="utf-8")
    (hq / "denominators.csv").write_text(text.replace("floor_area_m2", "floor_area", 1),
                                         encoding="utf-8")
    for paths in ([hq], [hq, COLLECTION / "branches"]):
        result = run("compute", *paths)
        assert result.exit_code == 2, result.output
        assert "hq/denominators.csv, row 1, column floor_area" in result.stderr
        assert "did you mean 'floor_area_m2'" in result.stderr
