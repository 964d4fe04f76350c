"""Messages in three languages: the catalogues complete (every message of the source in zh-Hans and
zh-Hant, placeholders kept, compiled), the language chosen by the DESIGN.md rule (--lang on every
command, the settings' language, the template's, the locale), each output in it (problems,
--errors files, warnings in the console, JSON, the workbook and a manifest), and an English run
byte for byte as before (tests/golden/en)."""

from __future__ import annotations

import io
import json
import pickle
import sys
from pathlib import Path

import openpyxl
import pytest

from carbon import i18n
from carbon.i18n import _, choose, from_locale, tr
from carbon.report.template import build_template
from tests import english_outputs
from tests.conftest import EXAMPLE, ROOT, make_inventory, run
from tests.xlsx_util import sheet

sys.path.insert(0, str(ROOT / "tools"))
import messages


def test_every_message_is_translated_in_both_catalogues_with_its_placeholders():
    assert messages.problems() == []


def test_a_message_is_its_english_text_and_remembers_its_parameters():
    m = _("{unit} does not measure {source}", unit="kg", source="electricity")
    assert m == "kg does not measure electricity" and isinstance(m, str)
    assert m.msgid == "{unit} does not measure {source}" and m.params["unit"] == "kg"
    assert pickle.loads(pickle.dumps(m)).params == m.params
    assert tr(m, "en") == str(m)
    assert tr("plain text", "zh-Hant") == "plain text"


def test_a_quoted_value_shows_a_line_break_or_an_invisible_character_in_every_language():
    """A cell's text in a message: a line break, a tab or a zero-width space is written as its
    escape (as the English repr does), so the problem stays on its line; Chinese stays Chinese."""
    for value, hans, hant in (("100,kWh\nE1", "“100,kWh\\nE1”", "「100,kWh\\nE1」"),
                              ("\u200b汽油\t", "“\\u200b汽油\\t”", "「\\u200b汽油\\t」"),
                              ("汽油", "“汽油”", "「汽油」")):
        shown = i18n.quoted(value)
        assert (tr(shown, "en"), tr(shown, "zh-Hans"), tr(shown, "zh-Hant")) == (
            repr(value), hans, hant)


@pytest.mark.parametrize(("option", "settings", "template", "env", "chosen"), [
    ("en", "zh-Hans", "zh-Hant", {"LANG": "zh_TW.UTF-8"}, "en"),
    (None, "zh-Hans", "zh-Hant", {"LANG": "zh_TW.UTF-8"}, "zh-Hans"),
    (None, None, "zh-Hant", {"LANG": "zh_CN.UTF-8"}, "zh-Hant"),
    (None, None, None, {"LANG": "zh_CN.UTF-8"}, "zh-Hans"),
    (None, None, None, {"LANG": "zh_HK.UTF-8"}, "zh-Hant"),
    (None, None, None, {"LC_ALL": "zh_TW.Big5", "LANG": "en_US.UTF-8"}, "zh-Hant"),
    (None, None, None, {"LANG": "C.UTF-8"}, "en"),
    (None, None, None, {}, "en"),
])
def test_the_language_rule(option, settings, template, env, chosen):
    assert choose(option, settings, template, env) == chosen


def test_from_locale_reads_what_the_environment_says():
    assert from_locale({"LANG": "zh_SG.UTF-8"}) == "zh-Hans"
    assert from_locale({"LANG": "fr_FR.UTF-8"}) is None


def test_using_a_language_for_a_block():
    assert i18n.language() == "en"
    with i18n.using("zh-Hant"):
        assert i18n.language() == "zh-Hant"
    assert i18n.language() == "en"
    with pytest.raises(ValueError):
        i18n.set_language("fr")


# -- every message shown in the run's language ----------------------------------------------------
MULTISITE = EXAMPLE / "multisite"


def _said(result) -> str:
    """What a run wrote to the console, its lines joined (rich wraps long lines)."""
    return " ".join((result.stdout + result.stderr).split())


