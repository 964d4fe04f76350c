"""``carbon serve``: the collection web page for a branch network (DESIGN.md, contract 6).

A clerk drops the branch's workbook on the page and sees at once what is wrong and where (in the
page's language); the head office sees the submission matrix and downloads the consolidated
report. Orchestration only: every figure, problem and state comes from :mod:`carbon.api` and the
CLI's own functions.

- :mod:`carbon.web.store` — the data folder: SQLite (tokens, submissions) and the submitted
  files beside it, content-addressed (stdlib only);
- :mod:`carbon.web.collection` — what a page shows, computed with :mod:`carbon.api`: a workbook
  checked alone, a submission checked against the head office's inventory, the status and the
  report of the current submissions (no web framework);
- :mod:`carbon.web.words` — the page's words in zh-Hans, zh-Hant and en, and the language a
  request asks for;
- :mod:`carbon.web.app` — the Starlette application: routes, tokens, CSRF, upload limits.

Nothing here is imported by ``carbon`` or the other commands: the web stack (Starlette, Jinja2,
uvicorn, the ``serve`` extra) loads only when ``carbon serve`` runs.
"""
