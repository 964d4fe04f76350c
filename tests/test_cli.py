"""The real CLI on real inventories: formats, options, factor listings, the bundled example."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import EXAMPLE, activity_row, compute_json, make_inventory, run


def test_example_table_shows_every_year_side_by_side():
    result = run("compute", EXAMPLE)
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "2022" in line)
    assert header.index("2022") < header.index("2023") < header.index("2024")
    for label in ("Scope 1 (direct emissions)", "Scope 2 (indirect emissions, location-based)",
                  "Total energy consumption (standard coal)", "per m² of floor area"):
        assert label in result.stdout
    # 2024 Scope 2 at the pinned MEE 2022 factor: 11,124,077.63 kWh × 0.5366 kg/kWh = 5,969.18 t
    # + 37,199.97 GJ × 0.11 t/GJ = 4,092.00 t → 10,061.18 t; per m²: ÷ 197,205 = 0.0510
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines)
              if "Scope 2 (indirect emissions, location-based)" in line)
    assert lines[at].split()[-1] == "10,061.18"
    assert "per m² of floor area" in lines[at + 1] and lines[at + 1].split()[-1] == "0.0510"


def test_example_2024_scope2_intensities_from_the_published_factors():
    """Jinshang Bank 2024 (shared/reference/jinshang-bank.md: 11,124,077.63 kWh, 37,199.97 GJ of
    heat, 197,205 m², 4,373 employees) at MEE 2022 表1 0.5366 kg/kWh and NDRC 0.11 t/GJ:
    5,969.1800 + 4,091.9967 = 10,061.176756258 t; per m² 0.051018872524824;
    per employee (Scope 2 only) 2.3007493154."""
    y = compute_json(EXAMPLE)["years"]["2024"]
    assert y["scope2_location_tco2e"] == pytest.approx(10061.176756258, rel=1e-12)
    assert y["intensity"]["scope2_tco2e_per_m2"] == pytest.approx(0.051018872524824, rel=1e-12)
    assert y["intensity"]["total_tco2e_per_person"] == pytest.approx(
        y["total_location_tco2e"] / 4373, rel=1e-12)
    assert y["intensity"]["total_tco2e_per_m2"] == pytest.approx(
        y["total_location_tco2e"] / 197205, rel=1e-12)


def test_example_json_is_byte_identical_across_runs():
    a = run("compute", EXAMPLE, "--format", "json")
    b = run("compute", EXAMPLE, "--format", "json")
    assert a.exit_code == 0 and a.stdout == b.stdout
    out = json.loads(a.stdout)
    assert list(out["years"]) == ["2022", "2023", "2024"]
    assert {f["id"] for f in out["factor_sets"]} >= {"gbt2589-2020", "ndrc-public-building-2015",
                                                     "mee-grid-2022"}


def test_example_ties_out_to_the_inputs():
    """Each source's reported quantity equals the bank's published activity figure."""
    y = compute_json(EXAMPLE)["years"]
    # Jinshang Bank 2024 ESG report, performance table (shared/reference/jinshang-bank.md)
    published = {
        "2024": {"natural_gas": 47187.39, "diesel": 622.89, "gasoline": 24643.41,
                 "electricity": 11124077.63, "heat": 37199.97},
        "2022": {"natural_gas": 49083.86, "diesel": 1702.79, "gasoline": 50508.22,
                 "electricity": 10428786.99, "heat": 28311.15},
    }
    for year, sources in published.items():
        for source, qty in sources.items():
            assert round(y[year]["by_source"][source]["quantity"], 2) == qty
    assert y["2024"]["floor_area_m2"] == 197205 and y["2024"]["headcount"] == 4373


def test_json_contract_keys():
    out = compute_json(EXAMPLE)
    assert {"carbon_version", "factor_sets", "years", "by_entity", "warnings"} <= set(out)
    y = out["years"]["2023"]
    assert {"energy_kwh", "energy_direct_kwh", "energy_indirect_kwh", "energy_tce",
            "scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e",
            "total_location_tco2e", "floor_area_m2", "headcount", "intensity",
            "by_source"} <= set(y)
    assert {"energy_kwh_per_m2", "scope1_tco2e_per_m2", "scope2_tco2e_per_m2",
            "total_tco2e_per_m2", "total_tco2e_per_person"} <= set(y["intensity"])
    assert {"quantity", "unit", "energy_kwh", "tco2e"} <= set(y["by_source"]["electricity"])
    assert y["total_location_tco2e"] == y["scope1_tco2e"] + y["scope2_location_tco2e"]


def test_year_filter_and_csv(tmp_path):
    """--year keeps that year's lines of the CSV, exactly those of the unfiltered output."""
    out = tmp_path / "figures.csv"
    result = run("compute", EXAMPLE, "--year", "2023", "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "year,metric,source,value,unit"
    everything = run("compute", EXAMPLE, "--format", "csv").stdout.splitlines()
    assert lines[1:] == [line for line in everything if line.startswith("2023,")]
    assert len(lines) > 20 and len(everything) > 3 * (len(lines) - 1)
    scope2 = compute_json(EXAMPLE)["years"]["2023"]["scope2_location_tco2e"]
    assert f"2023,scope2_location_tco2e,,{scope2!r},tCO2" in lines  # MEE factors: CO2


def test_inventory_without_denominators_computes_with_null_intensities(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(100, "kWh")])
    out = compute_json(inv)
    assert out["years"]["2022"]["intensity"]["total_tco2e_per_m2"] is None
    assert any(w["code"] == "no_denominators" for w in out["warnings"])


