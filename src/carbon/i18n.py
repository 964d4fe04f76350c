"""Messages in the preparer's language: en, zh-Hans, zh-Hant.

Every message carbon shows (an error, its fix, a warning, a console word) is written once, in
English, as ``_("{unit} does not measure {source}", unit=..., source=...)``. The English text is
the message id of a gettext catalogue per language (``locale/<lang>/LC_MESSAGES/carbon.po``,
compiled to ``.mo`` by ``tools/messages.py``; a test keeps both in step with the code and checks
that every placeholder is kept). :func:`_` returns a :class:`Msg`: a ``str`` holding the English
text that also remembers its id and parameters, so it can be put into words in another language
when it is shown (:func:`tr`), after the run has learnt which language to use — from
``--lang``, else the settings' ``language``, else the template's own language, else the locale,
else English (:func:`choose`).

Besides messages: :class:`Words` is a text the code already holds in each language (a column's
label, a source's name), :class:`Joined` a list whose items and separator are put into words
(``E1, E2`` / ``E1、E2``), :func:`quoted` a value as a message quotes it (``'kWhh'`` / “kWhh” /
「kWhh」), and :func:`rendered` a JSON-like structure with its messages in one language. An
English run never loads a catalogue.

Codes and JSON keys never change with the language; only the words do.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gettext

#: The languages carbon writes, in the order of its label tables.
LANGS: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en")

_current: ContextVar[str] = ContextVar("carbon_language", default="en")


class Msg(str):
    """A message: its English text (the ``str`` value), its catalogue id and its parameters."""

    __slots__ = ("msgid", "params")
    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Msg:
        self = super().__new__(cls, msgid.format(**{k: str(v) for k, v in params.items()})
                               if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # picklable as its parts
        return (_rebuild, (self.msgid, dict(self.params)))


def _rebuild(msgid: str, params: dict[str, Any]) -> Msg:
    return Msg(msgid, **params)


def _(msgid: str, **params: Any) -> Msg:
    """A message in English with its parameters, to be shown in any language (:func:`tr`)."""
    return Msg(msgid, **params)


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    """A language's compiled catalogue, loaded (with gettext) the first time a message is shown
    in it: an English run loads none."""
    import gettext
    from importlib import resources

    if lang == "en":
        return gettext.NullTranslations()
    folder = resources.files("carbon").joinpath("locale", lang.replace("-", "_"),
                                                "LC_MESSAGES", "carbon.mo")
    with resources.as_file(folder) as path:
        if not path.is_file():  # pragma: no cover - the package ships both catalogues
            return gettext.NullTranslations()
        with path.open("rb") as fh:
            return gettext.GNUTranslations(fh)


class Words(str):
    """A text the code already holds in each language (a column label of the schema, a source's
    name, a metric's label): its English (the ``str`` value) and its Chinese forms."""

    __slots__ = ("texts",)
    texts: Mapping[str, str]

    def __new__(cls, en: str, zh_hans: str | None = None, zh_hant: str | None = None) -> Words:
        self = super().__new__(cls, en)
        hans = en if zh_hans is None else zh_hans
        self.texts = {"en": en, "zh-Hans": hans, "zh-Hant": hans if zh_hant is None else zh_hant}
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Words, (self.texts["en"], self.texts["zh-Hans"], self.texts["zh-Hant"]))


#: How a list separator is written in Chinese (a list of ids, years, places).
_SEPARATORS = {", ": "、", "; ": "；", " · ": " · ", ", …": "、…"}


class Joined(str):
    """Texts in a list, each put into words in the language when shown: ``E1, E2`` in English,
    ``E1、E2`` in Chinese (``zh_sep`` when given, else the Chinese form of ``sep``)."""

    __slots__ = ("items", "sep", "zh_sep")
    items: tuple[object, ...]
    sep: str
    zh_sep: str

    def __new__(cls, items: Iterable[object], sep: str = ", ", zh_sep: str | None = None
                ) -> Joined:
        listed = tuple(items)
        self = super().__new__(cls, sep.join(str(i) for i in listed))
        self.items, self.sep = listed, sep
        self.zh_sep = _SEPARATORS.get(sep, sep) if zh_sep is None else zh_sep
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.items, self.sep, self.zh_sep))


