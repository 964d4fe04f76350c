"""The web application of ``carbon serve`` (DESIGN.md, contract 6): Starlette, Jinja2 templates
rendered on the server, a little vanilla JavaScript for the drop zone.

Routes (``token``: a branch's or the head office's, as ``Authorization: Bearer``, ``?token=`` or
the cookie a link sets):

======================  =========  ==========================================================
route                   who        what
======================  =========  ==========================================================
``GET /``               anyone     the upload page (a link with ``?token=`` sets the cookie)
``POST /check``         anyone     the problems, findings and coverage of one workbook alone;
                                   nothing stored (JSON: ``carbon check --format json``'s)
``POST /submit``        token      stored as a new version for its entities (201), or the
                                   problems that keep it out (422)
``GET /status``         token      the submission matrix (a branch sees its own subtree)
``GET /report``         head off.  KPI table, charts, warnings, downloads
``GET /report.xlsx``    head off.  the consolidated report workbook
``GET /report/run.json``  h. o.    its manifest; ``/report/inputs.zip`` with every input
``GET /template.xlsx``  token      a branch's workbook to fill in (``carbon template --for``)
``GET /healthz``        anyone     200 ``ok``
======================  =========  ==========================================================

Safety: Jinja autoescape on every template; uploads refused by ``Content-Length`` and while
streaming beyond ``max_upload``, then read by carbon's own reader and its limits; forms carry a
CSRF token (an HMAC of a per-browser cookie under the server's secret) unless the request names
its token itself (a header or ``?token=``, which a cross-site form cannot know) or is the JSON
``POST /check``; no part of a request names a file on disk (an upload is written under a
sanitised name into a folder the server made); reading and computing run in worker threads, at
most ``workers`` at once; any failure is a page without a traceback (logged on the server).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import shutil
import time
import traceback
import urllib.parse
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import anyio
import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carbon import __version__, vocab
from carbon.errors import CarbonError, InputError, Problem, UsageError, YearsWithoutData
from carbon.i18n import LANGS, using
from carbon.model import FIRST_YEAR, LAST_YEAR
from carbon.report.labels import MONTHS
from carbon.web import collection as coll
from carbon.web.store import Store, Token
from carbon.web.words import NAMES, Said, accepted, say, word

log = logging.getLogger("carbon.serve")
T = TypeVar("T")

#: Default largest upload. [bytes] A filled template of 30,000 rows is about 2 MiB.
MAX_UPLOAD = 20 * 1024 * 1024
#: Room for the multipart framing and the small fields around the file. [bytes]
FORM_OVERHEAD = 64 * 1024
#: An upload that sends nothing for this long is given up (408). [s]
UPLOAD_IDLE = 60.0
TOKEN_COOKIE, CSRF_COOKIE, LANG_COOKIE = "carbon_token", "carbon_csrf", "carbon_lang"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Month states of the status matrix: their mark (as ``carbon status`` prints them).
STATE_MARKS = {"filled": "✓", "estimated": "E", "partial": "P", "missing": "✗",
               "not_expected": "·"}
COVERAGE_MARKS = {"recorded": "✓", "estimated": "E", "partial": "½", "missing": "✗",
                  "not_expected": "–", "outside": ""}
_STATIC = {"carbon.css": "text/css; charset=utf-8", "carbon.js": "text/javascript; charset=utf-8"}


class TooLarge(Exception):
    """The request body went past the upload limit while it was read."""


class BadQuery(Exception):
    """A query parameter the page cannot use (``?year=20x5``): answered 400 with its value."""

    def __init__(self, key: str, value: str):
        super().__init__(key, value)
        self.key, self.value = key, value


@dataclass
class Config:
    """What the application serves: the data folder, the head office's inventory, limits."""

    store: Store
    inventory: Path | None
    max_upload: int = MAX_UPLOAD
    workers: int = 2
    year: int | None = None  # the year being collected (status and workbook default)
    collection: coll.Collection = field(init=False)

    def __post_init__(self) -> None:
        self.collection = coll.Collection(self.store, self.inventory)


