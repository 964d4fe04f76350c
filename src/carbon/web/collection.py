"""What the pages show, computed with :mod:`carbon.api` and the CLI's own functions (no web
framework here): a workbook checked alone (``carbon check FILE``), a submission checked against
the head office's inventory, and the status and report of the current submissions (``carbon
status`` and ``carbon compute`` of the head office's inventory and every current submission).

Every function here is synchronous and may take seconds: the app runs them in worker threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import threading
import unicodedata
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon import api
from carbon.errors import CarbonError, InputError, Problem
from carbon.i18n import rendered, using
from carbon.web.store import Store, Submission, Token
from carbon.web.words import Said

#: A file name as the pages and messages show it: letters, digits, spaces and ``-_.()（）``.
_UNSAFE = re.compile(r"[^\w \-.()（）]+")
MAX_NAME = 80


def safe_name(filename: str | None, default: str = "workbook.xlsx") -> str:
    """The name an uploaded file is known by: the last part of what the browser sent, without
    folders, control characters or anything but letters, digits, spaces and ``-_.()``; never
    hidden, never ``.`` or ``..``; ``default`` when nothing is left. It names the file inside a
    folder the server made for it, never a path of the request."""
    text = unicodedata.normalize("NFC", filename or "")
    text = re.split(r"[\\/]", text)[-1]
    text = _UNSAFE.sub("_", "".join(c for c in text if c.isprintable())).strip(" ._")
    if not text or text in (".", ".."):
        return default
    stem, dot, suffix = text.rpartition(".")
    if not dot:
        stem, suffix = text, ""
    stem = stem[:MAX_NAME].rstrip(" ._") or "workbook"
    suffix = suffix[:8]
    return f"{stem}.{suffix}" if suffix else stem


# -- a workbook alone ---------------------------------------------------------------------------
@dataclass
class CoverageRow:
    """One meter and year of the coverage matrix: its month states (``recorded`` …)."""

    entity_id: str
    name: str
    source: str
    meter: str
    year: int
    months: list[str]


@dataclass
class Checked:
    """A workbook checked alone, as ``carbon check FILE`` checks it.

    ``json``: exactly what ``carbon check FILE --format json`` prints, parsed.
    """

    name: str
    problems: list[Problem]
    findings: list[Problem] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    json: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


def check_workbook(path: Path, lang: str = "en") -> Checked:
    """Check one workbook alone (``carbon check PATH``): its problems, or its findings, notes
    and coverage; the JSON's messages in ``lang``."""
    from carbon.cli.check import findings, findings_json, problems_json
    from carbon.cli.compute import calculate
    from carbon.review import FINDINGS, summary

    try:
        run = calculate([path], None, None, None)
    except InputError as exc:
        with using(lang):
            return Checked(path.name, exc.listed, json=problems_json(exc.listed))
    except CarbonError as exc:
        listed = [_file_problem(path.name, "unreadable", str(exc), "check the file and send it "
                                "again")]
        with using(lang):
            return Checked(path.name, listed, json=problems_json(listed))
    found = findings(run)
    said = {p.message for p in found}
    notes = [w for w in run.figures["warnings"]
             if w["code"] not in FINDINGS and w["message"] not in said]
    with using(lang):
        doc = rendered(findings_json(run, found))
    return Checked(path.name, [], found, notes, coverage_rows(run), doc,
                   summary(run.review.coverage))


def coverage_rows(run: api.Result) -> list[CoverageRow]:
    """The coverage matrix of a run: one row per meter and year, a state per month."""
    from carbon.coverage import STATUS

    cov = run.review.coverage
    t, m = cov.table, cov.meters
    if t.empty:
        return []
    names = dict(zip(run.inventory.data.entities["entity_id"].astype(str),
                     run.inventory.data.entities["name"].astype(str), strict=True))
    status = cov.month_status()
    meter = t["meter"].to_numpy()
    cols = {c: m[c].to_numpy()[meter].tolist() for c in ("entity_id", "source", "meter")}
    return [CoverageRow(str(e), names.get(str(e), ""), str(s), str(mt), int(y),
                        [STATUS[int(x)] for x in row])
            for e, s, mt, y, row in zip(cols["entity_id"], cols["source"], cols["meter"],
                                        t["year"].tolist(), status.tolist(), strict=True)]


def problems_xlsx(problems: Sequence[Problem]) -> bytes:
    """The problems as the ``--errors FILE.xlsx`` workbook."""
    from carbon.report.problems import render_xlsx

    return render_xlsx(problems)


