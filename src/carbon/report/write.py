"""Writing outputs: atomically, never over an input, with formula-like text neutralised."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from carbon.errors import UsageError

#: A cell starting with one of these is run as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would execute with an apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes, inputs: Iterable[Path] = ()) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Raises
    ------
    UsageError
        When ``path`` is one of the inputs.
    """
    target = path.resolve()
    for p in inputs:
        if p.resolve() == target:
            raise UsageError(f"--out {path} is an input of this run; choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
