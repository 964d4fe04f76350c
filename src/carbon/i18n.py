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

Codes and JSON keys never change with the language; only the words do.
"""

from __future__ import annotations

import contextlib
import gettext
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import Any

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
    if lang == "en":
        return gettext.NullTranslations()
    folder = resources.files("carbon").joinpath("locale", lang.replace("-", "_"),
                                                "LC_MESSAGES", "carbon.mo")
    with resources.as_file(folder) as path:
        if not path.is_file():  # pragma: no cover - the package ships both catalogues
            return gettext.NullTranslations()
        with path.open("rb") as fh:
            return gettext.GNUTranslations(fh)


def tr(text: object, lang: str | None = None) -> str:
    """``text`` in ``lang`` (default: the current language, :func:`language`): a :class:`Msg`
    translated by the catalogue with its parameters put into words too; anything else as is."""
    lang = lang or _current.get()
    if not isinstance(text, Msg):
        return str(text)
    if lang == "en":
        return str(text)
    template = _catalogue(lang).gettext(text.msgid)
    if not text.params:
        return template
    return template.format(**{k: tr(v, lang) for k, v in text.params.items()})


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


def choose(option: str | None = None, settings: str | None = None, template: str | None = None,
           env: Mapping[str, str] | None = None) -> str:
    """The language of a run (DESIGN.md, contract 2): ``--lang``, else the settings'
    ``language``, else the template's own language, else the locale, else English."""
    return option or settings or template or from_locale(env) or "en"
