"""The factor-set loader is strict (DESIGN.md contract 5)."""

from __future__ import annotations

import json
import shutil

import pytest

from carbon.errors import FactorSetError
from carbon.factors import COLUMNS, bundled_dir, load_set, with_user_sets
from tests.conftest import activity_row, make_inventory, run


@pytest.fixture
def own_set(tmp_path):
    dst = tmp_path / "my-set"
    shutil.copytree(bundled_dir() / "mee-carbon-market-2023", dst)
    meta = (dst / "metadata.toml").read_text(encoding="utf-8")
    (dst / "metadata.toml").write_text(meta.replace('id = "mee-carbon-market-2023"',
                                                    'id = "my-set"'), encoding="utf-8")
    return dst


def _rows(path, *lines):
    (path / "factors.csv").write_text(",".join(COLUMNS) + "\n" + "\n".join(lines) + "\n",
                                      encoding="utf-8")


def test_every_bundled_set_loads_and_hashes(sets):
    assert {"gbt2589-2020", "ndrc-public-building-2015", "mee-grid-2021", "mee-grid-2022",
            "mee-grid-2023", "mee-carbon-market-2023", "ndrc-regional-grid-2012",
            "fuel-density-gb"} <= set(sets)
    for fs in sets.values():
        assert len(fs.sha256) == 64
        assert all(f.reference and f.unit for f in fs.factors.values())


def test_user_set_loads(own_set):
    assert load_set(own_set).id == "my-set"


@pytest.mark.parametrize(("lines", "expected"), [
    (["emission,electricity,national,0.5,tCO2/MWh,,true,"], "column reference: empty"),
    (["emission,electricity,national,0.5,,p. 3,true,"], "column unit: empty"),
    (["emission,electricity,national,0.5,tCO2/furlongz,p. 3,true,"], "not a unit"),
    (["emission,electricity,national,0.5,kg/L,p. 3,true,"], "does not fit emission"),
    (["emission,electricity,national,0.5,tCO2/MWh,p. 3,true,",
      "emission,electricity,national,0.6,tCO2/MWh,p. 4,true,"], "duplicate"),
    (["warp,electricity,national,0.5,tCO2/MWh,p. 3,true,"], "is not one of"),
    (["emission,electricity,national,abc,tCO2/MWh,p. 3,true,"], "not a number"),
    # float() reads these; a NaN factor gave Scope 2 = 0 (a silent zero)
    (["emission,electricity,national,nan,tCO2/MWh,p. 3,true,"], "'nan' is not a finite number"),
    (["emission,electricity,national,inf,tCO2/MWh,p. 3,true,"], "'inf' is not a finite number"),
    (["emission,electricity,national,-Infinity,tCO2/MWh,p. 3,true,"], "not a finite number"),
    (["oxidation_rate,diesel,,120,percent,p. 3,true,"], "between 0 and 100"),
    # an oxidation rate in a unit with a dimension stopped the run with a traceback
    (["oxidation_rate,diesel,,0.98,kg,p. 3,true,"], "'kg' does not fit oxidation_rate"),
])
def test_bad_rows_do_not_load(own_set, lines, expected):
    _rows(own_set, *lines)
    with pytest.raises(FactorSetError, match=expected):
        load_set(own_set)


def test_unknown_column_does_not_load(own_set):
    text = (own_set / "factors.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",extra"
    (own_set / "factors.csv").write_text("\n".join(line + "," for line in text[:1]) + "\n",
                                         encoding="utf-8")
    with pytest.raises(FactorSetError, match="unknown"):
        load_set(own_set)


def test_unknown_metadata_key_does_not_load(own_set):
    meta = own_set / "metadata.toml"
    meta.write_text('colour = "green"\n' + meta.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FactorSetError, match="colour"):
        load_set(own_set)


def test_user_factor_set_on_the_command_line(tmp_path, own_set):
    _rows(own_set, "emission,electricity,national,0.5,tCO2/MWh,p. 3,true,")
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=2022)],
                         settings='[factor_sets]\ngrid = "my-set"\n')
    result = run("compute", inv, "--factors", own_set, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["years"]["2022"]["scope2_location_tco2e"] == 500.0
    assert "my-set" in run("factors", "list", "--factors", own_set).stdout


def test_a_bad_set_of_ones_own_is_named_once(tmp_path, own_set):
    """The set asked for by its folder: its problems under one heading; asked for by a folder of
    sets: each set's heading, its problems indented under it."""
    _rows(own_set, "oxidation_rate,diesel,,0.98,kg,p. 3,true,")
    one = run("factors", "list", "--factors", own_set)
    assert one.exit_code == 2 and one.stdout == ""
    assert one.stderr.count("does not load") == 1, one.stderr
    assert "row 2, column unit: 'kg' does not fit oxidation_rate" in one.stderr
    several = run("factors", "list", "--factors", own_set.parent)
    assert several.exit_code == 2 and several.stderr.count("does not load") == 2, several.stderr
    lines = several.stderr.splitlines()
    inner = next(i for i, ln in enumerate(lines) if "my-set does not load" in ln)
    assert lines[inner].startswith("  factor set") and lines[inner + 1].startswith("    "), lines


def test_factors_option_given_a_file_or_an_empty_folder(tmp_path, own_set):
    """``--factors`` naming a file (the set's factors.csv) or a folder without a set is refused
    with what a set is; a file stopped the run as an internal error (exit 3)."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "MWh", year=2022)])
    (tmp_path / "empty").mkdir()
    for given, words in ((own_set / "factors.csv", "is not a folder"),
                         (tmp_path / "empty", "holds no factor set")):
        for args in (("compute", inv, "-f", "json"), ("factors", "list")):
            result = run(*args, "--factors", given)
            assert result.exit_code == 2 and result.stdout == "", (args, result.output)
            assert words in result.stderr and "metadata.toml and factors.csv" in result.stderr
            assert "internal error" not in result.stderr
    with pytest.raises(FactorSetError, match="is not a folder"):  # the API's factor_sets too
        with_user_sets([own_set / "factors.csv"])


def test_a_bundled_sets_rows_are_checked_when_first_used(own_set):
    """The bundled sets load their metadata only; a set's rows are checked, as strictly, when a
    run first uses them (a set of one's own is checked in full before the run)."""
    from carbon.factors import load_sets

    _rows(own_set, "emission,electricity,,0.5,kgCO2/kWh,,true,")  # no reference
    lazy = load_sets([own_set], rows_when_used=True)["my-set"]
    assert lazy.meta.id == "my-set" and len(lazy.sha256) == 64
    with pytest.raises(FactorSetError, match="row 2") as exc:
        lazy.get("emission", "electricity")
    assert str(own_set) in str(exc.value)
    with pytest.raises(FactorSetError, match="row 2"):
        load_set(own_set)
