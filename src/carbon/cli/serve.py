"""``carbon serve --data DIR``: the collection web page for the branches (DESIGN.md, contract 6),
and ``carbon serve tokens create | list | revoke``: the links that let a branch (or the head
office) in.

The web stack (Starlette, Jinja2, uvicorn: the ``serve`` extra) is imported only when the server
starts, so that ``carbon --help`` and every other command do not pay for it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from carbon.cli.common import Group, Lang, guarded, lang_option
from carbon.errors import UsageError
from carbon.i18n import _, tr

app = typer.Typer(cls=Group, rich_markup_mode=None, add_completion=False,
                  help="Serve the collection web page: branches drop their workbooks, the head "
                  "office sees the status and the report.")
tokens = typer.Typer(cls=Group, rich_markup_mode=None, no_args_is_help=True, add_completion=False,
                     help="The links of the branches and the head office: create, list, "
                     "revoke.")
app.add_typer(tokens, name="tokens")

DATA_HELP = ("The data folder: carbon.sqlite3 (tokens, submissions), the submitted files, and "
             "the head office's inventory in DIR/inventory unless --inventory names it.")
INVENTORY_HELP = ("The head office's inventory (a folder of CSV files or a workbook); default "
                  "DIR/inventory (or DIR/inventory.xlsx).")
#: Where the head office's inventory is looked for in the data folder.
DEFAULT_INVENTORY = ("inventory", "inventory.xlsx")


def default_inventory(data: Path) -> Path | None:
    """The head office's inventory kept in the data folder, if there is one."""
    for name in DEFAULT_INVENTORY:
        if (data / name).exists():
            return data / name
    return None


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    data: Path = typer.Option(None, "--data", file_okay=False, help=DATA_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535,
                             help="Port to listen on (0: any free port)."),
    inventory: Path = typer.Option(None, "--inventory", exists=True, help=INVENTORY_HELP),
    year: int = typer.Option(None, "--year", "-y",
                             help="The year being collected: the status page's and the "
                             "branches' workbooks' default (default: as carbon status and "
                             "carbon template --for choose it)."),
    max_upload: float = typer.Option(20, "--max-upload", min=0.01,
                                     help="Largest upload accepted, in MiB."),
    workers: int = typer.Option(2, "--workers", min=1,
                                help="Workbooks read or reports computed at once."),
    root_path: str = typer.Option("", "--root-path",
                                  help="The path prefix the reverse proxy serves the page "
                                  "under (e.g. /carbon), when it strips it."),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                            help="Proxies whose X-Forwarded-For and "
                                            "X-Forwarded-Proto are trusted (comma-separated, "
                                            "or *)."),
    lang: Lang = lang_option("Language of the console's messages: en, zh-Hans, zh-Hant "
                             "(default: the locale, else en; the page follows each browser)."),
) -> None:
    """Serve the collection web page; prints ``listening on http://HOST:PORT`` when ready."""
    if ctx.invoked_subcommand is not None:
        return
    with guarded(lang):
        if data is None:
            raise UsageError(_("carbon serve needs --data DIR: the folder where it keeps the "
                               "submissions (created when missing)"))
        if root_path and (not root_path.startswith("/") or root_path.endswith("/")):
            raise UsageError(_("--root-path {path}: write the prefix with a leading slash and "
                               "none at the end, e.g. /carbon", path=root_path))
        try:
            from carbon.web.app import Config
            from carbon.web.app import serve as run
        except ImportError as exc:
            raise UsageError(_("carbon serve needs the web packages ({name} is missing): pip "
                               "install 'carbon[serve]'", name=exc.name)) from None
        import logging

        from carbon.web.store import Store

        store = Store(data)
        store.clear_tmp()
        hq = inventory or default_inventory(data)
        if hq is None:
            typer.echo(tr(_("note: no head office's inventory (looked for {path}; --inventory "
                            "names another): the page checks workbooks, but submitting and the "
                            "status wait for it", path=data / "inventory")), err=True)
        else:  # its problems now, not at the first submission
            from carbon.errors import InputError
            from carbon.web.collection import head_office_problems

            problems = head_office_problems(hq)
            if problems:
                raise InputError(problems)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        config = Config(store, hq, max_upload=int(max_upload * 2**20), workers=workers,
                        year=year)
        import signal

        from carbon.cli.common import Interrupted, collect_from_now

        collect_from_now()
        try:
            run(config, host, port, root_path=root_path, forwarded_allow_ips=forwarded_allow_ips,
                ready=lambda url: typer.echo(f"listening on {url}"))
        except (Interrupted, KeyboardInterrupt) as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            typer.echo(tr(_("stopped ({signal}); every submission received is stored in "
                            "{folder}", signal=signal.Signals(signum).name, folder=data)),
                       err=True)
            raise typer.Exit(128 + signum) from None


