"""One inventory from several inputs: the head office's and its branches' (``carbon compute hq/
branch-a.xlsx branch-b.xlsx …``; DESIGN.md, contract 1, "Several inventories may be given at
once").

The rules, as the README states them ("Collecting from many sites"):

- **The first input is the head office's.** Its settings, its own factors and its entity tree are
  the inventory's. Every other input is a *branch file*: a folder of CSV files or a workbook; a
  folder that holds no ``entities.csv`` / ``activity.csv`` is a folder of branch files (each file
  in it, except hidden files, ``~$`` lock files and the ``*.problems.*`` files ``--errors DIR``
  writes, and each sub-folder holding an ``entities.csv``).
- **A branch file's subtree** is the entities its entities table lists and, as the head office's
  tree places them, every entity below them. Its activity, denominators and meters rows name
  entities of its subtree.
- **A branch file's entities agree with the head office's**: each must be in the head office's
  tree, and every cell it fills must equal the head office's (compared as read: 山西 and 山西省
  agree); a blank cell takes the head office's value (a branch workbook may leave its top
  entity's ``parent_id`` blank, so that it can be checked on its own).
- **Every other row belongs to one input.** The same meter and period (entity, source, meter,
  use, instrument, period start and end) in two inputs, the same entity and year of
  denominators, the same declared meter: an error at each row, naming the other — whether or
  not the figures agree (a record counted twice, or two versions of one record).
- A branch file holds no own factors, and the settings it states (if any) agree with the head
  office's. An input's activity may be empty (a head office whose branches send every row).

Pure functions on validated frames first (the subtree, the clashes, the concatenation); then
:func:`collect`, which reads every input and raises one :class:`~carbon.errors.InputError` with
every problem of every input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from carbon.errors import InputError, Problem, UsageError
from carbon.factors import FactorSet
from carbon.i18n import Joined, Msg, Words, _, quoted
from carbon.io.inventory import (
    METER,
    Checked,
    _entities,
    check_columns,
    check_pending,
    check_rows,
    check_tables,
    inventory_notices,
)
from carbon.io.source import present
from carbon.io.tables import MAX_LISTED, OWNING, RawTable, more_rows, split_rows, stack
from carbon.model import FactorPins, Inventory, Notice, Origin, Part, Settings
from carbon.schema import TABLES
from carbon.vocab import source_name

if TYPE_CHECKING:
    from carbon.io import RawInput

#: Files of a folder of branch files that are not inputs: hidden files, Office lock files,
#: and the problems files ``--errors DIR`` writes.
_NOT_INPUTS = (".", "~$")
PROBLEMS_SUFFIX = ".problems"
#: Entity columns compared between a branch file and the head office.
_ENTITY_COLUMNS = ("name", "parent_id", "kind", "province", "utility", "included_from",
                   "included_to", "entry", "exit", "existed_from", "ownership_share")
#: What names one activity record: its meter and period.
RECORD = [*METER, "period_start", "period_end"]


# -- the inputs ------------------------------------------------------------------------------------
def name_of(path: Path) -> str:
    """An input as messages name it: a workbook's file name, a folder's own name."""
    return path.resolve().name if path.is_dir() else path.name


def is_inventory_folder(path: Path) -> bool:
    """Whether a folder is one inventory (its CSV files), not a folder of branch files."""
    return any(present(path / f) for f in ("entities.csv", "activity.csv", "settings.toml"))


def _branch_files(folder: Path) -> list[Path]:
    """The inputs in a folder of branch files, sorted by name."""
    out = []
    for p in sorted(folder.iterdir(), key=lambda x: x.name):
        if p.name.startswith(_NOT_INPUTS) or PROBLEMS_SUFFIX in p.name:
            continue
        if p.is_dir() and not is_inventory_folder(p):
            continue
        out.append(p)
    return out


def expand(paths: Sequence[Path]) -> list[Path]:
    """The inputs of a run: each path, a folder of branch files replaced by its files.

    Raises
    ------
    UsageError
        No input; the first is a folder of branch files (the head office's inventory comes
        first); an input given twice; two inputs with the same name (their problems and audit
        rows could not be told apart).
    """
    if not paths:
        raise UsageError(_("give the inventory to read (a folder of CSV files or a workbook)"))
    out: list[Path] = []
    for i, p in enumerate(paths):
        if p.is_dir() and not is_inventory_folder(p):
            files = _branch_files(p)
            if i == 0 and (files or len(paths) > 1):
                raise UsageError(_(
                    "{folder} holds no entities.csv or activity.csv: the first input is the head "
                    "office's inventory (its settings and entity tree), a folder of CSV files or "
                    "a workbook; give a folder of branch files after it (carbon compute hq/ "
                    "{folder})", folder=p))
            out += files if i else [p]
        else:
            out.append(p)
    seen: dict[Path, Path] = {}
    names: dict[str, Path] = {}
    for p in out:
        r = p.resolve()
        if r in seen:
            raise UsageError(_("{input} is given twice (also as {other}); give each input once",
                               input=p, other=seen[r]))
        seen[r] = p
        n = name_of(p)
        if n in names:
            raise UsageError(_("two inputs are named {name} ({first} and {second}): messages, "
                               "the audit trail and the problems files name an input by its "
                               "name; rename one", name=n, first=names[n], second=p))
        names[n] = p
    return out


# -- pure functions on validated frames -------------------------------------------------------------
def concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames one after the other, categorical columns kept categorical (the union of their
    categories); a column some frames lack is blank (NaN) in their rows."""
    frames = [f for f in frames if len(f)] or list(frames[:1])  # an empty one adds nothing
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    cols: dict[str, Any] = {}
    # the columns of all (a denominators table may carry a column of its own: blank elsewhere)
    for c in dict.fromkeys(c for f in frames for c in f.columns):
        parts = [f[c] if c in f.columns else pd.Series(np.nan, index=f.index, dtype="float64")
                 for f in frames]
        if all(isinstance(s.dtype, pd.CategoricalDtype) for s in parts):
            try:
                cols[c] = union_categoricals(parts, ignore_order=True)
            except TypeError:  # categories of another dtype (a column of blanks): as text
                cols[c] = union_categoricals([s.astype(str).astype("category") for s in parts],
                                             ignore_order=True)
        else:
            cols[c] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(cols)


