"""The data folder of ``carbon serve``: SQLite for tokens and submissions, the submitted files beside
it, content-addressed. Standard library only (no web framework, no pandas).

Layout of ``--data DIR``::

    DIR/carbon.sqlite3        tokens (their hashes), submissions and their entities, the schema
                              version, the server's secret (signs the forms' CSRF tokens)
    DIR/files/ab/abcdef…      each submitted file once, named by its sha256, read-only
    DIR/tmp/                  uploads being read (emptied when the server starts)
    DIR/inventory/            the head office's inventory, unless ``--inventory`` names another

The schema is created and migrated by :class:`Store` (table ``schema_version``): each migration in
:data:`MIGRATIONS` runs once, in a transaction; a folder written by a newer carbon is refused.

Tokens are stored as the sha256 of their secret part only. A token reads ``<id>.<secret>``: the
id finds the row, the secret's hash is compared with :func:`hmac.compare_digest`.

A submission is a new version for its entities: ``scope`` names the entities its workbook lists
that no other listed entity is above (``BR01``), ``version`` counts the submissions of that scope,
and a submission supersedes every current one whose entities (``covered``: the listed ones and
everything below them in the head office's tree) are among its own. History is kept: nothing is
deleted, a superseded submission names the one that replaced it. Every change is one SQLite
transaction (``BEGIN IMMEDIATE``), so concurrent submissions of one branch get consecutive
versions and exactly one stays current.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from carbon.errors import CarbonError

DB_NAME = "carbon.sqlite3"
#: Each migration: (the version it brings the schema to, its statements). Append, never edit.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        """CREATE TABLE meta (
               key TEXT PRIMARY KEY,
               value TEXT NOT NULL)""",
        """CREATE TABLE tokens (
               id TEXT PRIMARY KEY,
               kind TEXT NOT NULL CHECK (kind IN ('branch', 'head_office')),
               entity_id TEXT,
               name TEXT NOT NULL,
               secret_sha256 TEXT NOT NULL,
               created_at TEXT NOT NULL,
               revoked_at TEXT,
               CHECK ((kind = 'branch') = (entity_id IS NOT NULL)))""",
        """CREATE TABLE submissions (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               created_at TEXT NOT NULL,
               token_id TEXT NOT NULL REFERENCES tokens(id),
               filename TEXT NOT NULL,
               sha256 TEXT NOT NULL,
               size INTEGER NOT NULL,
               scope TEXT NOT NULL,
               version INTEGER NOT NULL,
               superseded_by INTEGER REFERENCES submissions(id),
               rows_filled INTEGER NOT NULL,
               rows_pending INTEGER NOT NULL,
               UNIQUE (scope, version))""",
        """CREATE TABLE submission_entities (
               submission_id INTEGER NOT NULL REFERENCES submissions(id),
               entity_id TEXT NOT NULL,
               listed INTEGER NOT NULL,
               PRIMARY KEY (submission_id, entity_id))""",
        "CREATE INDEX submissions_current ON submissions (superseded_by)",
    )),
)
#: The schema this carbon writes (its last migration's); a folder with a higher one is refused.
SCHEMA_VERSION = MIGRATIONS[-1][0]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TOKEN = re.compile(r"^([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$")
Kind = Literal["branch", "head_office"]


class StoreError(CarbonError):
    """The data folder cannot be used (written by a newer carbon, not writable …), or a token
    asked for does not exist."""


def now() -> str:
    """The current time, UTC, to the second: ``2025-02-03T08:15:00Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Token:
    """A token's record (its secret is never stored: only its sha256)."""

    id: str
    kind: Kind
    entity_id: str | None
    name: str
    created_at: str
    revoked_at: str | None

    @property
    def head_office(self) -> bool:
        return self.kind == "head_office"


@dataclass(frozen=True)
class Submission:
    """One submitted file: who sent it and when, its sha256, the entities it holds, its version.

    ``entities``: every entity it covers (those listed and those below them); ``listed``: those
    its entities table lists; ``scope``: the listed ones no other listed one is above, joined by
    ``+``.
    """

    id: int
    created_at: str
    token_id: str
    submitted_by: str
    filename: str
    sha256: str
    size: int
    scope: str
    version: int
    superseded_by: int | None
    entities: tuple[str, ...]
    listed: tuple[str, ...]
    rows_filled: int = 0
    rows_pending: int = 0

    @property
    def current(self) -> bool:
        return self.superseded_by is None


