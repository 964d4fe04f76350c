"""The message catalogues: extract carbon's messages, update the zh-Hans and zh-Hant catalogues,
compile them, and check that they are complete.

    python tools/messages.py update    # new messages into both .po files (untranslated), old out
    python tools/messages.py compile   # .po -> .mo (the package reads the .mo)
    python tools/messages.py check     # what a test asserts: every message translated, every
                                       # placeholder kept, the .mo files current

A message is every ``_("...")`` call in ``src/carbon`` (Babel's extractor); its English text is
its id. Translations are written by hand in the .po files.
"""

from __future__ import annotations

import ast
import contextlib
import gettext
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "carbon"
LOCALES = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def po_path(lang: str) -> Path:
    return SRC / "locale" / LOCALES[lang] / "LC_MESSAGES" / "carbon.po"


def extracted() -> dict[str, list[str]]:
    """Every message id in the source, with where it is used.

    Babel's notes about f-strings are not shown: an f-string among a message's parameters
    (``n=f"{n:,}"``) is no message; a message id that is not a literal is found by
    :func:`unextractable`."""
    out: dict[str, list[str]] = {}
    with contextlib.redirect_stderr(io.StringIO()):
        found = list(extract_from_dir(str(SRC), method_map=[("**.py", "python")],
                                      keywords={"_": None}))
    for filename, lineno, message, _comments, _context in found:
        if isinstance(message, str) and message:
            out.setdefault(message, []).append(f"{filename}:{lineno}")
    return out


def unextractable() -> list[str]:
    """The ``_()`` calls whose message id is not a string literal (an f-string, a variable, a
    call inside an f-string): no catalogue can translate them."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):  # _() inside an f-string: Babel cannot see it
                out += [f"{path.relative_to(ROOT)}:{node.lineno}: a message inside an f-string"
                        for sub in ast.walk(node) if isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Name) and sub.func.id == "_"]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "_":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno}: a message id that is "
                               "not a string literal")
    return out


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.is_file():
        return Catalog(locale=LOCALES[lang], domain="carbon", project="carbon")
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALES[lang], domain="carbon")


def save(lang: str, catalog: Catalog) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, omit_header=True, include_lineno=False)
    path.write_bytes(buf.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def _translations(mo: Path) -> dict[str, str]:
    """What a compiled catalogue translates (its header left out): compared with the .po by
    content, not bytes (the header names the compiler's version)."""
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    return {k: v for k, v in catalog._catalog.items() if k}  # type: ignore[attr-defined]


def update() -> None:
    messages = extracted()
    for lang in LOCALES:
        old = load(lang)
        new = Catalog(locale=LOCALES[lang], domain="carbon", project="carbon")
        for msgid, places in sorted(messages.items()):
            kept = old.get(msgid)
            new.add(msgid, kept.string if kept is not None else "",
                    locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places])
        save(lang, new)


def compile_all() -> None:
    for lang in LOCALES:
        po_path(lang).with_suffix(".mo").write_bytes(compiled(load(lang)))


def problems() -> list[str]:
    """Everything wrong with the catalogues against the source."""
    messages = extracted()
    out = unextractable()
    for lang in LOCALES:
        catalog = load(lang)
        have = {m.id: m.string for m in catalog if m.id}
        for msgid in sorted(messages):
            if msgid not in have:
                out.append(f"{lang}: missing {msgid!r} ({messages[msgid][0]})")
            elif not have[msgid]:
                out.append(f"{lang}: not translated {msgid!r} ({messages[msgid][0]})")
            elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(str(have[msgid]))):
                out.append(f"{lang}: placeholders differ in {msgid!r}: {have[msgid]!r}")
        for msgid in sorted(set(have) - set(messages)):
            out.append(f"{lang}: no longer used {msgid!r} (run tools/messages.py update)")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.is_file() or _translations(mo) != {k: v for k, v in have.items() if v}:
            out.append(f"{lang}: {mo.relative_to(ROOT)} is stale (run tools/messages.py compile)")
    return out


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["compile"]:
        compile_all()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        print("\n".join(found) or "the catalogues are complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