def clashes(part: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose key another input's row shares.

    Parameters
    ----------
    part : ndarray of int
        Each row's input. [-]
    key : ndarray of int
        Each row's key (equal keys: the same record). [-]

    Returns
    -------
    at, other : ndarray of int
        The positions of those rows, in order, and for each the position of the first row of
        its key in another input. [-]
    """
    empty = np.zeros(0, dtype=np.int64)
    if not len(key):
        return empty, empty
    frame = pd.DataFrame({"key": key, "part": part})
    per_key = frame.drop_duplicates().groupby("key")["part"].size()
    shared = per_key.index[per_key.to_numpy() > 1].to_numpy()
    if not len(shared):
        return empty, empty
    at = np.flatnonzero(np.isin(key, shared))
    first = frame.iloc[at].drop_duplicates()  # the first row of each key in each input
    held: dict[int, list[tuple[int, int]]] = {}
    for k, p, pos in zip(first["key"].tolist(), first["part"].tolist(), first.index.tolist(),
                         strict=True):
        held.setdefault(k, []).append((p, pos))
    other = [next(pos for p, pos in held[int(key[i])] if p != part[i]) for i in at]
    return at, np.asarray(other, dtype=np.int64)


def record_keys(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """One integer per row, equal for rows equal in ``columns``."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64)
    return frame.groupby(list(columns), observed=True, dropna=False, sort=False).ngroup(
    ).to_numpy(dtype=np.int64)


def _text(v: Any) -> str:
    """A validated value as a message shows it."""
    if isinstance(v, float) and np.isnan(v):
        return ""
    if isinstance(v, np.datetime64 | pd.Timestamp):
        return "" if pd.isna(v) else str(v)[:10]
    return str(v)


def _blank(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v)) or v == ""