def _template_workbook(path: Path, lang: str, unit: str = "kWhh", rows: int = 13) -> Path:
    """A template of ``lang`` filled in: an entity, ``rows`` good activity rows, then one whose
    unit is ``unit`` (row ``rows + 2`` of the sheet)."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(lang, [2024])))
    sheet(wb, "entities").append(["HK1", "總部", "", "office", "香港", "", "", "", "", "", "", ""])
    sheet(wb, "entities")["F2"] = "clp"
    for m in range(1, rows + 1):
        sheet(wb, "activity").append(["HK1", f"2024-{(m - 1) % 12 + 1:02d}", f"2024-{(m - 1) % 12 + 1:02d}",
                               "電力", 1000 + m, "度", f"M{m}"])
    sheet(wb, "activity").append(["HK1", "2024-01", "2024-01", "電力", 1200, unit, "M99"])
    wb.save(path)
    return path


def test_a_traditional_chinese_workbook_names_the_cell_and_the_fix_in_traditional_chinese(tmp_path):
    """The issue's acceptance: a zh-Hant template with an unknown unit in activity row 15: the
    error names the cell and says what to do, in Traditional Chinese, with no --lang."""
    book = _template_workbook(tmp_path / "hk.xlsx", "zh-Hant")
    result = run("compute", book)
    assert result.exit_code == 2
    said = _said(result)
    assert ("檔案 hk.xlsx，活動數據 (activity)!F15：「kWhh」：carbon 不認識該計量單位。"
            "修正方法：請使用 kWh、度、MWh、萬千瓦時、GJ、m³、萬立方米、L、t、kg … [unknown_unit]") in said
    assert said.startswith("輸入中有 1 個問題；沒有寫出任何檔案。")
    # --errors: the headings and words in the same language, the code as it is
    out = tmp_path / "problems.xlsx"
    assert run("compute", book, "--errors", out).exit_code == 2
    rows = list(openpyxl.load_workbook(out)["problems"].iter_rows(values_only=True))
    assert rows[0] == ("檔案", "工作表", "儲存格", "列", "欄", "值", "代碼", "問題", "修正方法")
    assert rows[1][2] == "F15" and rows[1][6] == "unknown_unit"
    assert rows[1][7] == "carbon 不認識該計量單位"


def test_the_template_language_is_found_without_its_document_property(tmp_path):
    """A workbook whose property was lost (saved by a program that drops it) is still read in
    the language of its header cells."""
    from openpyxl.packaging.custom import CustomPropertyList

    book = _template_workbook(tmp_path / "hk.xlsx", "zh-Hant")
    wb = openpyxl.load_workbook(book)
    assert [p.name for p in wb.custom_doc_props.props] == ["carbon_language"]
    wb.custom_doc_props = CustomPropertyList()
    wb.save(book)
    assert "修正方法" in _said(run("compute", book))
    english = _template_workbook(tmp_path / "en.xlsx", "en")
    assert "Fix: use kWh" in _said(run("compute", english))


def test_a_simplified_chinese_csv_folder_error(tmp_path):
    inv = make_inventory(tmp_path / "inv", [["E1", "2024-01-01", "2024-01-31", "electricity",
                                             "8,278,39", "kWh"]])
    result = run("compute", inv, "--lang", "zh-Hans")
    assert result.exit_code == 2
    assert ("文件 inv/activity.csv，第 2 行，列 quantity：“8,278,39”：不是数字。修改方法：请填写数字，"
            "可带小数点（1234.5 或 1,234.5） [not_a_number]") in _said(result)
    check = run("check", inv, "--lang", "zh-Hans", "--format", "json")
    (problem,) = json.loads(check.stdout)["problems"]
    assert (problem["code"], problem["message"], problem["row"]) == ("not_a_number", "不是数字", 2)


def test_a_warning_in_json_in_the_chosen_language_with_its_code_unchanged():
    english = json.loads(run("compute", EXAMPLE, "--format", "json").stdout)
    chinese = json.loads(run("compute", EXAMPLE, "--format", "json", "--lang", "zh-Hans").stdout)
    assert [w["code"] for w in chinese["warnings"]] == [w["code"] for w in english["warnings"]]
    assert {k: v for k, v in chinese.items() if k != "warnings"} == \
        {k: v for k, v in english.items() if k != "warnings"}  # keys and figures: the same
    estimated = next(w for w in chinese["warnings"] if w["code"] == "estimated_data")
    assert estimated["message"] == "3 行活动数据为估算值（data_quality = estimated）"
    assert next(w for w in english["warnings"] if w["code"] == "estimated_data")["message"] == \
        "3 activity rows are estimates (data_quality = estimated)"


def test_the_workbook_warnings_and_kpi_words_follow_the_language(tmp_path):
    out = tmp_path / "r.xlsx"
    assert run("compute", EXAMPLE, "--out", out, "--lang", "zh-Hant").exit_code == 0
    wb = openpyxl.load_workbook(out)
    messages = [r[1] for r in wb["Warnings"].iter_rows(min_row=2, values_only=True)]
    assert "3 列活動數據為估算值（data_quality = estimated）" in messages
    notes = " ".join(str(c) for r in wb.worksheets[0].iter_rows(values_only=True) for c in r if c)
    assert "件沒有單件質量" in notes  # a KPI note made from a warning


@pytest.mark.parametrize(("args", "lang", "words"), [
    (["compute", "{bad}"], "zh-Hant", "輸入中有 1 個問題"),
    (["check", "{bad}"], "zh-Hans", "输入中有 1 个问题"),
    (["status", MULTISITE / "collection" / "hq"], "zh-Hant", "數據報送情況 2024"),
    (["restate", "--before", MULTISITE / "before", "--after", MULTISITE / "after"], "zh-Hans",
     "重述前"),
    (["template", "-o", "{exists}"], "zh-Hans", "已存在"),
    (["verify", "{manifest}"], "zh-Hant", "核驗通過"),
    (["factors", "list"], "zh-Hans", "发布机构"),
    (["factors", "show", "mee-grid-2022"], "zh-Hant", "發佈機構"),
    (["serve"], "zh-Hant", "carbon serve 需要 --data DIR"),
    (["serve", "tokens", "create", "--data", "{data}"], "zh-Hans", "请说明链接属于谁"),
    (["serve", "tokens", "list", "--data", "{data}"], "zh-Hant", "尚無權杖"),
])
def test_every_command_takes_lang(tmp_path, args, lang, words):
    bad = make_inventory(tmp_path / "bad", [["E1", "2024-01-01", "2024-01-31", "electricity", 1,
                                             "kWhh"]])
    exists = tmp_path / "exists.xlsx"
    exists.write_bytes(b"")
    manifest = tmp_path / "m.json"
    assert run("compute", EXAMPLE, "--format", "json", "--out", tmp_path / "r.json",
               "--manifest", manifest).exit_code == 0
    (tmp_path / "data").mkdir()
    filled = [str(a).format(bad=bad, exists=exists, manifest=manifest, data=tmp_path / "data")
              for a in args]
    assert words in _said(run(*filled, "--lang", lang))
    wrong = run(*filled, "--lang", "fr")
    boxed = " ".join(wrong.stderr.replace("│", " ").split())
    assert wrong.exit_code == 2 and "'fr' is not one of 'zh-Hans', 'zh-Hant', 'en'" in boxed


def test_the_settings_language_is_used_without_lang(tmp_path):
    """settings.language: the problems of the inventory too (known after reading), also when
    another setting is wrong; --lang wins."""
    rows = [["E1", "2024-01-01", "2024-01-31", "electricity", 1, "kWhh"]]
    inv = make_inventory(tmp_path / "inv", rows, settings='language = "zh_hant"\n')
    assert "檔案 inv/activity.csv，第 2 列，欄 unit" in _said(run("compute", inv))
    assert "inv/activity.csv, row 2, column unit" in _said(run("compute", inv, "--lang", "en"))
    (inv / "settings.toml").write_text('language = "zh-Hans"\ngwp = "AR9"\n', encoding="utf-8")
    said = _said(run("compute", inv))
    assert "列 gwp：“AR9”：应为 'AR4'、'AR5'、'AR6'" in said and "列 unit" in said


def test_the_settings_language_wins_over_the_template_language(tmp_path):
    book = _template_workbook(tmp_path / "hk.xlsx", "zh-Hant")
    wb = openpyxl.load_workbook(book)
    st = sheet(wb, "settings")
    row = next(r for r in range(2, st.max_row + 1) if str(st.cell(r, 1).value).endswith("(language)"))
    st.cell(row, 2, "zh-Hans")
    wb.save(book)
    said = _said(run("compute", book))
    assert "文件 hk.xlsx，活動數據 (activity)!F15：“kWhh”：carbon 不认识该计量单位" in said


def test_the_locale_is_picked_up(tmp_path, monkeypatch):
    inv = make_inventory(tmp_path / "inv", [["E1", "2024-01-01", "2024-01-31", "electricity", 1,
                                             "kWhh"]])
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert "carbon 不認識該計量單位" in _said(run("compute", inv))
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert "carbon 不认识该计量单位" in _said(run("compute", inv))
    assert "not a unit carbon knows" in _said(run("compute", inv, "--lang", "en"))
    # the template's labels follow a Chinese locale too (else zh-Hans, the default)
    monkeypatch.setenv("LC_ALL", "zh_HK.UTF-8")
    assert run("template", "-o", tmp_path / "t.xlsx").stderr.startswith("已寫出")
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "填寫說明"


def test_a_manifest_records_its_language_and_verify_renders_the_same_words(tmp_path):
    manifest = tmp_path / "m.json"
    assert run("compute", EXAMPLE, "--format", "json", "--out", tmp_path / "r.json",
               "--manifest", manifest, "--lang", "zh-Hant").exit_code == 0
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    assert doc["options"]["lang"] == "zh-Hant"
    assert any("列活動數據為估算值" in w["message"] for w in doc["results"]["warnings"])
    result = run("verify", manifest)  # its own words in English, the warnings in zh-Hant
    assert result.exit_code == 0 and result.stdout.startswith("verified:")
    # a manifest without the language re-runs in English: its English warnings match, its
    # Chinese ones are reported as differences
    for lang, same in (("en", True), ("zh-Hans", False)):
        m = tmp_path / f"{lang}.json"
        assert run("compute", EXAMPLE, "--format", "json", "--out", tmp_path / f"{lang}.out.json",
                   "--manifest", m, "--lang", lang).exit_code == 0
        doc = json.loads(m.read_text(encoding="utf-8"))
        del doc["options"]["lang"]
        m.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        again = run("verify", m)
        assert (again.exit_code == 0) is same, again.stdout
        assert same or "warning gone: 3 行活动数据为估算值" in _said(again)


def test_an_english_run_is_byte_identical_to_the_words_before_translation(tmp_path):
    """tests/golden/en: the outputs of the code before its messages were translated."""
    golden = Path(__file__).parent / "golden" / "en"
    for name, text in english_outputs.outputs(tmp_path).items():
        assert text == (golden / name).read_text(encoding="utf-8"), name


def test_the_library_speaks_english_unless_asked_and_follows_the_language():
    import carbon

    result = carbon.compute(carbon.read_inventory(EXAMPLE))
    messages = result.warnings["message"].tolist()
    assert "3 activity rows are estimates (data_quality = estimated)" in messages
    with i18n.using("zh-Hant"):
        assert "3 列活動數據為估算值（data_quality = estimated）" in \
            result.warnings["message"].tolist()
        assert json.loads(result.to_json())["warnings"][0]["message"] == \
            "3 列活動數據為估算值（data_quality = estimated）"
