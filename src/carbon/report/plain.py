"""Plain-text tables for the console, drawn without rich.

``carbon compute`` and ``carbon factors list`` are what users run most: rich would take longer to
import and lay out their tables (40-90 ms) than the rest of the command's output. Widths are
display widths (a Chinese character two columns, :func:`carbon.i18n.text_width`).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Collection, Sequence
from typing import TextIO

from carbon.i18n import text_width

#: The width of a table written to a file or a pipe. [columns]
FILE_WIDTH = 160


def width_of(stream: TextIO) -> int:
    """The terminal's width when ``stream`` is one, else :data:`FILE_WIDTH`."""
    return shutil.get_terminal_size().columns if stream.isatty() else FILE_WIDTH


def styled(stream: TextIO) -> bool:
    """Whether to write bold text to ``stream``: a terminal, and ``NO_COLOR`` not set."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def bold(text: str, on: bool) -> str:
    return f"\x1b[1m{text}\x1b[0m" if on and text else text


def wrapped(text: str, width: int, indent: int = 0) -> list[str]:
    """``text`` in lines of at most ``width`` columns: broken at spaces, a word longer than a
    line (Chinese text has no spaces) folded where the line is full. Leading spaces (an
    indented label) are kept on every line, and lines after the first are indented by
    ``indent`` more (a bullet's hanging indent)."""
    lead = text[:len(text) - len(text.lstrip(" "))]
    lines = [""]

    def room() -> int:
        return max(1, width - len(lead) - (indent if len(lines) > 1 else 0))

    for word in text.split():
        free = room() - text_width(lines[-1]) - (1 if lines[-1] else 0)
        if text_width(word) <= free:
            lines[-1] += (" " if lines[-1] else "") + word
            continue
        if text_width(word) <= max(1, width - len(lead) - indent) or lines[-1] == "":
            lines.append("")  # a word that fits a line starts one; a longer one fills this first
        for char in word:
            if text_width(lines[-1]) + text_width(char) > room():
                lines.append("")
            lines[-1] += char
    return [lead + (" " * indent if i else "") + ln for i, ln in enumerate(lines) if ln] or [""]


def table(heads: Sequence[str], rows: Sequence[Sequence[str] | str], width: int, *,
          right: Collection[int] = (), fixed: Collection[int] = (0,),
          bold_sections: bool = False) -> list[str]:
    """A table's lines: the header underlined column by column, then the rows, columns two
    spaces apart and the whole indented by two.

    A row that is a ``str`` is a section heading, on its own line after a blank one (in bold
    when ``bold_sections``). Columns in ``right`` are right-aligned. While the table is wider
    than ``width``, the widest column not in ``fixed`` is narrowed, its text wrapped at spaces,
    down to its header or its longest word (at most 16 columns).
    """
    cells = [r for r in rows if not isinstance(r, str)]
    columns = list(zip(heads, *cells, strict=True))
    sizes = [max(text_width(c) for c in col) for col in columns]
    least = [sizes[i] if i in fixed else
             max(text_width(col[0]), min(16, max(text_width(w) for c in col for w in
                                                 c.split() or [""])))
             for i, col in enumerate(columns)]
    while 2 * len(sizes) + sum(sizes) > width:
        widest = max(range(len(sizes)), key=lambda i: sizes[i] - least[i])
        if sizes[widest] <= least[widest]:
            break
        sizes[widest] -= 1

    def lines_of(row: Sequence[str]) -> list[str]:
        parts = [wrapped(c, n) for c, n in zip(row, sizes, strict=True)]
        out = []
        for k in range(max(len(p) for p in parts)):
            texts = [p[k] if k < len(p) else "" for p in parts]
            out.append("  " + "  ".join(
                " " * (n - text_width(t)) + t if i in right else t + " " * (n - text_width(t))
                for i, (t, n) in enumerate(zip(texts, sizes, strict=True))).rstrip())
        return out

    out = [*lines_of(heads), "  " + "  ".join("━" * n for n in sizes)]
    for i, row in enumerate(rows):
        if isinstance(row, str):
            if i:
                out.append("")
            out.append("  " + bold(row, bold_sections))
        else:
            out += lines_of(row)
    return out


def text(lines: list[str]) -> str:
    """``lines`` as one text, each ended by a newline."""
    return "".join(line + "\n" for line in lines)


def write_lines(lines: list[str], stream: TextIO | None = None) -> None:
    """Write ``lines``, each ended by a newline, to ``stream`` (standard output by default)."""
    (stream or sys.stdout).write(text(lines))
