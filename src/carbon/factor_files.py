"""A factor set's files as files: where the bundled sets are, what a set hashes to, and the
bundled sets listed from their files alone (``carbon factors list``).

No unit registry and no models here (tomllib, csv, hashlib only): listing the bundled sets starts
at once. :mod:`carbon.factors` checks a set row by row when a run loads it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

#: The files of a factor-set folder, in the order they are hashed.
FILES = ("metadata.toml", "factors.csv")


def bundled_dir() -> Path:
    """Where the bundled factor sets are: inside the installed package, or the source tree's top."""
    packaged = Path(str(resources.files("carbon"))) / "factors"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "factors"


def set_folders(folder: Path) -> list[Path]:
    """The factor-set folders ``folder`` holds: itself when it is a set (it has
    ``metadata.toml``), else its subfolders, by name (hidden ones left out)."""
    if (folder / FILES[0]).is_file():
        return [folder]
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def digest(meta: bytes, rows: bytes) -> str:
    """A set's sha256: each file's name and bytes, in :data:`FILES` order (the manifest records
    it; ``carbon verify`` compares it)."""
    h = hashlib.sha256()
    for name, data in zip(FILES, (meta, rows), strict=True):
        h.update(name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Listed:
    """A factor set as ``carbon factors list`` shows it."""

    id: str
    document: str
    issuer: str
    published: str
    rows: int
    sha256: str


def listed_bundled() -> list[Listed]:
    """The bundled sets, by folder name, read from their files (the bundled sets are checked in
    full by the tests and by every run that loads them)."""
    out = []
    for folder in set_folders(bundled_dir()):
        meta, rows = ((folder / name).read_bytes() for name in FILES)
        m = tomllib.loads(meta.decode("utf-8"))
        count = sum(1 for _ in csv.reader(io.StringIO(rows.decode("utf-8-sig")))) - 1
        out.append(Listed(m["id"], f"{m.get('document_number', '')} {m['title']}".strip(),
                          m["issuer"], m["published"], count, digest(meta, rows)))
    return out