def _file_problem(name: str, code: str, message: str, fix: str) -> Problem:
    return Problem(name, None, None, None, code, "", message, fix)


# -- the head office's tree -----------------------------------------------------------------------
def subtree(inv: api.Inventory, roots: Sequence[str]) -> list[str]:
    """``roots`` and every entity below them in the inventory's tree, in its order."""
    from carbon import boundary

    ent = inv.data.entities
    return ent["entity_id"].astype(str)[boundary.subtree(ent, roots)].tolist()


def tops(inv: api.Inventory, listed: Sequence[str]) -> list[str]:
    """Those of ``listed`` no other of them is above, in the tree's order."""
    ent = inv.data.entities
    parent = dict(zip(ent["entity_id"].astype(str), ent["parent_id"].astype(str), strict=True))
    chosen = set(listed)
    out = []
    for e in ent["entity_id"].astype(str):
        if e not in chosen:
            continue
        node, seen = parent.get(e, ""), {e}
        while node and node not in chosen and node not in seen:
            seen.add(node)
            node = parent.get(node, "")
        if not node or node not in chosen:
            out.append(e)
    return out


def head_office_problems(hq: Path) -> list[Problem]:
    """The problems of the head office's inventory read alone, as the collection reads it (an
    inventory without activity rows is fine: its branches send them)."""
    try:
        api.read_inventory(hq, pending=True)
    except InputError as exc:
        return [p for p in exc.listed if p.code != "no_rows"
                or "activity" not in f"{p.file} {p.sheet or ''}"]
    return []


# -- a submission -----------------------------------------------------------------------------------
@dataclass
class Prepared:
    """A submission checked against the head office's inventory: its problems, or what it
    holds."""

    problems: list[Problem]
    listed: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    scope: str = ""
    rows_filled: int = 0
    rows_pending: int = 0
    #: The head office's inventory does not read on its own: the problems are its own, not
    #: the upload's.
    hq_broken: bool = False


def prepare_submission(hq: Path, upload: Path, token: Token,
                       overlapping: Callable[[list[str]], list[tuple[Submission, Path]]]
                       ) -> Prepared:
    """Check an upload as the head office reads it: with the head office's inventory (the
    collection rules: its entities agree with the head office's, its rows stay in its subtree,
    blank quantities are rows not yet filled in), inside the subtree of the token's entity, and
    together with the current submissions it overlaps without replacing
    (``overlapping(covered)``: them and their files), so that no record is in two files."""
    try:
        inv = api.read_inventory(hq, upload, pending=True)
    except InputError as exc:
        try:
            api.read_inventory(hq, pending=True)
        except InputError as own:
            return Prepared(own.listed, hq_broken=True)
        return Prepared(exc.listed)
    part = inv.data.parts[1]
    listed = [e for e in inv.data.entities["entity_id"].astype(str) if e in part.listed]
    if token.kind == "branch":
        assert token.entity_id is not None
        mine = set(subtree(inv, [token.entity_id]))
        if token.entity_id not in set(inv.data.entities["entity_id"].astype(str)):
            return Prepared([_file_problem(
                upload.name, "unknown_branch",
                Said("token_entity_gone", entity=token.entity_id),
                Said("token_entity_gone_fix"))])
        outside = [e for e in listed if e not in mine]
        if outside:
            return Prepared(_outside_problems(upload, outside, token.entity_id))
    covered = subtree(inv, listed)
    scope = "+".join(tops(inv, listed))
    act = inv.data.activity
    filled = int((act["part"].to_numpy() == 1).sum())
    pend = inv.data.pending
    pending = int((pend["part"].to_numpy() == 1).sum()) if pend is not None and len(pend) else 0
    others = overlapping(covered)
    if others:
        names = unique_names([s for s, _ in others], [_name(hq), upload.name])
        with staged([(f"branches/{n}", f) for n, (_, f) in zip(names, others, strict=True)],
                    upload.parent) as top:
            try:
                api.read_inventory(hq, *(top / "branches" / n for n in names), upload,
                                   pending=True)
            except InputError as exc:
                return Prepared(exc.listed)
    return Prepared([], listed, covered, scope, filled, pending)


