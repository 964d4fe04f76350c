"""The manifest of a run, and what changed since: ``carbon compute --manifest`` / ``carbon verify``.

A manifest records everything an auditor needs to re-perform a run: the input files (paths
relative to the manifest, each with its sha256), the factor sets (id, sha256) and every factor
used (value, unit, reference), carbon's version, every option, and the results (the JSON
contract dict). Same inputs, factor sets, options and version give a byte-identical manifest.

:func:`compare` lists what differs between a manifest and a re-run: inputs and factor sets by
hash, factors by value, the figures the manifest recorded by value (within :data:`REL_TOL`, the
rounding two platforms' floating-point libraries may differ by); a figure the manifest never
recorded (a metric added by a later version) is not a difference (:func:`added_figures`); a
manifest of this version records every figure and the coverage, so one it lacks or a changed
coverage record is.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carbon import __version__
from carbon.errors import InputError, UsageError
from carbon.factors import Factor
from carbon.i18n import Msg, Words, _, quoted, rendered, tr
from carbon.io.source import read_input
from carbon.schema import TABLES

MANIFEST_VERSION = 1
#: Figures equal within this relative difference match. [1]
REL_TOL = 1e-9


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative(path: Path, base: Path) -> str:
    """``path`` relative to the folder ``base``, with forward slashes (the same on every OS)."""
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def build(manifest_path: Path, inputs: Iterable[Path], factor_sets: Iterable[tuple[str, str]],
          factors: dict[str, object], options: dict[str, Any], result: dict[str, Any]
          ) -> dict[str, Any]:
    """The manifest of one run.

    Parameters
    ----------
    manifest_path : Path
        Where the manifest will be written; input paths are recorded relative to its folder.
    inputs : iterable of Path
        The files the inventory was read from.
    factor_sets : iterable of (id, sha256)
        The factor sets the ledger used.
    factors : dict
        The ledger's factors by id.
    options : dict
        Every option of the command, paths already relative (see :func:`relative`); ``lang``
        the language its warnings are recorded in (English when absent).
    result : dict
        The ``summarize()`` result (the JSON output).
    """
    base = manifest_path.resolve().parent
    result = {**result, "warnings": rendered(result.get("warnings", []),
                                             options.get("lang") or "en")}
    files = sorted((relative(p, base), sha256_file(p)) for p in inputs)
    return {
        "manifest_version": MANIFEST_VERSION,
        "carbon_version": __version__,
        "inputs": [{"path": p, "sha256": h} for p, h in files],
        "factor_sets": [{"id": i, "sha256": h} for i, h in factor_sets],
        "factors": {fid: {"value": f.value, "unit": f.unit, "reference": f.reference}
                    for fid, f in sorted(factors.items()) if isinstance(f, Factor)},
        "options": options,
        "results": result,
    }


def dumps(manifest: dict[str, Any]) -> str:
    """The manifest as text: indented for reading, key order as built, byte-stable."""
    return json.dumps(manifest, ensure_ascii=False, allow_nan=False, indent=1) + "\n"


#: A manifest larger than this is not one carbon wrote. [bytes]
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
_SHA256 = r"^[0-9a-f]{64}$"
_Strict = ConfigDict(strict=True, extra="allow")


class _File(BaseModel):
    model_config = _Strict
    path: str = Field(min_length=1)
    sha256: str = Field(pattern=_SHA256)


class _FactorSetRef(BaseModel):
    model_config = _Strict
    id: str = Field(min_length=1)
    sha256: str = Field(pattern=_SHA256)


class _FactorRef(BaseModel):
    model_config = _Strict
    value: float
    unit: str
    reference: str


class _Options(BaseModel):
    model_config = _Strict
    path: str = Field(min_length=1)
    paths: list[Annotated[str, Field(min_length=1)]] = []  # several inputs: every one, in order
    year: list[Annotated[int, Field(ge=1900, le=2200)]] = []
    grid_level: Literal["national", "regional", "provincial"] | None = None
    factors: list[Annotated[str, Field(min_length=1)]] = []
    #: The language the run's warnings were recorded in (a manifest without it: English).
    lang: Literal["zh-Hans", "zh-Hant", "en"] | None = None


class _Entity(BaseModel):
    model_config = _Strict
    entity_id: str
    year: int


class _Warning(BaseModel):
    model_config = _Strict
    message: str


class _Results(BaseModel):
    model_config = _Strict
    years: dict[str, dict[str, Any]]
    by_entity: list[_Entity] = []
    warnings: list[_Warning] = []


class _Manifest(BaseModel):
    """What ``verify`` relies on in a manifest; anything else a manifest holds is kept as is."""

    model_config = _Strict
    manifest_version: Literal[1]
    carbon_version: str = ""
    inputs: list[_File]
    factor_sets: list[_FactorSetRef]
    factors: dict[str, _FactorRef] = {}
    options: _Options
    results: _Results


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(_("the key {key} appears twice in one object", key=quoted(k)))
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(_("{name} is not a number carbon writes", name=name))


def _field(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a manifest field: ``options.year[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load(path: Path) -> dict[str, Any]:
    """Read a manifest and check its structure: every field ``verify`` uses, of its type.

    Raises
    ------
    UsageError
        When the file is not a carbon manifest, naming the field that is wrong.
    """
    fix = _("pass the file written by carbon compute --manifest (or restore it from a copy)")

    def bad(what: Msg) -> UsageError:
        return UsageError(_("{path}: {problem}; {fix}", path=path, problem=what, fix=fix))

    try:
        data = read_input(path, path.name)
    except InputError as exc:
        p = exc.listed[0]
        raise UsageError(_("{path}: {problem}; {fix}", path=path, problem=p.message,
                           fix=p.fix)) from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise bad(_("{size} MiB is not a manifest carbon wrote",
                    size=f"{len(data) / 2**20:,.0f}"))
    try:
        doc = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_duplicates,
                         parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise bad(_("not UTF-8 text (byte {byte})", byte=exc.start)) from None
    except json.JSONDecodeError as exc:
        raise bad(_("not a readable manifest (line {line}, column {column}: {error})",
                    line=exc.lineno, column=exc.colno, error=exc.msg)) from None
    except RecursionError:
        raise bad(_("not a manifest (brackets nested deeper than any manifest)")) from None
    except ValueError as exc:
        raise bad(_("not a manifest carbon wrote ({error})", error=exc.args[0] if exc.args
                    else str(exc))) from None
    if not isinstance(doc, dict):
        raise bad(_("not a carbon manifest (a JSON {type}, not an object)",
                    type=type(doc).__name__))
    keys = {"manifest_version", "inputs", "factor_sets", "options", "results"}
    if not keys <= set(doc):
        raise bad(_("not a carbon manifest (it lacks {keys})",
                    keys=", ".join(sorted(keys - set(doc)))))
    if doc["manifest_version"] != MANIFEST_VERSION:
        raise UsageError(_("{path}: manifest version {version}; this carbon reads version "
                           "{supported}", path=path, version=repr(doc["manifest_version"]),
                           supported=MANIFEST_VERSION))
    try:
        _Manifest.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors()
        shown = "; ".join(f"{_field(e['loc'])}: {e['msg']}" for e in errors[:5])
        more = (_(" (and {n} more)", n=len(errors) - 5) if len(errors) > 5 else "")
        raise bad(_("an invalid manifest: {errors}{more}", errors=shown, more=more)) from None
    except RecursionError:
        raise bad(_("not a manifest (nested deeper than any manifest)")) from None
    return doc


@dataclass(frozen=True)
class Change:
    """One difference between a manifest and its re-run."""

    kind: str  # input, factor_set, factor, figure, warning
    what: str
    before: Any
    after: Any

    def words(self) -> Msg:
        """The difference as a line, to be put into words in any language."""
        b, a = self.before, self.after
        if self.kind in ("input", "factor_set"):
            kind = _("input") if self.kind == "input" else _("factor set")
            if b is None:
                return _("{kind} {what}: new (not in the manifest)", kind=kind, what=self.what)
            if a is None:
                return _("{kind} {what}: no longer used", kind=kind, what=self.what)
            return _("{kind} {what}: changed (sha256 {before}… → {after}…)", kind=kind,
                     what=self.what, before=b[:12], after=a[:12])
        if self.kind == "factor":
            if b is None:
                return _("factor {what}: new", what=self.what)
            if a is None:
                return _("factor {what}: no longer used", what=self.what)
            return _("factor {what}: {before} → {after}", what=self.what,
                     before=_factor_text(b), after=_factor_text(a))
        if self.kind == "warning":
            if b is None:
                return _("warning added: {warning}", warning=a)
            return _("warning gone: {warning}", warning=b)
        if _is_number(b) and _is_number(a):
            delta = a - b
            share = f"{delta / b * 100:+.4g}%" if b else ""
            pct = Words(f", {share}", f"，{share}", f"，{share}") if share else ""
            return _("{what}: {before} → {after} ({delta}{pct})", what=self.what,
                     before=f"{b:,.10g}", after=f"{a:,.10g}", delta=f"{delta:+,.6g}", pct=pct)
        return _("{what}: {before} → {after}", what=self.what, before=repr(b), after=repr(a))

    def __str__(self) -> str:
        return tr(self.words())


def _factor_text(f: dict[str, Any]) -> str:
    return f"{f['value']:g} {f['unit']} ({f['reference']})"


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _leaves(obj: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted name, value) of every figure of a results dict."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, obj


#: The fields that name a coverage record (a meter and a year).
_COVERAGE_KEY = ("entity_id", "source", "meter", "use", "instrument", "year")


def figures(results: dict[str, Any], coverage: bool = False) -> dict[str, Any]:
    """Every figure of a results dict by a readable name (``years.2024.scope1_tco2e``,
    ``by_entity[JSB 2024].energy_kwh``); with ``coverage``, each meter-year's coverage too
    (``coverage[JSB electricity    2024].days_missing``)."""
    out = dict(_leaves({"gwp": results.get("gwp"), "years": results.get("years", {})}, ""))
    for e in results.get("by_entity", []):
        rest = {k: v for k, v in e.items() if k not in ("entity_id", "year")}
        out.update(_leaves(rest, f"by_entity[{e['entity_id']} {e['year']}]"))
    for c in results.get("coverage") or [] if coverage else []:
        name = " ".join(str(c.get(k, "")) for k in _COVERAGE_KEY)
        out.update(_leaves({k: v for k, v in c.items() if k not in _COVERAGE_KEY},
                           f"coverage[{name}]"))
    return out


def _same(a: Any, b: Any) -> bool:
    if _is_number(a) and _is_number(b):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)
    return bool(a == b)


def _by_key(old: dict[str, Any], new: dict[str, Any], kind: str) -> list[Change]:
    return [Change(kind, k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new))
            if old.get(k) != new.get(k)]


#: The folder part of an inventory file named in a warning ("inv/activity.csv" -> "activity.csv"):
#: the folder's own name may differ where an auditor re-runs a copy.
_PLACED = re.compile(r"[^\s,:]*/(?=(?:" + "|".join(TABLES) + r")\.csv\b)")


def _unplaced(message: str) -> str:
    return _PLACED.sub("", message)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference between a manifest and the manifest of its re-run.

    Inputs, factor sets and factors first (the causes), then the figures (the effects), then the
    warnings. The carbon version is not compared: :func:`version_note` reports it.
    """
    changes = _by_key({i["path"]: i["sha256"] for i in old["inputs"]},
                      {i["path"]: i["sha256"] for i in new["inputs"]}, "input")
    changes += _by_key({s["id"]: s["sha256"] for s in old["factor_sets"]},
                       {s["id"]: s["sha256"] for s in new["factor_sets"]}, "factor_set")
    changes += _by_key(old.get("factors", {}), new.get("factors", {}), "factor")
    # a manifest of this version records every figure and the coverage: one it lacks was
    # deleted from it; of an earlier version, a figure added since is no difference
    same = old.get("carbon_version") == __version__
    before, after = figures(old["results"], same), figures(new["results"], same)
    names = [*before, *(n for n in after if n not in before)] if same else list(before)
    for name in names:
        b, a = before.get(name), after.get(name)
        if not _same(b, a):
            changes.append(Change("figure", name, b, a))
    was = [w["message"] for w in old["results"].get("warnings", [])]
    now = [w["message"] for w in new["results"].get("warnings", [])]
    was_key, now_key = {_unplaced(w) for w in was}, {_unplaced(w) for w in now}
    changes += [Change("warning", "", w, None) for w in was if _unplaced(w) not in now_key]
    changes += [Change("warning", "", None, w) for w in now if _unplaced(w) not in was_key]
    return changes


def added_figures(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Figures of the re-run a manifest of an earlier version never recorded (metrics added
    since it was written); none for a manifest of this version (:func:`compare` counts them)."""
    if old.get("carbon_version") == __version__:
        return []
    before = figures(old["results"])
    return [name for name in figures(new["results"]) if name not in before]


def version_note(old: dict[str, Any]) -> Msg | None:
    """A note when the manifest was written by another carbon version than this one."""
    if old.get("carbon_version") != __version__:
        return _("the manifest was written by carbon {old}; verified with carbon {new}",
                 old=old.get("carbon_version"), new=__version__)
    return None
