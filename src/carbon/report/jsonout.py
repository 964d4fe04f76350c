"""JSON output: full precision, stable key order, byte-identical for identical inputs.

Compact (no indentation) so the C encoder writes it: a provincial group's by-entity list runs to
hundreds of thousands of values. Pipe through ``python -m json.tool`` or ``jq`` to read it.

Messages (the warnings, a restatement's notes) are written in the current language
(:func:`carbon.i18n.language`); codes and keys never change with it.
"""

from __future__ import annotations

import json
from typing import Any

from carbon.i18n import rendered

#: The top-level keys whose texts are messages: only they are walked to put them into words.
WORDED = ("warnings", "notes")


def dumps(obj: Any) -> str:
    if isinstance(obj, dict) and any(k in obj for k in WORDED):
        obj = {k: rendered(v) if k in WORDED else v for k, v in obj.items()}
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