@tokens.command("create")
def create(
    data: Path = typer.Option(..., "--data", file_okay=False, help=DATA_HELP),
    site: str = typer.Option(None, "--for",
                             help="The branch's entity id: its link submits the rows of it and "
                             "the entities below it."),
    head_office: bool = typer.Option(False, "--head-office",
                                     help="A head-office link: the status of every branch, the "
                                     "report, and submitting for any entity."),
    name: str = typer.Option(None, "--name", help="Whose link it is (shown in the history); "
                             "default: the entity id, or 'head office'."),
    url: str = typer.Option("http://127.0.0.1:8000", "--url",
                            help="The page's address as the branches reach it (the proxy's, "
                            "with its prefix)."),
    inventory: Path = typer.Option(None, "--inventory", exists=True, help=INVENTORY_HELP),
    lang: Lang = lang_option(),
) -> None:
    """Create a link with a new token; prints it once (carbon keeps only a hash)."""
    with guarded(lang):
        if (site is None) == (not head_office):
            raise UsageError(_("say whose link it is: --for BR01 (a branch) or --head-office"))
        from carbon.web.store import Store

        hq = inventory or default_inventory(data)
        if site is not None and hq is not None:
            from carbon import api
            from carbon.errors import InputError
            from carbon.report.site_template import subtree_ids

            try:
                inv = api.read_inventory(hq, pending=True)
            except InputError:
                typer.echo(tr(_("note: {inventory} does not read as it is: {site} was not "
                                "checked against its entities (carbon check shows why)",
                                inventory=hq, site=site)), err=True)
            else:
                subtree_ids(inv.data, site)  # an unknown id: did you mean …
        store = Store(data)
        token, text = store.create_token("head_office" if head_office else "branch", site,
                                         name or site or "head office")
        who = _("the head office") if head_office else site
        typer.echo(tr(_("token {id} for {who} ({name}): the link, shown once (carbon keeps only "
                        "a hash of it):", id=token.id, who=who, name=token.name)))
        typer.echo(f"{url.rstrip('/')}/?token={text}")


@tokens.command("list")
def list_tokens(
    data: Path = typer.Option(..., "--data", file_okay=False, exists=True, help=DATA_HELP),
    lang: Lang = lang_option(),
) -> None:
    """Every token: id, whose, created, revoked."""
    with guarded(lang):
        from carbon.web.store import Store

        listed = Store(data).tokens()
        if not listed:
            typer.echo(tr(_("no tokens yet (carbon serve tokens create)")))
            return
        typer.echo(f"{'id':<13}{'for':<14}{'name':<24}{'created (UTC)':<22}revoked")
        for t in listed:
            whose = "head office" if t.head_office else str(t.entity_id)
            typer.echo(f"{t.id:<13}{whose:<14}{t.name:<24}{t.created_at:<22}"
                       f"{t.revoked_at or '-'}")


@tokens.command("revoke")
def revoke(
    token_id: str = typer.Argument(..., help="The token's id (carbon serve tokens list)."),
    data: Path = typer.Option(..., "--data", file_okay=False, exists=True, help=DATA_HELP),
    lang: Lang = lang_option(),
) -> None:
    """Revoke a token: its link stops working at once; its submissions stay."""
    with guarded(lang):
        from carbon.web.store import Store

        t = Store(data).revoke(token_id)
        typer.echo(tr(_("token {id} ({name}) revoked at {time}", id=t.id, name=t.name,
                        time=t.revoked_at)))
