"""``carbon verify MANIFEST``: re-run a manifest's computation and say what changed.

Exit codes: 0 everything matches; 1 something changed (each change named: which input file,
which factor set or factor, which figure and by how much); 2 an input is missing or the manifest
is not one.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from carbon.cli.common import EXIT_CHECK_FAILED, guarded, stdout
from carbon.cli.compute import calculate
from carbon.errors import InputError, Problem
from carbon.io.source import check_input, present
from carbon.manifest import added_figures, build, compare, load, version_note

#: At most this many changed figures are listed; the rest are counted.
MAX_FIGURES = 50


def verify(
    manifest: Path = typer.Argument(..., exists=True, dir_okay=False,
                                    help="A manifest written by carbon compute --manifest."),
) -> None:
    """Re-run the computation a manifest records; exit 1 naming every difference."""
    with guarded():
        old = load(manifest)
        base = manifest.resolve().parent
        opts = old["options"]
        given = opts.get("paths") or [opts["path"]]  # several inputs, or the one
        listed = [*(i["path"] for i in old["inputs"]), *given, *opts.get("factors", [])]
        missing = [p for p in dict.fromkeys(listed) if not present(base / p)]
        if missing:
            raise InputError([Problem(
                p, None, None, None, "missing_input", "",
                f"listed in {manifest.name} but not found (looked in {base.name}/{p})",
                "restore the file, or keep the manifest where it was written beside its inputs")
                for p in missing])
        unreadable = [found for found in (check_input(base / i["path"], i["path"])
                                          for i in old["inputs"]) if found is not None]
        if unreadable:
            raise InputError(unreadable)
        run = calculate(
            [base / p for p in given], [base / f for f in opts.get("factors", [])],
            opts.get("year") or None, opts.get("grid_level"))
        new = build(manifest, run.inventory.data.files, run.ledger_data.factor_sets,
                    run.ledger_data.factors, opts, run.figures)
        changes = compare(old, new)
        con = stdout()
        note = version_note(old)
        if note:
            con.print(Text(f"note: {note}"))
        added = added_figures(old, new)
        if added:
            con.print(Text(f"note: {len(added)} figures the manifest does not record (added "
                           f"since it was written) are not compared, e.g. {added[0]}"))
        if not changes:
            con.print(Text(f"verified: {len(new['inputs'])} input files, "
                           f"{len(new['factor_sets'])} factor sets and {len(new['factors'])} "
                           f"factors unchanged; every figure matches {manifest.name}"))
            return
        figures = [c for c in changes if c.kind == "figure"]
        shown = [c for c in changes if c.kind != "figure"] + figures[:MAX_FIGURES]
        con.print(Text(f"{len(changes)} difference{'s' if len(changes) != 1 else ''} from "
                       f"{manifest.name}:"))
        for c in shown:
            con.print(Text(f"  {c}"), soft_wrap=True)
        if len(figures) > MAX_FIGURES:
            con.print(Text(f"  … and {len(figures) - MAX_FIGURES} more figures"))
        raise typer.Exit(EXIT_CHECK_FAILED)
