"""``carbon compute --manifest`` and ``carbon verify``: a run re-performed, and every change named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from carbon import __version__
from carbon.manifest import sha256_file
from tests.conftest import EXAMPLE, activity_row, make_inventory, run

BUNDLED = Path(__file__).resolve().parents[1] / "factors"


def copy_example(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(EXAMPLE, parent / EXAMPLE.name))


def write_manifest(inv: Path, manifest: Path, *args: str) -> dict:
    result = run("compute", inv, "--format", "json", "--manifest", manifest, *args)
    assert result.exit_code == 0, result.output
    return json.loads(manifest.read_text(encoding="utf-8"))


def test_manifest_records_inputs_sets_version_options_and_results(tmp_path):
    inv = copy_example(tmp_path)
    m = write_manifest(inv, tmp_path / "run.json", "--year", "2024", "--year", "2023")
    assert m["carbon_version"] == __version__
    assert [i["path"] for i in m["inputs"]] == [f"{EXAMPLE.name}/{n}" for n in (
        "activity.csv", "denominators.csv", "entities.csv", "settings.toml")]
    for i in m["inputs"]:
        assert i["sha256"] == sha256_file(tmp_path / i["path"])
    assert m["options"]["path"] == EXAMPLE.name and m["options"]["year"] == [2023, 2024]
    assert {"grid_level", "factors", "format", "lang", "out", "charts"} <= set(m["options"])
    assert {s["id"] for s in m["factor_sets"]} >= {"gbt2589-2020", "mee-grid-2022"}
    assert m["factors"]["mee-grid-2022:emission:electricity:national"]["value"] == 0.5366
    # the results are the JSON output, exactly
    js = run("compute", inv, "--format", "json", "--year", "2023", "--year", "2024").stdout
    assert m["results"] == json.loads(js)
    assert list(m["results"]["years"]) == ["2023", "2024"]
    # indented by one space for reading, text kept as written (not \u escapes)
    text = (tmp_path / "run.json").read_text(encoding="utf-8")
    assert text.startswith('{\n "manifest_version": 1,\n "carbon_version": ')
    assert "晋商银行" in text


def test_json_and_manifest_are_byte_identical_for_identical_inputs(tmp_path):
    """Two copies of the inventory in different folders, run twice each: the same bytes."""
    outputs = []
    for place in ("a/deep/er", "b"):
        inv = copy_example(tmp_path / place)
        for _ in range(2):
            js = run("compute", inv, "--format", "json", "--manifest", inv.parent / "run.json")
            assert js.exit_code == 0, js.output
            outputs.append((js.stdout, (inv.parent / "run.json").read_bytes()))
    assert all(o == outputs[0] for o in outputs)


def test_verify_passes_on_an_unchanged_run(tmp_path):
    inv = copy_example(tmp_path)
    write_manifest(inv, tmp_path / "run.json")
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 0, result.output
    assert "verified" in result.stdout
    assert "note:" not in result.stdout  # the same version: no note


def test_changed_activity_value_fails_verify_naming_file_and_figures(tmp_path):
    inv = copy_example(tmp_path)
    write_manifest(inv, tmp_path / "run.json")
    activity = inv / "activity.csv"
    original = activity.read_bytes()
    assert b'"1,702.79",L' in original  # 2022 diesel, litres
    activity.write_bytes(original.replace(b'"1,702.79",L', b'"1,802.79",L'))
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert f"input {EXAMPLE.name}/activity.csv: changed" in out
    assert "years.2022.by_source.diesel.quantity: 1,702.79 → 1,802.79 (+100, +5.873%)" in out
    assert "years.2022.scope1_tco2e:" in out
    assert "years.2023." not in out  # nothing else moved
    activity.write_bytes(original)
    assert run("verify", tmp_path / "run.json").exit_code == 0


def test_changed_custom_factor_fails_verify_naming_the_factor(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "L", source="diesel")],
                         custom_factors=[["diesel", "", "emission", "2.60", "kgCO2/L",
                                          "supplier certificate 2022"]])
    write_manifest(inv, tmp_path / "run.json")
    factors = inv / "custom_factors.csv"
    original = factors.read_bytes()
    factors.write_bytes(original.replace(b"2.60", b"2.70"))
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "input inv/custom_factors.csv: changed" in out
    assert "factor custom:emission:diesel: 2.6 kgCO2/L" in out and "→ 2.7 kgCO2/L" in out
    assert "years.2022.gases.co2_t: 2.6 → 2.7 (+0.1, +3.846%)" in out  # 1000 L × 0.1 kg/L
    assert "years.2022.scope1_tco2e: 2.6" in out
    factors.write_bytes(original)
    assert run("verify", tmp_path / "run.json").exit_code == 0


def test_changed_user_factor_set_fails_verify_naming_the_set(tmp_path):
    own = tmp_path / "sets" / "my-grid-2022"
    shutil.copytree(BUNDLED / "mee-grid-2022", own)
    meta = own / "metadata.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        'id = "mee-grid-2022"', 'id = "my-grid-2022"').replace('family = "mee-grid"',
                                                               'family = "my-grid"'),
        encoding="utf-8")
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "kWh")],
                         settings='[factor_sets]\ngrid = "my-grid-2022"\n')
    write_manifest(inv, tmp_path / "run.json", "--factors", str(own))
    rows = own / "factors.csv"
    original = rows.read_bytes()
    rows.write_bytes(original.replace(b"national,0.5366", b"national,0.5703"))
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 1, result.output
    assert "factor set my-grid-2022: changed" in result.stdout
    assert "factor my-grid-2022:emission:electricity:national: 0.5366 kgCO2/kWh" in result.stdout
    assert "years.2022.scope2_location_tco2e: 0.5366 → 0.5703" in result.stdout
    rows.write_bytes(original)
    assert run("verify", tmp_path / "run.json").exit_code == 0


def test_missing_input_exits_2_naming_it(tmp_path):
    inv = copy_example(tmp_path)
    write_manifest(inv, tmp_path / "run.json")
    (inv / "denominators.csv").unlink()
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 2
    assert f"{EXAMPLE.name}/denominators.csv" in result.output and "not found" in result.output


def test_manifest_moves_with_its_inputs(tmp_path):
    """Paths are relative to the manifest: the folder can be archived and verified elsewhere."""
    inv = copy_example(tmp_path / "2024-audit")
    write_manifest(inv, tmp_path / "2024-audit" / "run.json")
    moved = Path(shutil.move(tmp_path / "2024-audit", tmp_path / "archive"))
    result = run("verify", moved / "run.json")
    assert result.exit_code == 0, result.output
    assert "every figure matches run.json" in result.stdout


def test_not_a_manifest_exits_2(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"years": {}}', encoding="utf-8")
    result = run("verify", bad)
    assert result.exit_code == 2 and "not a carbon manifest" in result.output


def test_out_and_manifest_cannot_share_a_file(tmp_path):
    target = tmp_path / "run.json"
    result = run("compute", EXAMPLE, "--out", target, "--manifest", target)
    assert result.exit_code == 2 and "two outputs" in result.output
    assert not target.exists()


def test_a_copy_of_the_folder_under_another_name_verifies(tmp_path):
    """Warnings name the inventory folder; verify compares them without it."""
    inv = make_inventory(tmp_path / "one" / "inv", [activity_row(1, "kWh", start="2022-01-01",
                                                                  end="2022-01-31"),
                                                     activity_row(1, "kWh", start="2022-03-01",
                                                                  end="2022-03-31")])
    write_manifest(inv, inv / "run.json")
    copy = tmp_path / "two" / "renamed"
    shutil.copytree(inv, copy)
    result = run("verify", copy / "run.json")
    assert result.exit_code == 0, result.output


def test_a_manifest_without_figures_added_since_verifies(tmp_path):
    """DESIGN.md: a manifest written by an earlier version still verifies; a key it never recorded
    (a metric added since) is not a difference. Here the manifest lacks total_market_tco2e and
    energy_kwh_per_person (added in a later turn) and names another version."""
    inv = copy_example(tmp_path)
    m = write_manifest(inv, tmp_path / "run.json")
    for fig in [*m["results"]["years"].values(), *m["results"]["by_entity"]]:
        del fig["total_market_tco2e"]
        del fig["intensity"]["energy_kwh_per_person"]
    m["carbon_version"] = "0.0.9"
    (tmp_path / "old.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    result = run("verify", tmp_path / "old.json")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (f"note: the manifest was written by carbon 0.0.9; "
                                             f"verified with carbon {__version__}")
    # a recorded figure that moved is still named
    m["results"]["years"]["2024"]["scope1_tco2e"] += 1
    (tmp_path / "old.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    result = run("verify", tmp_path / "old.json")
    assert result.exit_code == 1
    assert "  years.2024.scope1_tco2e: " in result.stdout
    assert not any(line.startswith("  ") and "total_market_tco2e" in line
                   for line in result.stdout.splitlines())  # not a difference


@pytest.mark.parametrize("tamper", ["a year", "by_entity", "one figure", "coverage days",
                                    "coverage"])
def test_a_manifest_of_this_version_with_figures_taken_out_fails_verify(tmp_path, tamper):
    """A manifest this version wrote records every figure and the coverage: one taken out, or a
    coverage record changed, is a difference (they verified as 'added since')."""
    inv = copy_example(tmp_path)
    m = write_manifest(inv, tmp_path / "run.json")
    results = m["results"]
    if tamper == "a year":
        results["years"].pop(sorted(results["years"])[0])
    elif tamper == "by_entity":
        results["by_entity"] = []
    elif tamper == "one figure":
        del results["years"]["2024"]["scope1_tco2e"]
    elif tamper == "coverage days":
        results["coverage"][0]["days_missing"] = 999
    else:
        results["coverage"] = []
    (tmp_path / "t.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    result = run("verify", tmp_path / "t.json")
    assert result.exit_code == 1, result.output
    assert "added since" not in result.stdout


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_verify_says_what_is_new_gone_and_changed(tmp_path):
    """Each kind of change in words, both ways: a new input file and factor sets and factors
    (1,000 L of diesel at the reporter's 2.60 kgCO2/L added to a 1,000 kWh inventory), a warning
    gone (denominators added) and one added (an estimate), and a figure that was 0 (no
    percentage); then the same changes undone."""
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit",
              "data_quality"]
    inv = make_inventory(tmp_path / "inv", [[*activity_row(1000, "kWh"), "measured"]],
                         activity_header=header)
    write_manifest(inv, tmp_path / "run.json")
    before_hash = sha256_file(inv / "activity.csv")
    rows = [[*activity_row(1000, "kWh"), "measured"], [*activity_row(1000, "L", "diesel"),
                                                        "estimated"]]
    make_inventory(inv, rows, activity_header=header, denominators=[["E1", 2022, 100, 2]],
                   custom_factors=[["diesel", "", "emission", "2.60", "kgCO2e/L", "supplier"]])
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 1, result.output
    lines = _lines(result.stdout)
    after_hash = sha256_file(inv / "activity.csv")
    for line in (f"  input inv/activity.csv: changed (sha256 {before_hash[:12]}… → "
                 f"{after_hash[:12]}…)",
                 "  input inv/custom_factors.csv: new (not in the manifest)",
                 "  input inv/denominators.csv: new (not in the manifest)",
                 "  factor set fuel-density-gb: new (not in the manifest)",
                 "  factor custom:emission:diesel: new",
                 "  factor fuel-density-gb:density:diesel: new",
                 "  years.2022.scope1_tco2e: 0 → 2.6 (+2.6)",  # 1,000 L × 2.60 kg/L; no % of 0
                 "  warning added: 1 activity row is an estimate (data_quality = estimated)"):
        assert line in lines, (line, lines)
    gone = [ln for ln in lines if ln.startswith("  warning gone: no denominators table")]
    assert len(gone) == 1, lines
    # and back: what the second manifest recorded is no longer used
    write_manifest(inv, tmp_path / "run2.json")
    make_inventory(inv, [[*activity_row(1000, "kWh"), "measured"]], activity_header=header,
                   denominators=[["E1", 2022, 100, 2]],
                   custom_factors=[["heat", "", "emission", "0.11", "tCO2/GJ", "unused"]])
    lines = _lines(run("verify", tmp_path / "run2.json").stdout)
    for line in ("  factor set fuel-density-gb: no longer used",
                 "  factor custom:emission:diesel: no longer used",
                 "  factor fuel-density-gb:density:diesel: no longer used",
                 "  years.2022.scope1_tco2e: 2.6 → 0 (-2.6, -100%)",
                 "  warning gone: 1 activity row is an estimate (data_quality = estimated)"):
        assert line in lines, (line, lines)


def test_verify_names_a_changed_gwp_and_lists_at_most_50_figures(tmp_path):
    inv = copy_example(tmp_path)
    m = write_manifest(inv, tmp_path / "run.json")
    m["results"]["gwp"] = "AR4GWP100"
    (tmp_path / "run.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    lines = _lines(run("verify", tmp_path / "run.json").stdout)
    assert lines == ["1 difference from run.json:", "  gwp: 'AR4GWP100' → 'AR5GWP100'"]
    # every electricity row doubled: more than 50 figures move in three years
    activity = inv / "activity.csv"
    text = activity.read_text(encoding="utf-8")
    write_manifest(inv, tmp_path / "run.json")
    activity.write_text(text + "\n".join(ln for ln in text.splitlines()[1:] if "kWh" in ln)
                        + "\n", encoding="utf-8")
    result = run("verify", tmp_path / "run.json")
    lines = _lines(result.stdout)
    figures = [ln for ln in lines if ln.startswith(("  years.", "  by_entity["))]
    causes = [ln for ln in lines[1:-1] if ln not in figures]  # the input, warnings
    total = int(lines[0].split()[0])
    assert len(figures) == 50 and "  input jinshang-bank/activity.csv: changed" in " ".join(
        causes)
    assert lines[-1] == f"  … and {total - len(causes) - 50} more figures"
    assert total - len(causes) > 60


def test_verify_reads_a_manifest_with_only_the_keys_it_needs(tmp_path):
    """carbon_version, factors, results.warnings and results.by_entity are optional: without
    them verify names every factor and warning as new, and compares the figures it has."""
    inv = copy_example(tmp_path)
    m = write_manifest(inv, tmp_path / "run.json")
    bare = {k: m[k] for k in ("manifest_version", "inputs", "factor_sets", "options", "results")}
    bare["results"] = {"years": m["results"]["years"]}
    (tmp_path / "bare.json").write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    result = run("verify", tmp_path / "bare.json")
    assert result.exit_code == 1, result.output
    lines = _lines(result.stdout)
    assert "  factor mee-grid-2022:emission:electricity:national: new" in lines
    added = [ln for ln in lines if ln.startswith("  warning added: ")]
    assert len(added) == len(m["results"]["warnings"]) > 0
    assert not any(ln.startswith(("  years.", "  by_entity[")) for ln in lines)


FIX = "pass the file written by carbon compute --manifest (or restore it from a copy)"


def test_not_a_manifest_says_what_it_lacks_or_what_it_is(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"years": {}, "inputs": []}', encoding="utf-8")
    result = run("verify", bad)
    assert result.exit_code == 2
    assert (f"{bad}: not a carbon manifest (it lacks factor_sets, manifest_version, options, "
            f"results); {FIX}") in " ".join(result.stderr.split())
    bad.write_text("[1, 2]", encoding="utf-8")
    result = run("verify", bad)
    assert result.exit_code == 2
    assert (f"{bad}: not a carbon manifest (a JSON list, not an object); {FIX}"
            in " ".join(result.stderr.split()))


@pytest.mark.parametrize("broken", [5, 6, 7])
def test_an_invalid_manifest_names_five_fields_and_counts_the_rest(tmp_path, broken):
    inv = copy_example(tmp_path)
    m = write_manifest(inv, tmp_path / "run.json")
    edits = [("inputs", 0, "path", "", "String should have at least 1 character"),
             ("inputs", 0, "sha256", "x", "String should match pattern '^[0-9a-f]{64}$'"),
             ("factor_sets", 0, "id", "", "String should have at least 1 character"),
             ("factor_sets", 0, "sha256", "x", "String should match pattern '^[0-9a-f]{64}$'"),
             ("options", None, "path", "", "String should have at least 1 character"),
             ("options", None, "grid_level", "galactic", ""),
             ("options", None, "year", [1800], "")]
    for top, i, key, value, _ in edits[:broken]:
        (m[top][i] if i is not None else m[top])[key] = value
    (tmp_path / "run.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    result = run("verify", tmp_path / "run.json")
    assert result.exit_code == 2
    shown = "; ".join(f"{top}{f'[{i}]' if i is not None else ''}.{key}: {msg}"
                      for top, i, key, _, msg in edits[:5])
    more = {5: "", 6: " (and 1 more)", 7: " (and 2 more)"}[broken]
    assert (f"run.json: an invalid manifest: {shown}{more}; {FIX}"
            in " ".join(result.stderr.split()))


def test_a_manifest_larger_than_the_limit_is_refused_by_its_size(tmp_path, monkeypatch):
    from carbon import manifest

    inv = copy_example(tmp_path)
    write_manifest(inv, tmp_path / "run.json")
    path = tmp_path / "run.json"
    data = path.read_bytes().rstrip() + b" " * (3 * 2**20)  # JSON with trailing spaces
    data = data[:3 * 2**20]
    path.write_bytes(data)
    monkeypatch.setattr(manifest, "MAX_MANIFEST_BYTES", len(data))  # at the limit: read
    assert run("verify", path).exit_code == 0
    monkeypatch.setattr(manifest, "MAX_MANIFEST_BYTES", 2**20)
    result = run("verify", path)
    assert result.exit_code == 2
    assert f"{path}: 3 MiB is not a manifest carbon wrote; {FIX}" in " ".join(
        result.stderr.split())