# -- problems, located in their input ---------------------------------------------------------------
class _Located:
    """Problems located in the inputs' tables, at most :data:`MAX_LISTED` per input and code
    (then a count)."""

    def __init__(self, parts: list[Part]):
        self.parts = parts
        self.problems: list[Problem] = []
        self._count: dict[tuple[int, str], int] = {}
        self._first: dict[tuple[int, str], Problem] = {}

    def ref(self, part: int, table: str, row: int | None, column: str | None = None) -> str:
        """``branch-a.xlsx, activity!E7`` or ``hq/activity.csv row 7``."""
        o = self.parts[part].origins.get(table, Origin(self.parts[part].name))
        letter = self.parts[part].letters.get(table, {}).get(column or "")
        if o.sheet and letter and row:
            return Joined([o.file, f"{o.sheet}!{letter}{row}"], ", ", "，")
        if o.sheet and row:
            return _("{file}, sheet {sheet} row {row}", file=o.file, sheet=o.sheet, row=row)
        if o.sheet:
            return _("{file}, sheet {sheet}", file=o.file, sheet=o.sheet)
        return _("{file} row {row}", file=o.file, row=row) if row else o.file

    def add(self, part: int, table: str, row: int | None, column: str | None, code: str,
            value: str, message: str, fix: str) -> None:
        k = (part, code)
        self._count[k] = self._count.get(k, 0) + 1
        o = self.parts[part].origins.get(table, Origin(self.parts[part].name))
        letter = self.parts[part].letters.get(table, {}).get(column or "")
        p = Problem(o.file, o.sheet, row, column, code, value, message, fix,
                    f"{letter}{row}" if letter and row else None)
        if self._count[k] == 1:
            self._first[k] = p
        if self._count[k] <= MAX_LISTED:
            self.problems.append(p)

    def listed(self) -> list[Problem]:
        out = list(self.problems)
        for k, n in self._count.items():
            if n > MAX_LISTED:
                p = self._first[k]
                out.append(Problem(p.file, p.sheet, p.row, p.column, p.code, "",
                                   more_rows(n - MAX_LISTED), p.fix, p.cell))
        return out


# -- the checks -----------------------------------------------------------------------------------
#: A blank cell of the head office's, as a message quotes it.
_BLANK = Words("'blank'", "（空白）", "（空白）")