def quoted(value: object) -> Words | Joined:
    """A value as a message quotes it: ``'kWhh'`` in English (its repr), “kWhh” in simplified
    and 「kWhh」 in traditional Chinese (a message quoted in its words)."""
    text = str(value)
    if isinstance(value, Msg | Words | Joined) and repr(text) == f"'{text}'":
        return Joined([_OPEN, value, _CLOSE], "", "")
    if not text.isprintable():  # a line break, a tab, a zero-width space: shown as escapes
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
        return Words(repr(text), f"“{shown}”", f"「{shown}」")
    return Words(repr(text), f"“{text}”", f"「{text}」")


_OPEN = Words("'", "“", "「")
_CLOSE = Words("'", "”", "」")


def text_width(text: str) -> int:
    """Columns a text takes on a terminal or in a spreadsheet cell (a Chinese character two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def tr(text: object, lang: str | None = None) -> str:
    """``text`` in ``lang`` (default: the current language, :func:`language`): a :class:`Msg`
    translated by the catalogue with its parameters put into words too, a :class:`Words` or
    :class:`Joined` in that language; anything else as is."""
    lang = lang or _current.get()
    if lang == "en" or not isinstance(text, Msg | Words | Joined):
        return str(text)
    if isinstance(text, Words):
        return text.texts.get(lang, str(text))
    if isinstance(text, Joined):
        return text.zh_sep.join(tr(i, lang) for i in text.items)
    template = _catalogue(lang).gettext(text.msgid)
    if not text.params:
        return template
    return template.format(**{k: tr(v, lang) for k, v in text.params.items()})


def rendered(obj: Any, lang: str | None = None) -> Any:
    """``obj`` (dicts, lists, texts) with every message in it put into words in ``lang``: what a
    JSON output or a manifest records."""
    if isinstance(obj, str):
        return tr(obj, lang) if isinstance(obj, Msg | Words | Joined) else obj
    if isinstance(obj, dict):
        return {k: rendered(v, lang) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [rendered(v, lang) for v in obj]
    return obj


def language() -> str:
    """The language messages are shown in now."""
    return _current.get()


def set_language(lang: str) -> None:
    """Show messages in ``lang`` from now on (the CLI's choice, :func:`choose`)."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    _current.set(lang)


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Show messages in ``lang`` inside the block."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def from_locale(env: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for (``LC_ALL``, ``LC_MESSAGES``, ``LANG``):
    ``zh_CN`` → zh-Hans, ``zh_TW`` / ``zh_HK`` / ``zh_MO`` → zh-Hant, ``en…`` → en."""
    env = os.environ if env is None else env
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key, "")
        if not value or value in ("C", "POSIX") or value.startswith("C."):
            continue
        low = value.lower().replace("-", "_")
        if low.startswith("zh"):
            return "zh-Hant" if any(t in low for t in ("_tw", "_hk", "_mo", "hant")) else "zh-Hans"
        if low.startswith("en"):
            return "en"
        return None
    return None


_NAMES = {"zh-hans": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh": "zh-Hans",
          "简体中文": "zh-Hans", "简体": "zh-Hans", "簡體中文": "zh-Hans", "中文": "zh-Hans",
          "zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant",
          "繁體中文": "zh-Hant", "繁體": "zh-Hant", "繁体中文": "zh-Hant", "en": "en",
          "english": "en", "英文": "en", "英語": "en", "英语": "en"}


def language_named(text: str) -> str | None:
    """A language as people write it (``zh-Hans``, ``zh_hant``, ``zh-TW``, ``繁體中文``,
    ``English``) as one of :data:`LANGS`; None when it is none of them."""
    key = text.strip().lower().replace("_", "-")
    return _NAMES.get(key) or (_NAMES.get(key.split("-")[0]) if key.startswith("en-") else None)


def choose(option: str | None = None, settings: str | None = None, template: str | None = None,
           env: Mapping[str, str] | None = None) -> str:
    """The language of a run (DESIGN.md, contract 2): ``--lang``, else the settings'
    ``language``, else the template's own language, else the locale, else English."""
    return option or settings or template or from_locale(env) or "en"
