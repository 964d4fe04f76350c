"""The ``carbon`` command: one typer app, one module per command group.

Exit codes (DESIGN.md, contract 4): 0 success; 1 a check failed; 2 the input or the command line
is wrong; 3 an internal error (one line, no traceback unless ``--debug``).
"""

from __future__ import annotations

import sys

import typer

from carbon.cli import compute, factors, restate, template, verify
from carbon.cli.common import state

app = typer.Typer(
    name="carbon",
    help="Energy and greenhouse-gas figures for ESG reports (GB/T 2589-2020, NDRC, MEE, GHG "
    "Protocol).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    state.debug = debug


app.command("compute")(compute.compute)
app.command("restate")(restate.restate)
app.add_typer(factors.app, name="factors")
app.command("template")(template.template)
app.command("verify")(verify.verify)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