def _entity_agreement(hq: pd.DataFrame, branch: pd.DataFrame, at: _Located) -> None:
    """The branch files' entities (``part``): each in the head office's tree, every cell it
    fills equal to the head office's. Compared column by column over all of them at once."""
    pos = pd.Index(hq["entity_id"].astype(str)).get_indexer(
        pd.Index(branch["entity_id"].astype(str)))
    part, row = branch["part"].to_numpy(), branch["row"].to_numpy()
    ids = branch["entity_id"].astype(str).to_numpy()
    for i in np.flatnonzero(pos < 0).tolist():
        at.add(int(part[i]), "entities", int(row[i]), "entity_id", "not_in_head_office",
               ids[i], _("{entity} is not in the head office's entities ({where})",
                         entity=ids[i], where=at.ref(0, "entities", None)),
               _("correct the id, or ask the head office to add the entity to its entities "
                 "(the entity tree is kept in one place)"))
    known = np.flatnonzero(pos >= 0)
    if not len(known):
        return
    hq_row = hq["row"].to_numpy()[pos[known]]
    for col in _ENTITY_COLUMNS:
        mine = branch[col].iloc[known].reset_index(drop=True)
        theirs = hq[col].iloc[pos[known]].reset_index(drop=True)
        blank = mine.isna() | (mine.astype(str) == "")
        if mine.dtype.kind == "f":
            same = np.isclose(mine.to_numpy(dtype=float), theirs.to_numpy(dtype=float))
        else:
            same = (mine.astype(str) == theirs.astype(str)).to_numpy() & theirs.notna().to_numpy()
        for k in np.flatnonzero(~blank.to_numpy() & ~same).tolist():
            i = int(known[k])
            b, eid, r, hr = int(part[i]), ids[i], int(row[i]), int(hq_row[k])
            here, there = _text(mine.iloc[k]), _text(theirs.iloc[k]) or "blank"
            shown_here = quoted(here)
            shown_there = quoted(there) if there != "blank" else _BLANK
            at.add(b, "entities", r, col, "entity_conflict", here,
                   _("{entity} is defined differently in {where}: {column} {there} there, "
                     "{here} here", entity=eid, where=at.ref(0, "entities", hr, col),
                     column=col, there=shown_there, here=shown_here),
                   _("write what the head office's entities say (or leave the cell blank); if "
                     "theirs is out of date, ask the head office to correct it"))
            at.add(0, "entities", hr, col, "entity_conflict", there,
                   _("{entity} is defined differently in {where}: {column} {there} there, "
                     "{here} here", entity=eid, where=at.ref(b, "entities", r, col),
                     column=col, there=shown_here, here=shown_there),
                   _("make the two agree (the head office's entities are the ones counted)"))


def _outside(frame: pd.DataFrame, table: str, allowed: dict[int, set[str]],
             roots: dict[int, list[str]], at: _Located) -> None:
    """The branch files' rows (``part``) naming an entity outside their subtree (``allowed``:
    the subtree, and the entities a file lists that the head office does not know, reported
    once at its entities rows)."""
    part = frame["part"].to_numpy()
    codes, uniques = pd.factorize(frame["entity_id"].astype(str))
    bad = np.zeros(len(frame), dtype=bool)
    for b, ok in allowed.items():
        sel = part == b
        if sel.any():
            bad[sel] = ~np.isin(np.asarray(uniques, dtype=object), list(ok))[codes[sel]]
    rows = frame["row"].to_numpy()
    for i in np.flatnonzero(bad).tolist():
        b, eid = int(part[i]), str(uniques[codes[i]])
        shown = Joined([*roots[b][:5], *(["…"] if len(roots[b]) > 5 else [])])
        at.add(b, table, int(rows[i]), "entity_id", "outside_subtree", eid,
               _("{entity} is not among this file's entities ({listed} and the entities below "
                 "them in the head office's tree)", entity=eid, listed=shown),
               _("send the row to whoever reports for {entity}, or list {entity} in this file's "
                 "entities", entity=eid))


def _settings_agreement(hq: Settings, branch: Settings, origin: Origin, b: int,
                        hq_origin: Origin, at: _Located) -> None:
    """The settings a branch file states (if any) agree with the head office's."""
    def stated(s: Settings) -> Iterator[tuple[str, Any]]:
        for key in s.model_fields_set:
            value = getattr(s, key)
            if isinstance(value, FactorPins):
                for pin in value.model_fields_set:
                    yield f"factor_sets.{pin}", getattr(value, pin)
            else:
                yield key, value

    for key, value in sorted(stated(branch), key=lambda kv: kv[0]):
        head: Any = hq
        for name in key.split("."):
            head = getattr(head, name)
        if value == head:
            continue
        at.problems.append(Problem(
            origin.file, origin.sheet, None, key, "head_office_only", str(value),
            _("the settings come from the head office's inventory ({file}: {key} = {theirs}); "
              "this file says {mine}", file=hq_origin.file, key=key, theirs=repr(head),
              mine=repr(value)),
            _("clear the setting here (or change it in the head office's settings)")))