def test_chinese_sources_units_and_month_dates(tmp_path):
    rows = [["E1", "2022-03", "2022-03", "電力", "1,000", "千瓦時"],
            ["E1", "2022/4/1", "2022年4月30日", "电力", "１０００", "度"],
            ["E1", "2022-01-01", "2022-12-31", "天然氣", "1", "万立方米"]]
    y = compute_json(make_inventory(tmp_path / "inv", rows))["years"]["2022"]
    assert y["by_source"]["electricity"]["quantity"] == 2000
    assert y["by_source"]["natural_gas"]["quantity"] == 10000


def test_custom_per_litre_factor_overrides_the_default(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "L", "gasoline")],
                         custom_factors=[["汽油", "", "emission", "2.26", "kgCO2/L",
                                          "reporter's own factor, p. 12"]])
    out = compute_json(inv)["years"]["2022"]
    assert out["gases"]["co2_t"] == 2.26  # a CO2 factor: CH4 and N2O still come from IPCC 2006
    assert out["scope1_tco2e"] == 2.26 + out["gases"]["ch4_t"] * 28 + out["gases"]["n2o_t"] * 265


def test_factors_list_and_show(sets):
    listing = run("factors", "list")
    assert listing.exit_code == 0
    for set_id, fs in sets.items():  # every bundled set, with its row count and hash
        line = next(ln for ln in listing.stdout.splitlines() if ln.split()[:1] == [set_id])
        assert f" {len(fs.factors)} " in line and fs.sha256[:12] in line, line
    shown = run("factors", "show", "mee-grid-2022")
    assert shown.exit_code == 0
    assert "0.5366" in shown.stdout and "sha256" in shown.stdout
    missing = run("factors", "show", "mee-grid-2099")
    assert missing.exit_code == 2 and "mee-grid-2022" in missing.stderr


def test_progress_shows_on_a_terminal_only(monkeypatch, capsys):
    """The progress display appears on an interactive stderr after its delay, never when piped."""
    from carbon import progress as progress_mod

    with progress_mod.progress("piped", total=2, delay=0.0) as bar:
        bar.step("next")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress_mod.sys.stderr, "isatty", lambda: True)
    with progress_mod.progress("on a terminal", total=2, delay=0.0) as bar:
        assert bar.enabled
        bar.step("second step")
        assert bar._bar is not None
    with progress_mod.progress("quick", total=2, delay=60.0) as bar:
        bar.step("second step")
        assert bar._bar is None


def test_compute_writes_nothing_to_stderr_when_piped():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "carbon", "compute", str(EXAMPLE), "--format",
                           "json"], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    assert json.loads(done.stdout)["years"]