def _outside_problems(upload: Path, outside: list[str], root: str) -> list[Problem]:
    """Each entity the workbook lists outside the token's subtree, at its entities row."""
    from carbon.io import read_raw

    raw = read_raw(upload)
    table = raw.tables.get("entities")
    rows: dict[str, int] = {}
    letter = None
    sheet = None
    if table is not None:
        letter = (table.letters or {}).get("entity_id")
        sheet = table.origin.sheet
        for e, r in zip(table.frame["entity_id"].astype(str), table.rows.tolist(), strict=True):
            rows.setdefault(e.strip(), int(r))
    out = []
    for e in outside:
        r = rows.get(e)
        out.append(Problem(upload.name, sheet or "entities", r, "entity_id", "not_your_branch", e,
                           Said("not_your_branch", entity=e, root=root),
                           Said("not_your_branch_fix", root=root),
                           f"{letter}{r}" if letter and r else None))
    return out


# -- the collection ------------------------------------------------------------------------------------
def unique_names(subs: Sequence[Submission], taken: Sequence[str] = ()) -> list[str]:
    """Each current submission's name as an input of the collection: its file's name, unless
    another input has it (then ``name-<id>.xlsx``)."""
    seen = {t.lower() for t in taken}
    out = []
    for s in subs:
        name = safe_name(s.filename)
        if name.lower() in seen:
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}-{s.id}.{suffix}" if dot else f"{name}-{s.id}"
        seen.add(name.lower())
        out.append(name)
    return out


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copyfile(src, dst)


@contextlib.contextmanager
def staged(files: Sequence[tuple[str, Path]], under: Path) -> Iterator[Path]:
    """``files`` (each a relative path and the file it is) in a new folder under ``under``,
    as links to the stored files (copies across file systems); removed afterwards."""
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="staged-", dir=under))
    try:
        for rel, src in files:
            dst = top / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            _link(src, dst)
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)


def fingerprint(hq: Path, subs: Sequence[Submission]) -> str:
    """What the collection's figures depend on: the head office's files (name, size, time) and
    the current submissions (id, sha256)."""
    digest = hashlib.sha256()
    files = sorted(p for p in hq.iterdir() if p.is_file()) if hq.is_dir() else [hq]
    for p in files:
        st = p.stat()
        digest.update(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for s in subs:
        digest.update(f"{s.id}\0{s.sha256}\n".encode())
    return digest.hexdigest()


@dataclass
class StatusView:
    """The submission status of the collection, or the problems that keep it from reading."""

    problems: list[Problem]
    status: api.Status | None = None
    names: dict[str, Submission] = field(default_factory=dict)  # input name → submission
    hq_name: str = ""
    inventory: api.Inventory | None = None


@dataclass
class ReportView:
    """The consolidated report of the collection (``carbon compute hq/ branches/…``), or the
    problems that keep it from computing."""

    problems: list[Problem]
    run: api.Result | None = None
    manifest: bytes = b""
    inputs: list[tuple[str, Path]] = field(default_factory=list)  # name in the zip → file
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: tuple[str, str], make: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    def workbook(self, lang: str) -> bytes:
        """The report workbook (as ``carbon compute … --out report.xlsx --lang``)."""
        return bytes(self.cached(("workbook", lang), lambda: _workbook(self, lang)))

    def charts(self, lang: str) -> dict[str, bytes]:
        """The charts as SVG and PNG files (as ``--charts``)."""
        from carbon.report.charts import render

        run = self.run
        assert run is not None
        return dict(self.cached(("charts", lang), lambda: render(run.figures, lang)[0]))

    def inputs_zip(self) -> bytes:
        """The manifest and every input under the paths it records: unzipped, ``carbon verify
        run.json`` re-runs the report."""
        return bytes(self.cached(("zip", ""), lambda: _inputs_zip(self)))


def _workbook(view: ReportView, lang: str) -> bytes:
    from carbon.report.coverage import coverage_sheet
    from carbon.report.workbook import build_workbook, sheet, workbook_bytes

    run = view.run
    assert run is not None
    inv = run.inventory.data
    names = dict(zip(inv.entities["entity_id"].astype(str), inv.entities["name"].astype(str),
                     strict=True))
    wb = build_workbook(inv, run.ledger_data, run.figures, run.inventory.sets, lang,
                        extra_sheets=[sheet("Coverage", lambda ws: coverage_sheet(
                            ws, run.review.coverage, names, lang))])
    return workbook_bytes(wb)


def _inputs_zip(view: ReportView) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_NAME, view.manifest)
        for name, path in view.inputs:
            zf.write(path, name)
    return buf.getvalue()


MANIFEST_NAME = "run.json"