def _clash_problems(frames: list[pd.DataFrame], columns: list[str], table: str,
                    describe: Any, at: _Located) -> None:
    """Rows of one table that another input holds too: a problem at each, naming the other."""
    if not frames:
        return
    both = concat(frames)
    if both.empty:
        return
    part = both["part"].to_numpy(dtype=np.int64)
    rows = both["row"].to_numpy()
    key = record_keys(both, columns)
    where, other = clashes(part, key)
    if not len(where):
        return
    column = "period_start" if table == "activity" else columns[-1]
    shown = both.iloc[np.unique(np.r_[where, other])]
    rec = dict(zip(shown.index.tolist(), shown.to_dict("records"), strict=True))
    for i, j in zip(where.tolist(), other.tolist(), strict=True):
        what, how, fix = describe(rec[i], rec[j])
        at.add(int(part[i]), table, int(rows[i]), column, "duplicate_across_files", "",
               _("{what} is also in {where}{how}", what=what,
                 where=at.ref(int(part[j]), table, int(rows[j]), column), how=how), fix)


def _activity_clash(mine: dict[str, Any], theirs: dict[str, Any]) -> tuple[Msg, str, Msg]:
    name = Joined([source_name(str(mine[k])) if k == "source" else str(mine[k])
                   for k in METER if str(mine[k])], " ", " ")
    a, b = str(mine["period_start"])[:10], str(mine["period_end"])[:10]

    def amount(r: dict[str, Any]) -> str:
        return _("blank") if r["pending"] else f"{float(r['quantity']):,.10g} {r['unit']}"

    here, there = amount(mine), amount(theirs)
    how = (_(": the same record, counted twice") if here == there else
           _(" ({there} there, {here} here): two versions of one record", there=there,
             here=here))
    return (_("the same meter and period ({meter}, {start} to {end})", meter=name, start=a,
              end=b), how, _("keep the record in one file only (delete it here or there)"))


def _denominator_clash(mine: dict[str, Any], theirs: dict[str, Any]) -> tuple[Msg, str, Msg]:
    return (_("{entity} {year} (denominators)", entity=mine["entity_id"], year=mine["year"]),
            "", _("keep one row per entity and year, in one file"))


def _meter_clash(mine: dict[str, Any], theirs: dict[str, Any]) -> tuple[Msg, str, Msg]:
    m = Joined([source_name(str(mine[c])) if c == "source" else str(mine[c])
                for c in ("entity_id", "source", "meter") if str(mine[c])], " ", " ")
    return (_("the declared meter {meter}", meter=m), "",
            _("declare each meter once, in one file"))


# -- reading --------------------------------------------------------------------------------------
def _split_pending(table: RawTable) -> tuple[RawTable, RawTable | None]:
    """An activity table's rows with a quantity, and those with none (not yet filled in)."""
    if "quantity" not in table.frame or table.frame.empty:
        return table, None
    blank = (table.frame["quantity"].astype(str) == "").to_numpy()
    if not blank.any():
        return table, None
    filled = RawTable(table.name, table.frame[~blank].reset_index(drop=True), table.rows[~blank],
                      table.origin, table.letters, table.problems)
    pending = RawTable(table.name, table.frame[blank].reset_index(drop=True), table.rows[blank],
                       table.origin, table.letters)
    return filled, pending


def _with_part(frame: pd.DataFrame, part: int | np.ndarray) -> pd.DataFrame:
    return frame.assign(part=np.broadcast_to(np.asarray(part, dtype=np.int16), len(frame)))


def _unstacked(frame: pd.DataFrame | None, owners: list[int]) -> pd.DataFrame | None:
    """A table validated stacked (:func:`carbon.io.tables.stack`): each row's ``row`` in its
    own input and ``part`` the input's position."""
    if frame is None:
        return None
    which, row = split_rows(frame["row"].to_numpy())
    return frame.assign(row=row, part=np.asarray(owners, dtype=np.int16)[which])