def test_out_suffix_picks_the_format(tmp_path):
    """--out result.json / result.csv writes exactly what --format json / csv prints."""
    for suffix in ("json", "csv"):
        out = tmp_path / f"result.{suffix}"
        assert run("compute", EXAMPLE, "--out", out).exit_code == 0
        printed = run("compute", EXAMPLE, "--format", suffix).stdout
        assert out.read_text(encoding="utf-8") == printed
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))["years"]["2024"]
    assert (tmp_path / "result.csv").read_text(encoding="utf-8").startswith(
        "year,metric,source,value,unit\n")


@pytest.mark.parametrize(("args", "said"), [
    (["--out", "r.pdf"], "carbon does not write .pdf files; give --out a .xlsx file"),
    (["--out", "r.xls"], ".xls is not a format this command writes"),
    (["-f", "json", "--out", "r.csv"], "drop --format json, or give --out a .json file"),
    (["-f", "table", "--out", "r.json"], "drop --format table, or give --out a .txt file"),
    (["-f", "json", "--out", "r.xlsx"], "drop --format json, or give --out a .json file"),
])
def test_out_that_names_another_format_is_refused(tmp_path, args, said):
    """An --out named for a format carbon does not write (a PDF, an old .xls), or for another
    format than --format asks for, is refused before anything is read or written: it got the
    table as text (or JSON in a .csv) under that name."""
    args = [str(tmp_path / a) if a.startswith("r.") else a for a in args]
    for command in (["compute", EXAMPLE], ["restate", "--before", EXAMPLE, "--after", EXAMPLE]):
        result = run(*command, *args)
        assert result.exit_code == 2 and result.stdout == "", (command, result.output)
        if command[0] == "restate" and "r.csv" in result.stderr:  # restate writes no CSV
            said = ".csv is not a format this command writes"
        assert said in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
    refused = run("restate", "--before", EXAMPLE, "--after", EXAMPLE, "--out", tmp_path / "r.csv")
    assert refused.exit_code == 2 and ".csv is not a format this command" in refused.stderr
    assert ".json, .xlsx or .txt" in refused.stderr and not (tmp_path / "r.csv").exists()


def test_restate_out_suffix_picks_the_format(tmp_path):
    """restate --out r.json writes what --format json prints; .xlsx the workbook."""
    out = tmp_path / "r.json"
    assert run("restate", "--before", EXAMPLE, "--after", EXAMPLE, "--out", out).exit_code == 0
    printed = run("restate", "--before", EXAMPLE, "--after", EXAMPLE, "-f", "json").stdout
    assert out.read_text(encoding="utf-8") == printed
    book = tmp_path / "r.xlsx"
    assert run("restate", "--before", EXAMPLE, "--after", EXAMPLE, "--out", book).exit_code == 0
    assert book.read_bytes()[:2] == b"PK"


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"carbon {version('carbon')}\n"


