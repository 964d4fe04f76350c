"""The list of input problems as a file for the person fixing the sheet (``--errors FILE``)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from carbon.errors import InputError, Problem, UsageError
from carbon.i18n import _, language, tr
from carbon.report.write import OutputError, check_targets, neutralise, write_outputs

COLUMNS = ("file", "sheet", "cell", "row", "column", "value", "code", "problem", "fix")
#: The headings of :data:`COLUMNS` as a reader sees them, in each language.
HEADINGS = {"en": COLUMNS,
            "zh-Hans": ("文件", "工作表", "单元格", "行", "列", "值", "代码", "问题", "修改方法"),
            "zh-Hant": ("檔案", "工作表", "儲存格", "列", "欄", "值", "代碼", "問題", "修正方法")}


def _record(p: Problem) -> list[str]:
    return [p.file, p.sheet or "", p.cell or "", "" if p.row is None else str(p.row),
            p.column or "", tr(p.value), p.code, tr(p.message), tr(p.fix)]


def render_csv(problems: Iterable[Problem]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Chinese text right; headings and words
    in the current language (the codes as they are)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADINGS[language()])
    w.writerows([neutralise(x) for x in _record(p)] for p in problems)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(problems: Iterable[Problem]) -> bytes:
    """One row per problem; every cell is text (never run as a formula); headings and words in
    the current language."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("problems")  # the sheet's name stays: a program may look for it
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (18, 14, 8, 7, 14, 20, 22, 50, 60), strict=True):
        ws.column_dimensions[letter].width = width
    bold = Font(bold=True)
    head = []
    for name in HEADINGS[language()]:
        c = WriteOnlyCell(ws, name)
        c.font = bold
        head.append(c)
    ws.append(head)
    for p in problems:
        cells = []
        for x in _record(p):
            c = WriteOnlyCell(ws, x)
            c.data_type = "s"
            cells.append(c)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(path: Path, problems: list[Problem]) -> bytes:
    """The problems as .xlsx, or .csv for any other extension (``problems_to`` checks it)."""
    return render_xlsx(problems) if path.suffix.lower() == ".xlsx" else render_csv(problems)


#: The problems file of one input in an ``--errors DIR`` folder: ``branch-a.problems.xlsx``.
PROBLEMS_NAME = "{stem}.problems.xlsx"


class ProblemFiles:
    """Where ``--errors`` writes the problems: one file (``.csv`` or ``.xlsx``), or a folder with
    one problems file per input, named after it (``--errors DIR``: ``branch-a.xlsx`` gets
    ``branch-a.problems.xlsx``, the folder ``hq`` ``hq.problems.xlsx``), so that each person gets
    the list of their own file. Every input's file is written, an empty list where its input has
    no problem (an earlier run's list is not left behind).

    A problem goes to the input its ``file`` names (a workbook's name, or a file of a folder's:
    ``hq/activity.csv``); one naming none of them (the settings when the head office has no
    settings file) to the first input, the head office's.
    """

    def __init__(self, target: Path | None, sources: Sequence[Path]):
        from carbon.io.collect import expand, name_of

        self.target = target
        self.folder = target is not None and (target.is_dir() or not target.suffix)
        if target is not None and not self.folder and target.suffix.lower() not in (".csv",
                                                                                    ".xlsx"):
            raise UsageError(_("--errors {target}: write the problems to a .csv or .xlsx file, "
                               "or to a folder (one problems file per input)", target=target))
        self.inputs = expand(sources) if self.folder else list(sources)
        self.names = [name_of(p) for p in self.inputs]
        self.paths: list[Path] = []
        if target is None:
            return
        if not self.folder:
            self.paths = [target]
            return
        stems = [n if p.is_dir() else Path(n).stem for n, p in zip(self.names, self.inputs,
                                                                      strict=True)]
        for i, stem in enumerate(stems):
            if stem in stems[:i]:
                raise UsageError(_("--errors {target}: two inputs would share the problems file "
                                   "{file} ({first} and {second}); rename one", target=target,
                                   file=PROBLEMS_NAME.format(stem=stem),
                                   first=self.inputs[stems.index(stem)],
                                   second=self.inputs[i]))
        self.paths = [target / PROBLEMS_NAME.format(stem=s) for s in stems]

    def owner(self, p: Problem) -> int:
        """The input a problem is about (0, the head office's, when it names none)."""
        for i, name in enumerate(self.names):
            if p.file == name or p.file.startswith(f"{name}/"):
                return i
        return 0

    def outputs(self, problems: Sequence[Problem]) -> list[tuple[Path, bytes]]:
        """The problems files' contents: nothing when ``--errors`` is not given."""
        if not self.folder:
            return [(p, render(p, list(problems))) for p in self.paths]
        mine: list[list[Problem]] = [[] for _ in self.paths]
        for p in problems:
            mine[self.owner(p)].append(p)
        return [(path, render_xlsx(listed)) for path, listed in zip(self.paths, mine,
                                                                     strict=True)]


@contextlib.contextmanager
def problems_to(path: Path | None, sources: Path | Sequence[Path],
                outputs: Iterable[Path | None] = ()) -> Iterator[ProblemFiles]:
    """When ``path`` is given, write the problems of the inventory read from ``sources`` there
    if it fails to read (``InputError``); on success the caller writes
    ``ProblemFiles.outputs`` (the empty lists, or the findings) with its other outputs. Never
    over an input, a file inside an input folder, or another output of the run.

    ``path`` is a ``.csv`` or ``.xlsx`` file, or a folder for one problems file per input
    (:class:`ProblemFiles`). A problems file that cannot be written does not hide the problems:
    they are still shown, followed by why the file was not written (``InputError.note``).
    """
    given = [sources] if isinstance(sources, Path) else list(sources)
    files = ProblemFiles(path, given)
    if path is None:
        yield files
        return
    inputs = [f for s in files.inputs for f in ([s, *s.iterdir()] if s.is_dir() else [s])]
    check_targets([*files.paths, *(p for p in outputs if p is not None)], inputs)
    try:
        yield files
    except InputError as exc:
        try:
            written = files.outputs(exc.listed)
            write_outputs(written, inputs)
            exc.written = [path for path, _data in written]
        except (UsageError, OutputError) as failed:
            exc.note = _("the problems were not written to --errors {path}: {reason}",
                         path=path, reason=str(failed))
        raise