@dataclass
class _Branches:
    """The branch files validated: their entities one by one, their other rows in one pass
    (each row's input in ``part``)."""

    entities: dict[int, pd.DataFrame] = field(default_factory=dict)
    listed: pd.DataFrame | None = None  # all their entities, with ``part``
    unknown: dict[int, set[str]] = field(default_factory=dict)  # listed, not the head office's
    rows: Checked | None = None
    pending: pd.DataFrame | None = None


def _check_files(raws: list[RawInput], known: set[str] | None, instr: list[str] | None,
                 later: dict[int, RawTable], problems: list[Problem]) -> _Branches:
    """Validate the branch files (those complete), adding every problem to ``problems``: each
    file's headers on their own, then each table of all of them in one pass (stacked)."""
    out = _Branches()
    branch = [b for b, r in enumerate(raws) if b and r.complete]
    if not branch:
        return out
    found: list[Problem] = []
    for b in branch:
        for t in raws[b].tables.values():
            check_columns(t, add_missing=False)
            found += t.problems
        ent = raws[b].tables["entities"]
        if ent.frame.empty:  # a branch file's entities say whose rows it holds
            found.append(ent.problem(
                2, None, "no_rows", "",
                _("the sheet has its header but no rows") if ent.origin.sheet else
                _("the file has its header but no rows"),
                _("list the entities whose rows this file holds")))
    owners: dict[str, list[int]] = {}
    stacked: dict[str, RawTable] = {}
    for name, spec in TABLES.items():
        have = [b for b in branch if name in raws[b].tables]
        if have:
            owners[name] = have
            stacked[name] = stack([raws[b].tables[name] for b in have],
                                  [c.key for c in spec.columns])
            stacked[name].check_lengths()
    ent = stacked.pop("entities")
    entities = _unstacked(_entities(ent, known), owners["entities"])
    assert entities is not None
    out.listed = entities
    which, _rows = split_rows(ent.rows)
    named: dict[int, set[str]] = {b: set() for b in branch}  # every id each file lists
    for b, e in zip(np.asarray(owners["entities"])[which].tolist(),
                    ent.frame["entity_id"].astype(str).tolist(), strict=True):
        named[b].add(e)
    for b, e in zip(entities["part"].tolist(), entities["entity_id"].astype(str).tolist(),
                    strict=True):
        named[int(b)].add(e)
    for key, mine in entities.groupby("part", sort=False):
        out.entities[int(str(key))] = mine.drop(columns="part").reset_index(drop=True)
    for b in branch:
        out.entities.setdefault(b, entities.iloc[:0].drop(columns="part"))
        out.unknown[b] = named[b] - (known or set())
    ids = {e for n in named.values() for e in n} | (known or set())
    rows = check_rows(stacked, ids, instr)
    found += ent.problems + [p for t in stacked.values() for p in t.problems]
    activity = _unstacked(rows.activity, owners["activity"])
    assert activity is not None
    out.rows = replace(rows, activity=activity,
                       denominators=_unstacked(rows.denominators, owners.get("denominators", [])),
                       custom_factors=_unstacked(rows.custom_factors,
                                                 owners.get("custom_factors", [])),
                       meters=_unstacked(rows.meters, owners.get("meters", [])))
    waiting = [b for b in branch if b in later]
    if waiting:
        table = stack([later[b] for b in waiting], TABLES["activity"].keys)
        out.pending = _unstacked(check_pending(table, ids, instr), waiting)
        found += table.problems
    problems += [_head_office_fix(p) if known is not None else p for p in found]
    return out


