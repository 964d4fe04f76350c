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


def check_targets(paths: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse, before anything is written, any output that would replace an input or another
    output of the same run.

    Raises
    ------
    UsageError
        Naming the first output that is an input, or that two outputs share.
    """
    given = {p.resolve() for p in inputs}
    seen: set[Path] = set()
    for path in paths:
        target = path.resolve()
        if target in given:
            raise UsageError(f"{path} is an input of this run; write the output to another file")
        if target in seen:
            raise UsageError(f"{path} is named for two outputs of this run (--out, --manifest, "
                             "--charts); give each its own file")
        seen.add(target)


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
    check_targets([path], inputs)
    target = path.resolve()
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