class Collection:
    """The head office's inventory and the current submissions, read together; the last few
    results kept (keyed by :func:`fingerprint`: a new submission or a changed head-office file
    makes a new one)."""

    def __init__(self, store: Store, hq: Path | None):
        self.store = store
        self.hq = hq
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, ...], Any] = OrderedDict()

    @property
    def ready(self) -> bool:
        """Whether the head office's inventory is there."""
        return self.hq is not None and self.hq.exists()

    def hq_name(self) -> str:
        assert self.hq is not None
        return _name(self.hq)

    def inputs(self, subs: Sequence[Submission]) -> list[tuple[str, Path]]:
        """The current submissions as inputs: (unique name, stored file), sorted by name as a
        folder of branch files is (``carbon status hq/ branches/``)."""
        names = unique_names(subs, [self.hq_name()])
        return sorted((n, self.store.file_path(s.sha256)) for n, s in zip(names, subs,
                                                                          strict=True))

    def _remember(self, key: tuple[str, ...], make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > 6:
                self._cache.popitem(last=False)
        return value

    def collected(self, subs: Sequence[Submission] | None = None) -> api.Inventory:
        """The head office's inventory with the current submissions (``subs``, default: read
        now), rows not yet filled in kept aside (as ``carbon status`` reads them); kept while
        nothing changes.

        Raises
        ------
        carbon.InputError
            The inputs do not read together.
        """
        assert self.hq is not None
        subs = self.store.current() if subs is None else subs
        return self._remember(("collected", fingerprint(self.hq, subs)),
                              lambda: self._collected(subs))

    def _collected(self, subs: Sequence[Submission]) -> api.Inventory:
        assert self.hq is not None
        inputs = self.inputs(subs)
        with staged([(f"branches/{n}", f) for n, f in inputs], self.store.tmp) as top:
            return api.read_inventory(self.hq, *(top / "branches" / n for n, _ in inputs),
                                      pending=True)

    def status(self, years: Sequence[int] | None = None) -> StatusView:
        """``carbon status`` of the head office's inventory and the current submissions."""
        assert self.hq is not None
        subs = self.store.current()
        names = unique_names(subs, [self.hq_name()])
        by_name = dict(zip(names, subs, strict=True))
        try:
            inv = self.collected(subs)
        except InputError as exc:
            return StatusView(exc.listed, names=by_name, hq_name=self.hq_name())
        key = ("status", fingerprint(self.hq, subs), ",".join(map(str, years or ())))
        st = self._remember(key, lambda: api.status(inv, years=years or None))
        return StatusView([], st, by_name, self.hq_name(), inv)

    def report(self, years: Sequence[int] | None = None) -> ReportView:
        """``carbon compute`` of the head office's inventory and the current submissions, with
        its manifest (``run.json`` beside the inputs: the head office's as ``<its name>/…``,
        the submissions as ``branches/…``)."""
        assert self.hq is not None
        subs = self.store.current()
        key = ("report", fingerprint(self.hq, subs), ",".join(map(str, years or ())))
        return self._remember(key, lambda: self._report(subs, years))

    def _report(self, subs: Sequence[Submission], years: Sequence[int] | None) -> ReportView:
        from carbon.manifest import build, dumps, relative

        assert self.hq is not None
        inputs = self.inputs(subs)
        head = self.hq_name() if self.hq_name() != "branches" else "hq"
        if self.hq.is_dir():
            hq_files = [(f"{head}/{p.name}", p) for p in sorted(self.hq.iterdir())
                        if p.is_file() and not p.name.startswith(".")]
        else:
            hq_files = [(head, self.hq)]
        branch_files = [(f"branches/{n}", f) for n, f in inputs]
        with staged([*hq_files, *branch_files], self.store.tmp) as top:
            paths = [top / head, *(top / rel for rel, _ in branch_files)]
            try:
                run = api.compute(api.read_inventory(*paths), years=years or None)
            except InputError as exc:
                return ReportView(exc.listed)
            manifest = top / MANIFEST_NAME
            options: dict[str, Any] = {"path": relative(paths[0], top)}
            if len(paths) > 1:
                options["paths"] = [relative(p, top) for p in paths]
            options |= {"year": sorted(set(years or [])), "grid_level": None, "factors": [],
                        "format": "table", "lang": "en", "out": None, "charts": None}
            inv = run.inventory.data
            doc = build(manifest, inv.files, run.ledger_data.factor_sets,
                        run.ledger_data.factors, options, run.figures)
            originals = dict([*hq_files, *branch_files])
            kept = [(rel, originals[rel]) for rel in (relative(f, top) for f in inv.files)
                    if rel in originals]
        return ReportView([], run, dumps(doc).encode("utf-8"), kept)


def _name(path: Path) -> str:
    """An input's name as messages give it (a folder's own name, a file's name)."""
    return path.resolve().name if path.is_dir() else path.name