@dataclass
class Auth:
    """Who a request is: its token (None: anyone), whether it named it itself (a header or the
    query, not the cookie), and why a token it carried was refused (``unknown``, ``revoked``,
    ``malformed``)."""

    token: Token | None = None
    explicit: bool = False
    refused: str = ""
    from_query: bool = False


# -- the application ------------------------------------------------------------------------------
def create_app(config: Config) -> Starlette:
    """The ASGI application."""
    web = Web(config)
    routes = [
        Route("/", web.index, methods=["GET"]),
        Route("/check", web.check, methods=["POST"]),
        Route("/submit", web.submit, methods=["POST"]),
        Route("/status", web.status, methods=["GET"]),
        Route("/report", web.report, methods=["GET"]),
        Route("/report.xlsx", web.report_xlsx, methods=["GET"]),
        Route("/report/run.json", web.report_manifest, methods=["GET"]),
        Route("/report/inputs.zip", web.report_inputs, methods=["GET"]),
        Route("/report/charts/{name}", web.report_chart, methods=["GET"]),
        Route("/template.xlsx", web.template, methods=["GET"]),
        Route("/healthz", web.healthz, methods=["GET", "HEAD"]),
        Route("/static/{name}", web.static, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={
        HTTPException: web.http_error, BadQuery: web.bad_query, Exception: web.internal_error})
    return SecurityHeaders(AccessLog(app))  # type: ignore[return-value]


class Web:
    """The routes, sharing the configuration, the templates and the worker limit."""

    def __init__(self, config: Config):
        self.config = config
        self.store = config.store
        self.secret = config.store.secret()
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("carbon.web", "templates"), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["num"] = _number
        self._limiters: weakref.WeakKeyDictionary[Any, anyio.CapacityLimiter] = \
            weakref.WeakKeyDictionary()
        self.static_files = {n: resources.files("carbon.web").joinpath("static", n).read_bytes()
                             for n in _STATIC}

    # -- helpers -------------------------------------------------------------------------------
    async def work(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` in a worker thread, at most ``workers`` at once (per event loop: the
        server has one)."""
        import asyncio

        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = anyio.CapacityLimiter(max(1, self.config.workers))
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=limiter)

    def lang(self, request: Request) -> str:
        """The page's language: ``?lang=``, else the switch's cookie, else
        ``Accept-Language``, else English."""
        for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
            if value in LANGS:
                return value
        return accepted(request.headers.get("accept-language")) or "en"

    def auth(self, request: Request) -> Auth:
        header = request.headers.get("authorization", "")
        text, explicit, query = "", False, False
        if header.lower().startswith("bearer "):
            text, explicit = header[7:].strip(), True
        elif "token" in request.query_params:
            text, explicit, query = request.query_params["token"], True, True
        else:
            text = request.cookies.get(TOKEN_COOKIE, "")
        if not text:
            return Auth()
        token, why = self.store.authenticate(text)
        return Auth(token, explicit, why, query)

    def csrf_value(self, cookie: str) -> str:
        return hmac.new(self.secret, b"csrf\0" + cookie.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, request: Request, field_value: str | None) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not field_value:
            return False
        return hmac.compare_digest(self.csrf_value(cookie), field_value)

    def render(self, request: Request, template: str, status: int = 200, **ctx: Any
               ) -> HTMLResponse:
        """A page in the request's language, with the CSRF cookie its forms need."""
        lang = ctx.pop("lang", None) or self.lang(request)
        auth = ctx.pop("auth", None) or self.auth(request)
        root = request.scope.get("root_path", "")
        cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)

        def url(path: str, **query: Any) -> str:
            q = {k: v for k, v in query.items() if v is not None}
            return root + path + (f"?{urllib.parse.urlencode(q)}" if q else "")

        def switch(to: str) -> str:
            q = {k: v for k, v in request.query_params.items() if k != "token"}
            q["lang"] = to
            page = request.url.path if request.method == "GET" else f"{root}/"
            return f"{page}?{urllib.parse.urlencode(q)}"

        html = self.env.get_template(template).render(
            lang=lang, w=partial(word, lang=lang), say=partial(say, lang=lang), url=url,
            switch=switch, langs=LANGS, lang_names=NAMES, months=MONTHS[lang],
            csrf=self.csrf_value(cookie), auth=auth, token=auth.token, version=__version__,
            source_label=lambda key: _source_label(key, lang), **ctx)
        response = HTMLResponse(html, status_code=status)
        self.cookie(request, response, CSRF_COOKIE, cookie)
        if request.query_params.get("lang") in LANGS:
            self.cookie(request, response, LANG_COOKIE, request.query_params["lang"])
        response.headers["cache-control"] = "no-store"
        return response

    def cookie(self, request: Request, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, max_age=400 * 86400, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https",
                            path=request.scope.get("root_path") or "/")

    def refuse(self, request: Request, status: int, key: str, **params: Any) -> Response:
        """An error as a page (or JSON ``{"error": code, "message"}``)."""
        if wants_json(request):
            return JSONResponse({"error": key, "message": word(key, "en", **params)},
                                status_code=status)
        return self.render(request, "error.html", status, message=word(key, self.lang(request),
                                                                       **params))

    def need_token(self, request: Request, auth: Auth, head_office: bool = False
                   ) -> Response | None:
        """A refusal when the request has no valid token (or not the head office's)."""
        if auth.refused:
            return self.refuse(request, 403 if auth.refused == "revoked" else 401,
                               "revoked_token" if auth.refused == "revoked" else "bad_token")
        if auth.token is None:
            return self.refuse(request, 401, "need_token")
        if head_office and not auth.token.head_office:
            return self.refuse(request, 403, "head_office_only")
        return None

    def need_inventory(self, request: Request) -> Response | None:
        if not self.config.collection.ready:
            return self.refuse(request, 503, "no_inventory")
        return None

    async def upload(self, request: Request, need_csrf: bool
                     ) -> tuple[Path, Path, str, int] | Response:
        """Receive the form's ``file`` into a new folder under ``DIR/tmp``: (folder, file,
        sha256, size), or the refusal (413 too large, 400 no file or a broken form, 403 no
        CSRF token)."""
        limit = self.config.max_upload
        mib = f"{limit / 2**20:g}"
        length = request.headers.get("content-length")
        if length is not None and not length.isdigit():
            return self.refuse(request, 400, "bad_form")
        if length is not None and int(length) > limit + FORM_OVERHEAD:
            return self.refuse(request, 413, "too_large", limit=mib)
        counted = Request(request.scope, _limited(request.receive, limit + FORM_OVERHEAD))
        try:
            form = await counted.form(max_files=1, max_fields=8, max_part_size=64 * 1024)
        except TooLarge:
            return self.refuse(request, 413, "too_large", limit=mib)
        except HTTPException:
            return self.refuse(request, 400, "bad_form")
        except TimeoutError:
            log.info("%s %s: the upload stalled; given up", request.method, request.url.path)
            return self.refuse(request, 408, "stalled", seconds=f"{UPLOAD_IDLE:g}")
        except ClientDisconnect:  # the browser went away: no one to answer, nothing failed
            log.info("%s %s: the client left during the upload", request.method,
                     request.url.path)
            return Response(status_code=400)
        try:
            if need_csrf and not self.csrf_ok(request, _text(form.get("csrf"))):
                return self.refuse(request, 403, "csrf")
            part = form.get("file")
            if not isinstance(part, UploadFile) or not part.filename:
                return self.refuse(request, 400, "no_file")
            folder = self.store.upload_folder()
            path = folder / coll.safe_name(part.filename)
            try:
                sha, size = await self.work(_save, part, path, limit)
            except TooLarge:
                shutil.rmtree(folder, ignore_errors=True)
                return self.refuse(request, 413, "too_large", limit=mib)
            return folder, path, sha, size
        finally:
            await form.close()

    # -- routes --------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        auth = self.auth(request)
        if auth.from_query and auth.token is not None and not wants_json(request):
            # a link: keep the token in a cookie and take it out of the address bar
            q = {k: v for k, v in request.query_params.items() if k != "token"}
            target = (request.scope.get("root_path", "") + "/"
                      + (f"?{urllib.parse.urlencode(q)}" if q else ""))
            response = RedirectResponse(target, status_code=303)
            self.cookie(request, response, TOKEN_COOKIE, request.query_params["token"])
            return response
        lang = self.lang(request)
        entity_name, year = "", self.config.year
        if auth.token is not None and auth.token.entity_id and self.config.collection.ready:
            entity_name, year = await self.work(self._branch, auth.token.entity_id)
        status = 401 if auth.refused else 200
        message = (word("revoked_token" if auth.refused == "revoked" else "bad_token", lang)
                   if auth.refused else "")
        return self.render(request, "index.html", status, lang=lang, auth=auth,
                           entity_name=entity_name, message=message,
                           max_mib=f"{self.config.max_upload / 2**20:g}",
                           template_year=year)

    def _branch(self, entity_id: str) -> tuple[str, int | None]:
        """A branch's name and the year of the workbook it would download."""
        try:
            inv = self.config.collection.collected()
        except CarbonError:
            return "", self.config.year
        ent = inv.data.entities
        hit = ent[ent["entity_id"].astype(str) == entity_id]
        return (str(hit["name"].iloc[0]) if len(hit) else "",
                self.config.year or _next_year(inv))

    async def check(self, request: Request) -> Response:
        json_api = wants_json(request)
        got = await self.upload(request, need_csrf=not json_api)
        if isinstance(got, Response):
            return got
        folder, path, _, _ = got
        lang = self.lang(request)
        try:
            checked = await self.work(_safely_checked, path, lang)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if json_api:
            return JSONResponse(checked.json)
        download = (base64.b64encode(coll.problems_xlsx(checked.problems or checked.findings))
                    .decode("ascii") if checked.problems or checked.findings else "")
        return self.render(request, "check.html", lang=lang, checked=checked,
                           download=download, xlsx=XLSX,
                           problems_name=f"{Path(checked.name).stem}.problems.xlsx",
                           coverage_marks=COVERAGE_MARKS)

    async def submit(self, request: Request) -> Response:
        auth = self.auth(request)
        refused = self.need_token(request, auth) or self.need_inventory(request)
        if refused is not None:
            return refused
        assert auth.token is not None
        got = await self.upload(request, need_csrf=not auth.explicit)
        if isinstance(got, Response):
            return got
        folder, path, sha, size = got
        try:
            prepared = await self.work(self._prepare, path, auth.token)
            if prepared.hq_broken and not auth.token.head_office:
                return self.refuse(request, 503, "hq_problems")
            if prepared.problems:
                return self._submitted(request, 422, path.name, prepared.problems)
            await self.work(self.store.put_file, path, sha)
            sub = await self.work(self.store.add_submission, auth.token, path.name, sha, size,
                                  prepared.listed, prepared.covered, prepared.scope,
                                  prepared.rows_filled, prepared.rows_pending)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        replaced = [s for s in await self.work(self.store.submissions)
                    if s.superseded_by == sub.id]
        log.info("submission %d: %s, %s version %d, token %s", sub.id, sub.filename, sub.scope,
                 sub.version, auth.token.id)
        if wants_json(request):
            return JSONResponse({"submission": _submission_json(sub),
                                 "superseded": [s.id for s in replaced]}, status_code=201)
        return self.render(request, "submitted.html", 201, auth=auth, submission=sub,
                           replaced=replaced)

    def _submitted(self, request: Request, status: int, name: str, problems: list[Problem]
                   ) -> Response:
        if wants_json(request):
            with using(self.lang(request)):
                doc = {"problems": [_problem_json(p) for p in problems]}
            return JSONResponse(doc, status_code=status)
        return self.render(request, "refused.html", status, name=name, problems=problems)

    def _prepare(self, path: Path, token: Token) -> coll.Prepared:
        hq = self.config.inventory
        assert hq is not None

        def overlapping(covered: list[str]) -> list[tuple[Any, Path]]:
            mine = set(covered)
            return [(s, self.store.file_path(s.sha256)) for s in self.store.current()
                    if set(s.entities) & mine and not set(s.entities) <= mine]

        try:
            return coll.prepare_submission(hq, path, token, overlapping)
        except Exception as exc:  # a reader's bug must not take the page down: logged
            log.error("reading %s failed:\n%s", path.name, traceback.format_exc())
            return coll.Prepared([_unreadable(path.name, exc)])

    async def status(self, request: Request) -> Response:
        auth = self.auth(request)
        refused = self.need_token(request, auth) or self.need_inventory(request)
        if refused is not None:
            return refused
        assert auth.token is not None
        years = _years(request.query_params.get("year")) or (
            [self.config.year] if self.config.year else None)
        try:
            view = await self.work(self.config.collection.status, years)
        except UsageError:  # no year asked for, none configured, no activity row to tell it
            return self.refuse(request, 422, "status_year")
        if view.problems and not auth.token.head_office:
            return self.refuse(request, 503, "hq_problems")  # the head office's to mend
        mine: set[str] | None = None
        if not auth.token.head_office:
            assert auth.token.entity_id is not None
            mine = ({auth.token.entity_id} if view.inventory is None
                    else set(coll.subtree(view.inventory, [auth.token.entity_id])))
        history = await self.work(self.store.submissions)
        if mine is not None:
            history = [s for s in history if set(s.entities) & mine]
        if wants_json(request):
            with using(self.lang(request)):
                doc = _status_json(view, mine, history)
            return JSONResponse(doc, status_code=422 if view.problems else 200)
        rows: list[dict[str, Any]] = []
        counts: list[tuple[str, dict[str, int]]] = []
        idle: list[dict[str, Any]] = []
        outstanding = 0
        if view.status is not None:
            table = view.status.table
            if mine is not None:
                table = table[table["entity_id"].astype(str).isin(mine)]
            rows = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
            outstanding = sum(1 for r in rows for m in view.status.data.months
                              if r[m] in ("missing", "partial"))
            files = dict.fromkeys(r["file"] for r in rows)
            by_file = view.status.by_file
            counts = [(str(f), {k: int(v) for k, v in by_file.loc[f].items()}) for f in files
                      if f in by_file.index]
            idle = [{str(k): v for k, v in r.items()}
                    for r in view.status.data.idle.to_dict("records")
                    if mine is None or str(r["entity_id"]) in mine]
        return self.render(request, "status.html", 422 if view.problems else 200, auth=auth,
                           view=view, rows=rows, counts=counts, idle=idle,
                           outstanding=outstanding, history=history,
                           current=[s for s in history if s.current], marks=STATE_MARKS,
                           month_keys=[f"m{m:02d}" for m in range(1, 13)])

    async def _report_view(self, request: Request) -> coll.ReportView | Response:
        auth = self.auth(request)
        refused = (self.need_token(request, auth, head_office=True)
                   or self.need_inventory(request))
        if refused is not None:
            return refused
        years = _years(request.query_params.get("year"))
        try:
            return await self.work(self.config.collection.report, years)
        except YearsWithoutData as exc:
            return self.refuse(request, 422, "no_such_year",
                               years=", ".join(map(str, exc.years)),
                               have=", ".join(map(str, exc.have)) or "—")

    async def report(self, request: Request) -> Response:
        view = await self._report_view(request)
        if isinstance(view, Response):
            return view
        lang = self.lang(request)
        if view.problems or view.run is None:
            return self.render(request, "report.html", 422, lang=lang, view=view, rows=[],
                               years=[], charts=[], warnings=[], query="")
        from carbon.report.rows import kpi_rows

        figures = view.run.figures
        rows = list(kpi_rows(figures, lang, detail=True))
        charts = sorted(n for n in await self.work(view.charts, lang) if n.endswith(".svg"))
        query = request.url.query
        return self.render(request, "report.html", lang=lang, view=view, rows=rows,
                           years=list(figures["years"]), charts=charts,
                           warnings=figures["warnings"], query=_keep(query, "year", "lang"))

    async def report_xlsx(self, request: Request) -> Response:
        view = await self._report_view(request)
        if isinstance(view, Response):
            return view
        if view.run is None:
            return self._submitted(request, 422, "report.xlsx", view.problems)
        data = await self.work(view.workbook, self.lang(request))
        return _download(data, XLSX, "report.xlsx")

    async def report_manifest(self, request: Request) -> Response:
        view = await self._report_view(request)
        if isinstance(view, Response):
            return view
        if view.run is None:
            return self._submitted(request, 422, coll.MANIFEST_NAME, view.problems)
        return _download(view.manifest, "application/json", coll.MANIFEST_NAME)

    async def report_inputs(self, request: Request) -> Response:
        view = await self._report_view(request)
        if isinstance(view, Response):
            return view
        if view.run is None:
            return self._submitted(request, 422, "inputs.zip", view.problems)
        return _download(await self.work(view.inputs_zip), "application/zip", "inputs.zip")

    async def report_chart(self, request: Request) -> Response:
        view = await self._report_view(request)
        if isinstance(view, Response):
            return view
        name = request.path_params["name"]
        if view.run is None:
            raise HTTPException(404)
        charts = await self.work(view.charts, self.lang(request))
        if name not in charts:  # a name the renderer made, never a path
            raise HTTPException(404)
        kind = "image/svg+xml" if name.endswith(".svg") else "image/png"
        return Response(charts[name], media_type=kind,
                        headers={"cache-control": "private, max-age=60"})

    async def template(self, request: Request) -> Response:
        auth = self.auth(request)
        refused = self.need_token(request, auth) or self.need_inventory(request)
        if refused is not None:
            return refused
        assert auth.token is not None
        site = auth.token.entity_id or request.query_params.get("for", "")
        if not site:
            return self.refuse(request, 400, "template_for")
        year = (_years(request.query_params.get("year")) or [self.config.year or 0])[0] or None
        lang = self.lang(request)
        try:
            name, data = await self.work(self._template, site, year, lang)
        except InputError:
            if not auth.token.head_office:
                return self.refuse(request, 503, "hq_problems")
            return self.refuse(request, 422, "template_failed", why=word("hq_problems", lang))
        except CarbonError as exc:
            return self.refuse(request, 422, "template_failed",
                               why=say(exc.args[0] if exc.args else str(exc), lang))
        return _download(data, XLSX, name)

    def _template(self, site: str, year: int | None, lang: str) -> tuple[str, bytes]:
        from carbon.report.site_template import build_site_template

        inv = self.config.collection.collected()
        year = year or _next_year(inv)
        if year is None:
            raise UsageError(Said("template_year"))
        return f"{site}-{year}.xlsx", build_site_template(inv.data, site, year, lang, inv.sets)

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.static_files:
            raise HTTPException(404)
        return Response(self.static_files[name], media_type=_STATIC[name],
                        headers={"cache-control": "public, max-age=3600"})

    # -- errors --------------------------------------------------------------------------------
    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return self.refuse(request, 404, "not_found")
        if exc.status_code == 405:
            response = self.refuse(request, 405, "method_not_allowed", method=request.method)
            response.headers.update(exc.headers or {})  # Allow: the methods it takes
            return response
        return self.refuse(request, exc.status_code, "bad_form")

    async def bad_query(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadQuery)
        return self.refuse(request, 400, "bad_year", value=exc.value)

    async def internal_error(self, request: Request, exc: Exception) -> Response:
        log.error("%s %s failed:\n%s", request.method, request.url.path,
                  "".join(traceback.format_exception(exc)))
        try:
            return self.refuse(request, 500, "internal")
        except Exception:  # the page itself failed: plain words, still no traceback
            return PlainTextResponse("internal error\n", status_code=500)


# -- helpers ------------------------------------------------------------------------------------------
def wants_json(request: Request) -> bool:
    """Whether the request asks for JSON (``Accept: application/json``) rather than a page."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`TooLarge` once the body passes ``limit`` bytes, and
    ``TimeoutError`` when nothing arrives for :data:`UPLOAD_IDLE` seconds."""
    seen = 0

    async def inner() -> Message:
        nonlocal seen
        with anyio.fail_after(UPLOAD_IDLE):  # TimeoutError: nothing came for that long
            message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge
        return message

    return inner


def _save(part: UploadFile, path: Path, limit: int) -> tuple[str, int]:
    """Copy an uploaded part to ``path``: its sha256 and size (:class:`TooLarge` past
    ``limit``)."""
    digest = hashlib.sha256()
    size = 0
    part.file.seek(0)
    with path.open("xb") as out:
        for block in iter(lambda: part.file.read(1 << 20), b""):
            size += len(block)
            if size > limit:
                raise TooLarge
            digest.update(block)
            out.write(block)
    return digest.hexdigest(), size


def _unreadable(name: str, exc: BaseException) -> Problem:
    return Problem(name, None, None, None, "unreadable", "",
                   Said("unreadable", what=type(exc).__name__), Said("unreadable_fix"))


def _safely_checked(path: Path, lang: str) -> coll.Checked:
    """:func:`carbon.web.collection.check_workbook`, its JSON in ``lang``; a reader's failure
    a problem (logged)."""
    try:
        return coll.check_workbook(path, lang)
    except Exception as exc:
        log.error("checking %s failed:\n%s", path.name, traceback.format_exc())
        listed = [_unreadable(path.name, exc)]
        with using(lang):
            return coll.Checked(path.name, listed, json={
                "problems": [_problem_json(p) for p in listed], "warnings": [],
                "coverage": None})


def _problem_json(p: Problem) -> dict[str, Any]:
    """A problem as JSON, in the current language (:func:`carbon.i18n.using`): the engine's
    messages and the page's own."""
    from carbon.i18n import language
    from carbon.report.findings import problem_dict

    doc = problem_dict(p) | {"message": say(p.message, language()), "fix": say(p.fix, language())}
    return {k: (str(v) if isinstance(v, str) else v) for k, v in doc.items()}


def _submission_json(s: Any) -> dict[str, Any]:
    return {"id": s.id, "created_at": s.created_at, "submitted_by": s.submitted_by,
            "token_id": s.token_id, "filename": s.filename, "sha256": s.sha256,
            "size": s.size, "scope": s.scope, "version": s.version,
            "superseded_by": s.superseded_by, "entities": list(s.entities),
            "listed": list(s.listed), "rows_filled": s.rows_filled,
            "rows_pending": s.rows_pending}


def _status_json(view: coll.StatusView, mine: set[str] | None, history: list[Any]
                 ) -> dict[str, Any]:
    """``carbon status --format json``'s document (a branch's: its subtree's rows), with the
    submissions."""
    import json

    from carbon.report.status import to_json

    doc: dict[str, Any] = {"problems": [_problem_json(p) for p in view.problems]}
    if view.status is not None:
        doc |= json.loads(to_json(view.status.data))
        if mine is not None:
            doc["status"] = [r for r in doc["status"] if r["entity_id"] in mine]
            doc["idle"] = [r for r in doc["idle"] if r["entity_id"] in mine]
            doc["outstanding"] = sum(m in ("missing", "partial") for r in doc["status"]
                                     for m in r["months"])
            files = {r["file"] for r in doc["status"]}
            doc["by_file"] = {f: c for f, c in doc["by_file"].items() if f in files}
    doc["submissions"] = [_submission_json(s) for s in history]
    return doc


def _years(text: str | None) -> list[int] | None:
    """``?year=2024`` or ``2023,2024``: the years (None when not given).

    Raises
    ------
    BadQuery
        A part that is not a year from 1900 to 2200 (never taken as no year at all: the page
        would show another year's figures).
    """
    if not text:
        return None
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit() and len(part) == 4
                and FIRST_YEAR <= int(part) <= LAST_YEAR):
            raise BadQuery("year", part[:40])
        out.append(int(part))
    return out or None


def _keep(query: str, *names: str) -> str:
    q = [(k, v) for k, v in urllib.parse.parse_qsl(query) if k in names]
    return urllib.parse.urlencode(q)


def _download(data: bytes, media_type: str, name: str) -> Response:
    quoted = urllib.parse.quote(name)
    return Response(data, media_type=media_type, headers={
        "content-disposition": f"attachment; filename=\"{quoted}\"; filename*=UTF-8''{quoted}",
        "cache-control": "no-store"})


def _next_year(inv: Any) -> int | None:
    """The year after the latest with activity rows (``carbon template --for``'s default)."""
    from carbon.review import data_years

    have = data_years(inv.data)
    return have[-1] + 1 if have else None


def _number(value: Any, decimals: int = 0) -> str:
    """A figure for the page: thousands grouped, ``decimals`` places; blank where none."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, int | float):
        return f"{value:,.{decimals}f}"
    return str(value)


def _source_label(key: str, lang: str) -> str:
    found = vocab.sources().get(key)
    return found.label(lang) if found is not None else key


# -- middleware -----------------------------------------------------------------------------------
class SecurityHeaders:
    """Headers every response carries: no framing, no sniffing, no referrer (a link's token
    stays out of other sites' logs), scripts and styles from this server only."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"content-security-policy",
         b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
         b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


class AccessLog:
    """One line per request — method, path (never the query: it may hold a token), status,
    time — instead of uvicorn's access log."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-", 0)
            log.info("%s %s %s %d %.0f ms", client[0], scope["method"], scope["path"],
                     status[0], (time.perf_counter() - start) * 1000)


# -- running ----------------------------------------------------------------------------------------
def serve(config: Config, host: str, port: int, *, root_path: str = "",
          forwarded_allow_ips: str = "127.0.0.1",
          ready: Callable[[str], None] | None = None) -> None:
    """Serve until stopped (SIGINT or SIGTERM: the requests under way are finished first);
    ``ready("http://HOST:PORT")`` once it listens."""
    import uvicorn

    app = create_app(config)
    uv = uvicorn.Config(app, host=host, port=port, root_path=root_path, access_log=False,
                        proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
                        log_level="warning", lifespan="off", server_header=False,
                        timeout_keep_alive=5)
    _server(uv, ready).run()


def _server(config: Any, ready: Callable[[str], None] | None) -> Any:
    """uvicorn's server, saying when it listens (with the port it really got)."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if ready is not None and self.started:
                sock = self.servers[0].sockets[0] if self.servers else None
                host, port = (sock.getsockname()[:2] if sock is not None
                              else (config.host, config.port))
                shown = f"[{host}]" if ":" in str(host) else host
                ready(f"http://{shown}:{port}")

    return Server(config)
