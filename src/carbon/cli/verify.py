"""``carbon verify MANIFEST``: re-run a manifest's computation and say what changed.

Exit codes: 0 everything matches; 1 something changed (each change named: which input file,
which factor set or factor, which figure and by how much); 2 an input is missing or the manifest
is not one.
"""

from __future__ import annotations

from pathlib import Path

import typer

from carbon.cli.common import EXIT_CHECK_FAILED, LANG_HELP, Lang, guarded, lang_option, stdout
from carbon.cli.compute import calculate
from carbon.errors import InputError, Problem
from carbon.i18n import _, tr

#: At most this many changed figures are listed; the rest are counted.
MAX_FIGURES = 50


def verify(
    manifest: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="MANIFEST",
                                    help="A manifest written by carbon compute --manifest."),
    lang: Lang = lang_option(LANG_HELP + " The re-run's warnings are compared in the language "
                             "the manifest recorded them in (English when it records none)."),
) -> None:
    """Re-run the computation a manifest records; exit 1 naming every difference."""
    from rich.text import Text

    from carbon.io.source import check_input, present
    from carbon.manifest import added_figures, build, compare, load, version_note

    with guarded(lang):
        old = load(manifest)
        base = manifest.resolve().parent
        opts = old["options"]
        given = opts.get("paths") or [opts["path"]]  # several inputs, or the one
        listed = [*(i["path"] for i in old["inputs"]), *given, *opts.get("factors", [])]
        missing = [p for p in dict.fromkeys(listed) if not present(base / p)]
        if missing:
            raise InputError([Problem(
                p, None, None, None, "missing_input", "",
                _("listed in {manifest} but not found (looked in {folder}/{path})",
                  manifest=manifest.name, folder=base.name, path=p),
                _("restore the file, or keep the manifest where it was written beside its "
                  "inputs")) for p in missing])
        unreadable = [found for found in (check_input(base / i["path"], i["path"])
                                          for i in old["inputs"]) if found is not None]
        if unreadable:
            raise InputError(unreadable)
        run = calculate(
            [base / p for p in given], [base / f for f in opts.get("factors", [])],
            opts.get("year") or None, opts.get("grid_level"))
        # the warnings in the words the manifest recorded them in (English when it names none)
        new = build(manifest, run.inventory.data.files, run.ledger_data.factor_sets,
                    run.ledger_data.factors, {**opts, "lang": opts.get("lang") or "en"},
                    run.figures)
        changes = compare(old, new)
        con = stdout()
        note = version_note(old)
        if note:
            con.print(Text(tr(_("note: {note}", note=note))))
        added = added_figures(old, new)
        if added:
            con.print(Text(tr(_("note: {n} figures the manifest does not record (added since it "
                                "was written) are not compared, e.g. {first}", n=len(added),
                                first=added[0]))))
        if not changes:
            con.print(Text(tr(_("verified: {inputs} input files, {sets} factor sets and "
                                "{factors} factors unchanged; every figure matches {manifest}",
                                inputs=len(new["inputs"]), sets=len(new["factor_sets"]),
                                factors=len(new["factors"]), manifest=manifest.name))))
            return
        figures = [c for c in changes if c.kind == "figure"]
        shown = [c for c in changes if c.kind != "figure"] + figures[:MAX_FIGURES]
        con.print(Text(tr(_("1 difference from {manifest}:", manifest=manifest.name)
                          if len(changes) == 1 else
                          _("{n} differences from {manifest}:", n=len(changes),
                            manifest=manifest.name))))
        for c in shown:
            con.print(Text(f"  {c}"), soft_wrap=True)
        if len(figures) > MAX_FIGURES:
            con.print(Text(tr(_("  … and {n} more figures", n=len(figures) - MAX_FIGURES))))
        raise typer.Exit(EXIT_CHECK_FAILED)