def collect(inputs: list[Path], sets: dict[str, FactorSet], *, pending: bool = False
            ) -> Inventory:
    """Read and validate the inputs (the head office's first) into one inventory.

    Raises
    ------
    InputError
        Every problem of every input, and every conflict between them.
    """
    from carbon.io import instruments, pin_problems, read_raw

    raws = [read_raw(p) for p in inputs]
    hq = raws[0]
    instr = instruments(sets, hq.settings.factor_sets.market)
    hq.problems += pin_problems(hq, sets)
    parts = [Part(r.path, r.origins,
                  {n: dict(t.letters) for n, t in r.tables.items() if t.letters}, list(r.files))
             for r in raws]
    at = _Located(parts)
    problems: list[Problem] = [p for r in raws for p in r.problems]
    later: dict[int, RawTable] = {}
    for b, raw in enumerate(raws):
        if raw.complete and pending:
            raw.tables["activity"], rest = _split_pending(raw.tables["activity"])
            if rest is not None:
                later[b] = rest
    head: Checked | None = None
    head_pending: pd.DataFrame | None = None
    if hq.complete:
        head = check_tables(hq.tables, instr)
        act = hq.tables["activity"].origin  # the head office may leave its activity empty
        problems += [p for p in head.problems if not (p.code == "no_rows" and p.file == act.file
                                                      and p.sheet == act.sheet)]
        if 0 in later:
            head_pending = check_pending(later[0], head.ids, instr)
            problems += later[0].problems
    branches = _check_files(raws, head.ids if head else None, instr, later, problems)
    if head is not None:
        activity = [_with_part(head.activity, 0).assign(pending=False)]
        if branches.rows is not None:
            activity.append(branches.rows.activity.assign(pending=False))
        activity += [f.assign(pending=True) for f in (
            _with_part(head_pending, 0) if head_pending is not None else None,
            branches.pending) if f is not None]
        _check_branches(raws, branches, head, at)
        _clash_problems(activity, RECORD, "activity", _activity_clash, at)
        for table, keys, describe in (("denominators", ["entity_id", "year"], _denominator_clash),
                                      ("meters", ["entity_id", "source", "meter"], _meter_clash)):
            frames = [f for f in (
                _with_part(getattr(head, table), 0) if getattr(head, table) is not None else None,
                getattr(branches.rows, table) if branches.rows is not None else None)
                if f is not None]
            _clash_problems(frames, keys, table, describe, at)
        if not pending and not any(len(f) for f in activity):  # status: nothing sent yet
            o = hq.tables["activity"].origin
            problems.append(Problem(o.file, o.sheet, 2, None, "no_rows", "",
                                    _("no input has activity rows"),
                                    _("add the activity rows under the header"),
                                    "A2" if o.sheet else None))
    problems += at.listed()
    owned = {(r.path.name, sheet, cell) for r in raws for sheet, cell in r.owned}
    problems = [p for p in problems
                if p.code in OWNING or (p.file, p.sheet, p.cell) not in owned]
    if problems:
        raise InputError(problems, hq.language)
    assert head is not None
    return _merged(raws, head, head_pending, branches, parts, pending)


def _head_office_fix(p: Problem) -> Problem:
    """A branch file's row naming an entity no one knows: the fix points at the head office."""
    if p.code != "unknown_entity" or p.column != "entity_id":
        return p
    return Problem(p.file, p.sheet, p.row, p.column, p.code, p.value,
                   _("neither this file's nor the head office's entities have this entity_id"),
                   _("correct the id; a new entity is added to the head office's entities and "
                     "listed in this file's"), p.cell)