def test_help_and_version_do_not_import_the_calculation():
    """``carbon --help`` and ``--version`` start at typer's pace: no pandas, pint, pydantic,
    numpy or openpyxl before a command that needs them runs (a command's own --help: typer
    itself imports pydantic to read its options)."""
    import subprocess
    import sys

    heavy = ("pandas", "numpy", "pint", "pydantic", "openpyxl", "pyarrow", "carbon.factors")
    for args, allowed in ((["--help"], ()), (["--version"], ()),
                          (["compute", "--help"], ("pydantic",)),
                          (["restate", "--help"], ("pydantic",))):
        code = ("import sys; from carbon.cli import app; from typer.testing import CliRunner; "
                f"CliRunner().invoke(app, {args!r}); "
                f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        assert set(eval(out.stdout)) <= set(allowed), (args, out.stdout)



def test_the_console_table_and_factors_list_do_not_import_rich():
    """The commands users run most draw their tables as plain text (carbon.report.plain): rich's
    import and layout cost more than the rest of their output."""
    import subprocess
    import sys

    for args in (["compute", str(EXAMPLE)], ["compute", str(EXAMPLE), "--detail"],
                 ["factors", "list"]):
        code = ("import atexit, sys; from carbon.cli import main; atexit.register(lambda: "
                "print(sorted(m for m in ('rich', 'openpyxl') if m in sys.modules), "
                f"file=sys.stderr)); sys.argv = ['carbon', *{args!r}]; main()")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        assert done.stderr.strip().splitlines()[-1] == "[]", (args, done.stderr)
        assert "━━" in done.stdout, done.stdout

def _commands(group, ctx, path=()):
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            yield from _commands(cmd, ctx, (*path, name))
        else:
            yield (*path, name)


def test_every_command_names_its_values_readably():
    """No type names in the help (``<bool>``, ``<list[int]>``, ``{path}``): a flag has no value,
    a value is named as a reader writes it (YEAR, FILE, DIR, table|json)."""
    import typer

    group = typer.main.get_command(__import__("carbon.cli", fromlist=["app"]).app)
    ctx = group.make_context("carbon", ["--help"], resilient_parsing=True)
    commands = list(_commands(group, ctx))
    assert ("restate",) in commands and ("factors", "list") in commands
    for path in [(), *commands]:
        result = run(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        text = result.stdout
        assert not re.search(r"<(bool|int|float|str|path|file|dir)\b|\{\w+\}\.\.\.|list\[",
                             text, re.IGNORECASE), (path, text)
        assert re.search(r"--help\s+Show this message", text), (path, text)
    help_of = run("compute", "--help").stdout
    assert re.search(r"--year YEAR\b", help_of) and re.search(r"--out FILE\b", help_of)
    assert re.search(r"--charts DIR\b", help_of) and "--detail  " in help_of
    assert "Usage: carbon compute [OPTIONS] PATH..." in " ".join(help_of.split())


def test_restate_options_match_the_other_commands():
    """--before/--after with no one-letter forms; --year as every other command spells it
    (--years still works)."""
    a = b = str(EXAMPLE)
    assert run("restate", "-a", a, "-b", b).exit_code == 2
    one = run("restate", "--before", a, "--after", b, "--year", "2022", "--year", "2023",
              "--format", "json")
    two = run("restate", "--before", a, "--after", b, "--years", "2022", "--years", "2023",
              "--format", "json")
    assert one.exit_code == 0 and one.stdout == two.stdout
    assert list(json.loads(one.stdout)["years"]) == ["2022", "2023"]


def test_every_command_that_writes_says_what_it_wrote(tmp_path):
    said = run("compute", EXAMPLE, "--out", tmp_path / "r.xlsx", "--manifest",
               tmp_path / "run.json", "--charts", tmp_path / "charts")
    assert said.exit_code == 0, said.output
    charts = len(list((tmp_path / "charts").iterdir()))
    assert charts > 2
    assert said.stderr == (f"wrote {tmp_path / 'r.xlsx'}, {tmp_path / 'charts'}/ ({charts} "
                           f"files), {tmp_path / 'run.json'}\n")
    restated = run("restate", "--before", EXAMPLE, "--after", EXAMPLE, "--out",
                   tmp_path / "re.json")
    assert restated.stderr == f"wrote {tmp_path / 're.json'}\n"
    template = run("template", "-o", tmp_path / "t.xlsx", "--lang", "en")
    assert template.stderr == f"wrote {tmp_path / 't.xlsx'}\n"


def test_errors_written_are_named_on_the_console(tmp_path):
    """A run that fails on its input and writes the problems to --errors says where."""
    inv = make_inventory(tmp_path / "inv", [activity_row(100, "kWhh")])
    target = tmp_path / "problems.xlsx"
    failed = run("compute", inv, "--errors", target)
    assert failed.exit_code == 2 and target.is_file()
    assert f"wrote {target}" in " ".join(failed.stderr.split())
    checked = run("check", inv, "--errors", tmp_path / "p.csv")
    assert checked.exit_code == 2 and f"wrote {tmp_path / 'p.csv'}" in " ".join(
        checked.stderr.split())


def test_restate_threshold_scope_choices_are_the_restatements_own():
    """The CLI's --threshold-scope choices are spelt out (the restatement module loads only when
    a restatement runs): they stay the keys of carbon.restatement.THRESHOLD_SCOPES."""
    from carbon.cli.restate import ThresholdScope
    from carbon.restatement import THRESHOLD_SCOPES

    assert [s.value for s in ThresholdScope] == list(THRESHOLD_SCOPES)


def test_factors_list_table_fits_its_width():
    """The listing's plain table narrows its widest columns to the width, wrapping their text
    (Chinese text folded by its double-width characters) and losing none of it; ids unwrapped."""
    from carbon.i18n import text_width
    from carbon.report.plain import table, wrapped

    heads = ["id", "document", "issuer"]
    rows = [["gbt2589-2020", "GB/T 2589-2020 综合能耗计算通则", "国家市场监督管理总局、国家标准化管理委员会"],
            ["ghg-protocol-scope2-2015", "GHG Protocol Scope 2 Guidance",
             "World Resources Institute / WBCSD"]]
    lines = table(heads, rows, 66)
    assert max(text_width(ln) for ln in lines) <= 66, lines
    assert lines[0].split() == heads and set(lines[1].replace(" ", "")) == {"━"}
    assert [ln.split()[0] for ln in lines[2:] if not ln.startswith("   ")] == [
        "gbt2589-2020", "ghg-protocol-scope2-2015"]
    for cell in (c for r in rows for c in r):
        for width in (7, 10, 16):
            got = wrapped(cell, width)
            assert max(text_width(w) for w in got) <= width, got
            assert "".join("".join(got).split()) == "".join(cell.split()), got
    assert wrapped("GHG Protocol Scope 2 Guidance", 16) == ["GHG Protocol", "Scope 2 Guidance"]


def test_template_out_must_be_a_workbook_name(tmp_path):
    """The template is an Excel workbook: written under another name (t.pdf, t.csv) Excel
    refused to open it."""
    for name in ("t.pdf", "t.csv", "t"):
        result = run("template", "--out", tmp_path / name)
        assert result.exit_code == 2 and "give --out a .xlsx file" in result.stderr, result.output
    assert list(tmp_path.iterdir()) == []
    assert run("template", "--out", tmp_path / "t.xlsx").exit_code == 0


def test_arrow_gives_back_freed_memory_except_for_the_workbook(tmp_path):
    """A compute has Arrow's allocator (mimalloc) purge what it frees at once, so numpy reuses
    the CSV read's memory (a million rows peak 455 MiB, not 504-553); the report workbook keeps
    mimalloc's defaults (its threads free and take Arrow buffers chunk after chunk). Read back
    from mimalloc itself, which prints its options when MIMALLOC_VERBOSE is set."""
    import os
    import subprocess
    import sys

    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "mimalloc":
        pytest.skip("this pyarrow allocates with another allocator")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    env["MIMALLOC_VERBOSE"] = "1"
    for args, purge in ((["--format", "json"], "0"), (["--out", str(tmp_path / "r.xlsx")],
                                                       "1000")):
        done = subprocess.run([sys.executable, "-m", "carbon", "compute", str(EXAMPLE), *args],
                              capture_output=True, text=True, env=env, check=True)
        assert f"option 'purge_delay': {purge} " in done.stderr, (args, done.stderr[-2000:])
    env["MIMALLOC_PURGE_DELAY"] = "250"  # the user's own setting is kept
    done = subprocess.run([sys.executable, "-m", "carbon", "compute", str(EXAMPLE), "--format",
                           "json"], capture_output=True, text=True, env=env, check=True)
    assert "option 'purge_delay': 250 " in done.stderr


def test_the_process_ends_with_every_output_whole(tmp_path):
    """``carbon`` ends its process without Python's teardown (cli._leave): what it printed to a
    pipe (here about 0.5 MB of JSON, more than a pipe holds) arrives whole, a file it wrote is
    whole, and the exit codes are the commands' own."""
    import subprocess
    import sys

    entities = [[f"E{i}", f"Site {i}", "", "office", "山西", "", ""] for i in range(400)]
    inv = make_inventory(tmp_path / "inv", [activity_row(100 + i, "kWh", entity=f"E{i}")
                                            for i in range(400)], entities=entities)
    done = subprocess.run([sys.executable, "-m", "carbon", "compute", str(inv), "--format",
                           "json"], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 200_000
    assert len(json.loads(done.stdout)["by_entity"]) == 400
    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "carbon", "compute", str(inv), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "wrote" in done.stderr, done.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["by_entity"]) == 400
    for args, code in ((["compute", str(tmp_path / "none")], 2), (["--version"], 0),
                       (["verify", str(tmp_path / "none.json")], 2)):
        done = subprocess.run([sys.executable, "-m", "carbon", *args], capture_output=True,
                              text=True, check=False)
        assert done.returncode == code, (args, done.returncode, done.stderr)


def test_the_garbage_collector_is_off_while_loading_and_on_for_the_work():
    """cli.main turns Python's garbage collector off while a command loads its libraries (about
    40 ms of a small compute) and cli.common.read turns it back on for the work: a run over many
    branch workbooks makes garbage it must find. Read at the end of a compute, and of --version,
    which loads nothing."""
    import subprocess
    import sys

    for args, on in ((["compute", str(EXAMPLE), "--format", "json"], True), (["--version"], False)):
        code = ("import atexit, gc, sys; from carbon.cli import main; atexit.register(lambda: "
                f"print('gc', gc.isenabled(), file=sys.stderr)); sys.argv = ['carbon', *{args!r}]; "
                "main()")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        assert f"gc {on}" in done.stderr, (args, done.stderr[-500:])


def test_the_carbon_process_does_not_look_for_pydantic_plugins_unless_told_to():
    """pydantic looks through every installed package's entry points for plugins when the first
    model is built (6 ms with a development install's 93 packages): the `carbon` process turns
    that off, unless the user's own PYDANTIC_DISABLE_PLUGINS says otherwise."""
    import os
    import subprocess
    import sys

    code = ("import atexit, sys; from carbon.cli import main; atexit.register(lambda: print("
            "'plugins', sys.modules['pydantic.plugin._loader']._plugins, file=sys.stderr)); "
            f"sys.argv = ['carbon', 'compute', {str(EXAMPLE)!r}, '--format', 'json']; main()")
    for env, looked in (({}, False), ({"PYDANTIC_DISABLE_PLUGINS": "some_plugin"}, True)):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, **env})
        assert ("plugins None" not in done.stderr) == looked, (env, done.stderr[-500:])