class Store:
    """The data folder: opened (created and migrated when needed) by the constructor.

    Parameters
    ----------
    folder : Path
        ``--data DIR``. Created when missing.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files = folder / "files"
        self.tmp = folder / "tmp"
        try:
            for d in (folder, self.files, self.tmp):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"--data {folder}: cannot create the data folder ({exc.strerror})"
                             ) from None
        self.db = folder / DB_NAME
        self._migrate()

    # -- the database ----------------------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """A new connection (one per operation: connections are not shared between threads)."""
        conn = sqlite3.connect(self.db, timeout=60, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 60000")
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: taken at once (``BEGIN IMMEDIATE``), committed at the end of the
        block, rolled back when it raises."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read: one consistent snapshot of the database."""
        conn = self.connect()
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")
        finally:
            conn.close()

    def schema_version(self) -> int:
        with self.reading() as conn:
            return int(conn.execute("SELECT version FROM schema_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            conn = self.connect()
        except sqlite3.Error as exc:
            raise StoreError(f"--data {self.folder}: cannot open {DB_NAME} ({exc})") from None
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            have = int(row[0]) if row else 0
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            known = max(v for v, _ in MIGRATIONS)
            if have > known:
                conn.execute("ROLLBACK")
                raise StoreError(
                    f"--data {self.folder}: its database has schema version {have}, written by a "
                    f"newer carbon (this one knows up to {known}); upgrade carbon")
            for version, statements in MIGRATIONS:
                if version > have:
                    for sql in statements:
                        conn.execute(sql)
                    conn.execute("UPDATE schema_version SET version = ?", (version,))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise StoreError(f"--data {self.folder}: cannot use {DB_NAME} ({exc})") from None
        finally:
            conn.close()

    def secret(self) -> bytes:
        """The server's secret (32 random bytes, made once): the key of the forms' CSRF
        tokens."""
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)",
                         (secrets.token_hex(32),))
            value = conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0]
        return bytes.fromhex(value)

    # -- tokens ----------------------------------------------------------------------------------
    def create_token(self, kind: Kind, entity_id: str | None, name: str) -> tuple[Token, str]:
        """A new token: its record and its text (``<id>.<secret>``, shown once, never
        stored)."""
        if (kind == "branch") != (entity_id is not None):
            raise ValueError("a branch token names its entity; a head-office token none")
        secret = secrets.token_urlsafe(32)
        with self.transaction() as conn:
            while True:
                tid = secrets.token_hex(6)
                if conn.execute("SELECT 1 FROM tokens WHERE id = ?", (tid,)).fetchone() is None:
                    break
            created = now()
            conn.execute("INSERT INTO tokens (id, kind, entity_id, name, secret_sha256, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         (tid, kind, entity_id, name, _secret_hash(secret), created))
        return Token(tid, kind, entity_id, name, created, None), f"{tid}.{secret}"

    def tokens(self) -> list[Token]:
        """Every token, revoked ones too, oldest first."""
        with self.reading() as conn:
            rows = conn.execute("SELECT * FROM tokens ORDER BY created_at, id").fetchall()
        return [_token(r) for r in rows]

    def token(self, token_id: str) -> Token | None:
        with self.reading() as conn:
            row = conn.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone()
        return _token(row) if row else None

    def revoke(self, token_id: str) -> Token:
        """Revoke a token (its submissions stay). Revoking twice keeps the first time."""
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone()
            if row is None:
                raise StoreError(f"no token has the id {token_id!r} (carbon serve tokens list "
                                 "shows them)")
            if row["revoked_at"] is None:
                conn.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (now(), token_id))
            row = conn.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone()
        return _token(row)

    def authenticate(self, text: str) -> tuple[Token | None, str]:
        """The token ``text`` stands for: ``(token, "")`` when valid, else ``(None, why)`` with
        ``why`` one of ``malformed``, ``unknown``, ``revoked``. The secret is compared in
        constant time."""
        m = _TOKEN.match(text.strip())
        if m is None:
            return None, "malformed"
        with self.reading() as conn:
            row = conn.execute("SELECT * FROM tokens WHERE id = ?", (m.group(1),)).fetchone()
        stored = row["secret_sha256"] if row is not None else "0" * 64
        same = hmac.compare_digest(_secret_hash(m.group(2)), stored)
        if row is None or not same:
            return None, "unknown"
        if row["revoked_at"] is not None:
            return None, "revoked"
        return _token(row), ""

    # -- files -----------------------------------------------------------------------------------
    def upload_folder(self) -> Path:
        """A new private folder for one upload, under ``DIR/tmp`` (same file system as the
        files, so that a stored upload is renamed, not copied)."""
        return Path(tempfile.mkdtemp(prefix="upload-", dir=self.tmp))

    def clear_tmp(self) -> None:
        """Remove what interrupted uploads left (when the server starts)."""
        for p in self.tmp.iterdir():
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()

    def file_path(self, sha256: str) -> Path:
        """Where the file of this sha256 is kept."""
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.files / sha256[:2] / sha256

    def put_file(self, path: Path, sha256: str) -> Path:
        """Keep the file ``path`` (whose sha256 is ``sha256``) in the store: moved there
        atomically (written in full, flushed, then renamed into place), read-only. The same
        content twice is kept once."""
        target = self.file_path(sha256)
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            return target
        part = target.parent / f".{sha256}.{secrets.token_hex(4)}.part"
        try:
            shutil.copyfile(path, part)
            with part.open("rb") as fh:
                os.fsync(fh.fileno())
            if _sha256_file(part) != sha256:
                raise StoreError(f"the upload changed while it was stored ({path.name})")
            part.chmod(0o444)
            os.replace(part, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
        _fsync_dir(target.parent)
        return target

    # -- submissions -----------------------------------------------------------------------------
    def add_submission(self, token: Token, filename: str, sha256: str, size: int,
                       listed: Iterable[str], covered: Iterable[str], scope: str,
                       rows_filled: int = 0, rows_pending: int = 0) -> Submission:
        """Record a submission whose file is stored (:meth:`put_file`): its version is the next
        of its scope, and it supersedes every current submission whose entities are among its
        own — all in one transaction."""
        listed, covered = sorted(set(listed)), sorted(set(covered) | set(listed))
        self.file_path(sha256)  # a sha256, nothing else
        with self.transaction() as conn:
            version = int(conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM submissions "
                                       "WHERE scope = ?", (scope,)).fetchone()[0])
            cur = conn.execute(
                "INSERT INTO submissions (created_at, token_id, filename, sha256, size, scope, "
                "version, rows_filled, rows_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now(), token.id, filename, sha256, size, scope, version, rows_filled,
                 rows_pending))
            new = int(cur.lastrowid or 0)
            conn.executemany("INSERT INTO submission_entities (submission_id, entity_id, listed) "
                             "VALUES (?, ?, ?)",
                             [(new, e, int(e in set(listed))) for e in covered])
            mine = set(covered)
            for old in _current(conn):
                if old.id != new and set(old.entities) <= mine:
                    conn.execute("UPDATE submissions SET superseded_by = ? WHERE id = ?",
                                 (new, old.id))
            return _submissions(conn, "s.id = ?", (new,))[0]

    def current(self) -> list[Submission]:
        """The submissions not superseded, oldest first."""
        with self.reading() as conn:
            return _current(conn)

    def submissions(self) -> list[Submission]:
        """Every submission, newest first (the history)."""
        with self.reading() as conn:
            return list(reversed(_submissions(conn, "1", ())))

    def submission(self, submission_id: int) -> Submission | None:
        with self.reading() as conn:
            found = _submissions(conn, "s.id = ?", (submission_id,))
        return found[0] if found else None


