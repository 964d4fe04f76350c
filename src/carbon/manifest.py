"""The manifest of a run, and what changed since: ``carbon compute --manifest`` / ``carbon verify``.

A manifest records everything an auditor needs to re-perform a run: the input files (paths
relative to the manifest, each with its sha256), the factor sets (id, sha256) and every factor
used (value, unit, reference), carbon's version, every option, and the results (the JSON
contract dict). Same inputs, factor sets, options and version give a byte-identical manifest.

:func:`compare` lists what differs between a manifest and a re-run: inputs and factor sets by
hash, factors by value, figures by value (within :data:`REL_TOL`, the rounding two platforms'
floating-point libraries may differ by).
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
from typing import Any

from carbon import __version__
from carbon.errors import UsageError
from carbon.factors import Factor
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
        Every option of the command, paths already relative (see :func:`relative`).
    result : dict
        The ``summarize()`` result (the JSON output).
    """
    base = manifest_path.resolve().parent
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


def load(path: Path) -> dict[str, Any]:
    """Read a manifest.

    Raises
    ------
    UsageError
        When the file is not a carbon manifest.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a readable manifest ({exc}); pass the file written by "
                         "carbon compute --manifest") from None
    keys = {"manifest_version", "inputs", "factor_sets", "options", "results"}
    if not isinstance(data, dict) or not keys <= set(data):
        raise UsageError(f"{path}: not a carbon manifest (it lacks "
                         f"{', '.join(sorted(keys - set(data or {})))}); pass the file written by "
                         "carbon compute --manifest")
    if data["manifest_version"] != MANIFEST_VERSION:
        raise UsageError(f"{path}: manifest version {data['manifest_version']}; this carbon "
                         f"reads version {MANIFEST_VERSION}")
    return data


@dataclass(frozen=True)
class Change:
    """One difference between a manifest and its re-run."""

    kind: str  # input, factor_set, factor, figure, warning
    what: str
    before: Any
    after: Any

    def __str__(self) -> str:
        b, a = self.before, self.after
        if self.kind in ("input", "factor_set"):
            if b is None:
                return f"{self.kind.replace('_', ' ')} {self.what}: new (not in the manifest)"
            if a is None:
                return f"{self.kind.replace('_', ' ')} {self.what}: no longer used"
            return f"{self.kind.replace('_', ' ')} {self.what}: changed (sha256 {b[:12]}… → {a[:12]}…)"
        if self.kind == "factor":
            if b is None or a is None:
                return f"factor {self.what}: {'new' if b is None else 'no longer used'}"
            return f"factor {self.what}: {_factor_text(b)} → {_factor_text(a)}"
        if self.kind == "warning":
            return f"warning {'added' if b is None else 'gone'}: {a if b is None else b}"
        if _is_number(b) and _is_number(a):
            delta = a - b
            pct = f", {delta / b * 100:+.4g}%" if b else ""
            return f"{self.what}: {b:,.10g} → {a:,.10g} ({delta:+,.6g}{pct})"
        return f"{self.what}: {b!r} → {a!r}"


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


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """Every figure of a results dict by a readable name (``years.2024.scope1_tco2e``,
    ``by_entity[JSB 2024].energy_kwh``)."""
    out = dict(_leaves({"gwp": results.get("gwp"), "years": results.get("years", {})}, ""))
    for e in results.get("by_entity", []):
        rest = {k: v for k, v in e.items() if k not in ("entity_id", "year")}
        out.update(_leaves(rest, f"by_entity[{e['entity_id']} {e['year']}]"))
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
    before, after = figures(old["results"]), figures(new["results"])
    for name in [*before, *(k for k in after if k not in before)]:
        b, a = before.get(name), after.get(name)
        if not _same(b, a):
            changes.append(Change("figure", name, b, a))
    was = [w["message"] for w in old["results"].get("warnings", [])]
    now = [w["message"] for w in new["results"].get("warnings", [])]
    was_key, now_key = {_unplaced(w) for w in was}, {_unplaced(w) for w in now}
    changes += [Change("warning", "", w, None) for w in was if _unplaced(w) not in now_key]
    changes += [Change("warning", "", None, w) for w in now if _unplaced(w) not in was_key]
    return changes


def version_note(old: dict[str, Any]) -> str | None:
    """A note when the manifest was written by another carbon version than this one."""
    if old.get("carbon_version") != __version__:
        return (f"the manifest was written by carbon {old.get('carbon_version')}; verified with "
                f"carbon {__version__}")
    return None
