"""``carbon compute --manifest`` and ``carbon verify``: a run re-performed, and every change named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    assert "years.2022.scope1_tco2e: 2.6 → 2.7 (+0.1, +3.846%)" in out  # 1000 L × 0.1 kg/L
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
    assert "total_market_tco2e" not in result.stdout