def _token(row: sqlite3.Row) -> Token:
    return Token(row["id"], row["kind"], row["entity_id"], row["name"], row["created_at"],
                 row["revoked_at"])


def _submissions(conn: sqlite3.Connection, where: str, args: Sequence[object]
                 ) -> list[Submission]:
    rows = conn.execute(
        "SELECT s.*, t.name AS submitted_by FROM submissions s JOIN tokens t ON t.id = "
        f"s.token_id WHERE {where} ORDER BY s.id", tuple(args)).fetchall()
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    ents: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    marks = ",".join("?" * len(ids))
    for r in conn.execute("SELECT submission_id, entity_id, listed FROM submission_entities "
                          f"WHERE submission_id IN ({marks}) ORDER BY entity_id", ids):
        ents[r[0]].append((r[1], r[2]))
    return [Submission(r["id"], r["created_at"], r["token_id"], r["submitted_by"],
                       r["filename"], r["sha256"], r["size"], r["scope"], r["version"],
                       r["superseded_by"], tuple(e for e, _ in ents[r["id"]]),
                       tuple(e for e, listed in ents[r["id"]] if listed), r["rows_filled"],
                       r["rows_pending"])
            for r in rows]


def _current(conn: sqlite3.Connection) -> list[Submission]:
    return _submissions(conn, "s.superseded_by IS NULL", ())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
