"""Messages in three languages: the catalogues complete (every message of the source in zh-Hans and
zh-Hant, placeholders kept, compiled), the language chosen by the DESIGN.md rule, and a message
shown in each language."""

from __future__ import annotations

import pickle
import sys

import pytest

from carbon import i18n
from carbon.i18n import _, choose, from_locale, tr
from tests.conftest import ROOT

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
