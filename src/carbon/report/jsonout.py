"""JSON output: full precision, stable key order, byte-identical for identical inputs.

Compact (no indentation) so the C encoder writes it: a provincial group's by-entity list runs to
hundreds of thousands of values. Pipe through ``python -m json.tool`` or ``jq`` to read it.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