def test_a_command_run_inside_another_program_leaves_its_garbage_collector_alone():
    """Only the `carbon` process turns the collector off and back on (freezing what it loaded):
    a command run in-process (a test, a notebook) neither freezes the caller's heap nor changes
    whether its collector runs."""
    import gc

    frozen, enabled = gc.get_freeze_count(), gc.isenabled()
    assert run("compute", EXAMPLE, "--format", "json").exit_code == 0
    assert (gc.get_freeze_count(), gc.isenabled()) == (frozen, enabled)


def test_a_year_that_is_no_year_is_a_usage_error_not_an_empty_answer(tmp_path):
    """status --year 0 said "every expected month is in" (exit 0); template --years 1800 wrote a
    workbook; restate --threshold inf stopped with an internal error."""
    from tests.conftest import ROOT

    collection = ROOT / "examples" / "jinshang-bank" / "multisite" / "collection"
    for year in ("0", "-5", "99999", "1800"):
        result = run("status", collection / "hq", f"--year={year}")
        assert result.exit_code == 2 and "a year from 1900 to 2200" in result.stderr, year
    made = run("template", "--inventory", collection / "hq", "--for", "BR01", "--years", "1800",
               "-o", tmp_path / "t.xlsx")
    assert made.exit_code == 2 and not (tmp_path / "t.xlsx").exists()
    multisite = ROOT / "examples" / "jinshang-bank" / "multisite"
    for value in ("inf", "1e400"):
        got = run("restate", "--before", multisite / "before", "--after", multisite / "after",
                  "--threshold", value)
        assert got.exit_code == 2 and "a number of percent" in got.stderr, got.output