def _check_branches(raws: list[RawInput], branches: _Branches, head: Checked,
                    at: _Located) -> None:
    """Each branch file against the head office: its entities, its subtree, its settings and
    own factors."""
    hq_ids = set(head.entities["entity_id"].astype(str))
    settings_origin = _settings_origin(raws[0])
    rows = branches.rows
    tables = [("activity", rows.activity if rows else None),
              ("denominators", rows.denominators if rows else None),
              ("meters", rows.meters if rows else None), ("activity", branches.pending)]
    if branches.listed is not None:
        _entity_agreement(head.entities, branches.listed, at)
    # each entity with the entities above it (the head office's tree has no loops)
    parent = dict(zip(head.entities["entity_id"].astype(str),
                      head.entities["parent_id"].astype(str), strict=True))
    chain: dict[str, set[str]] = {}
    for e in parent:
        up, node = {e}, parent[e]
        while node and node in parent and node not in up:
            up.add(node)
            node = parent[node]
        chain[e] = up
    allowed: dict[int, set[str]] = {}
    roots: dict[int, list[str]] = {}
    for b, listed in branches.entities.items():
        top = {e for e in listed["entity_id"].astype(str) if e in hq_ids}
        roots[b] = [e for e in listed["entity_id"].astype(str)  # those no other is above
                    if e in top and not (chain[e] - {e}) & top]
        allowed[b] = {e for e, up in chain.items() if up & top} | branches.unknown[b]
        _settings_agreement(raws[0].settings, raws[b].settings, _settings_origin(raws[b]), b,
                            settings_origin, at)
    for table, frame in tables:
        if frame is not None and len(frame):
            _outside(frame, table, allowed, roots, at)
    if rows is not None and rows.custom_factors is not None:
        for b, r in zip(rows.custom_factors["part"].tolist(),
                        rows.custom_factors["row"].tolist(), strict=True):
            at.add(int(b), "custom_factors", int(r), "source", "head_office_only", "",
                   _("own factors apply to every entity: they belong in the head office's "
                     "inventory ({where})", where=at.ref(0, "custom_factors", None)),
                   _("delete the row here and ask the head office to add it to its "
                     "custom_factors"))


def _settings_origin(raw: RawInput) -> Origin:
    if raw.path.is_dir():
        return Origin(f"{raw.path.resolve().name}/settings.toml")
    return Origin(raw.path.name, "settings")


def _merged(raws: list[RawInput], head: Checked, head_pending: pd.DataFrame | None,
            branches: _Branches, parts: list[Part], pending: bool) -> Inventory:
    """The inventory of the inputs, once every check has passed."""
    rows = branches.rows
    parts = [replace(p, listed=frozenset(
        (head.entities if b == 0 else branches.entities[b])["entity_id"].astype(str)))
        for b, p in enumerate(parts)]
    activity = concat([_with_part(head.activity, 0),
                       *([rows.activity] if rows is not None else [])])
    # entities in the order of the head office's table, whichever input a row comes from: the
    # totals (sums over entities in their order) do not depend on the order of the inputs
    order = head.entities["entity_id"].astype(str).tolist()
    ids = activity["entity_id"].cat.categories
    activity["entity_id"] = activity["entity_id"].cat.set_categories(
        [*order, *ids[~ids.isin(order)]])
    dens = [d for d in (head.denominators, rows.denominators if rows else None) if d is not None]
    denominators = (pd.concat([d.drop(columns="part", errors="ignore") for d in dens],
                              ignore_index=True) if dens else None)
    met = [m for m in (_with_part(head.meters, 0) if head.meters is not None else None,
                       rows.meters if rows else None) if m is not None]
    meters = concat(met) if met else None
    later = None
    if pending:
        waiting = [w for w in (_with_part(head_pending, 0) if head_pending is not None
                               else None, branches.pending) if w is not None]
        later = concat(waiting) if waiting else activity.iloc[:0].copy()
    notices: list[Notice] = [n for r in raws for n in r.notices]
    notices += inventory_notices(activity, denominators,
                                 [p.origins.get("activity", Origin(p.name)) for p in parts])
    files = [f for p in parts for f in p.files]
    return Inventory(raws[0].path, head.entities, activity, denominators, head.custom_factors,
                     raws[0].settings, parts[0].origins, files, notices, meters=meters,
                     letters=parts[0].letters, parts=parts, pending=later,
                     template_language=raws[0].template_language)
