"""Writing outputs: atomically, never over an input, with formula-like text neutralised."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from carbon.errors import CarbonError, UsageError
from carbon.i18n import Msg, _, tr

#: A cell starting with one of these is run as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would execute with an apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_START) else text


#: What an output holds: its bytes, or a function that writes them to an open binary file.
Content = bytes | Callable[[BinaryIO], None]


class OutputError(CarbonError):
    """An output could not be written (exit code 2): nothing of the run's outputs was."""

    def __init__(self, path: Path, reason: Msg, fix: Msg):
        self.path, self.reason, self.fix = path, reason, fix
        super().__init__(str(path))

    def __str__(self) -> str:
        return tr(_("{path}: {reason}; nothing was written. Fix: {fix}", path=self.path,
                    reason=self.reason, fix=self.fix))


def _kind(mode: int) -> Msg | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a pipe")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device (a terminal, /dev/stdout, /dev/null …)")
    return _("not a regular file")


#: Folders whose entries are devices or a process's open files, never a place for an output.
_SPECIAL = ("/dev/", "/proc/")


def check_targets(paths: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse, before anything is written, any output that would replace an input, another output
    of the same run, or anything that is not a regular file (a folder, a device, a pipe).

    Raises
    ------
    UsageError
        Naming the first output that is an input, that two outputs share, or that is no file.
    """
    given = {p.resolve() for p in inputs}
    seen: set[Path] = set()
    for path in paths:
        target = path.resolve()
        if target in given:
            raise UsageError(_("{path} is an input of this run; write the output to another "
                               "file", path=path))
        if target in seen:
            raise UsageError(_("{path} is named for two outputs of this run (--out, --errors, "
                               "--manifest, --charts); give each its own file", path=path))
        seen.add(target)
        if str(path.absolute()).startswith(_SPECIAL) or str(target).startswith(_SPECIAL):
            raise UsageError(_("{path} is a device or a process's file (/dev, /proc); carbon "
                               "writes its outputs only to files (leave out --out to print to "
                               "the console)", path=path))
        try:
            mode = os.stat(path).st_mode  # following links: /dev/stdout is the terminal or pipe
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UsageError(_("{path}: cannot be written ({reason}); nothing was written: "
                               "choose another file", path=path, reason=exc.strerror)) from None
        what = _kind(mode)
        if what is not None:
            raise UsageError(_("{path} is {what}; carbon writes its outputs only to files (leave "
                               "out --out to print to the console)", path=path, what=what))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _failure(path: Path, exc: OSError) -> OutputError:
    """What a failed write means for the person who asked for it."""
    folder = path.parent
    if exc.errno == errno.ENOSPC:
        return OutputError(path, _("no space left on the disk of {folder}", folder=folder),
                           _("free some space, or write to another disk"))
    if exc.errno == errno.EDQUOT:
        return OutputError(path, _("the disk quota of {folder} is used up", folder=folder),
                           _("free some space, or write to another disk"))
    if exc.errno == errno.EROFS:
        return OutputError(path, _("{folder} is on a read-only disk", folder=folder),
                           _("write to another folder"))
    if exc.errno in (errno.EACCES, errno.EPERM):
        return OutputError(path, _("carbon may not write in {folder} (permission denied)",
                                   folder=folder),
                           _("write to a folder of your own, or change the folder's permissions"))
    return OutputError(path, _("could not be written ({reason})", reason=exc.strerror or exc),
                       _("check the folder, or write to another one"))


class InterruptedRun(BaseException):
    """Base of the exception a stop signal raises (``carbon.cli.common.Interrupted``)."""

    written: list[Path] | None = None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then act on one that came meanwhile.

    Masking the signal in this thread is not enough: the process has other threads (Arrow's,
    the compressor's), the kernel may deliver the signal to one of them, and Python then runs its
    handler in the main thread at the next instruction, inside the block. So the handlers
    themselves are swapped for one that only records the signal; the usual handler runs when the
    block ends. (Outside the main thread, where handlers cannot be set, the block runs as is.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    old = {s: signal.signal(s, lambda signum, frame: came.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if came:
            signal.raise_signal(came[0])  # now handled as usual (KeyboardInterrupt, Interrupted)


def write_outputs(files: Sequence[tuple[Path, Content]], inputs: Iterable[Path] = ()) -> None:
    """Write a run's outputs all together, or none of them.

    Every destination is checked first (:func:`check_targets`); each output is then written in
    full to a temporary file beside its destination, and only when all are complete are they
    renamed into place, one rename each (a rename within a folder does not run out of space).
    On any failure, or an interruption (SIGINT, SIGTERM; see ``carbon.cli``), the temporaries
    and any folder made for them are removed and no destination is touched.

    Raises
    ------
    UsageError
        A destination is an input, shared, or not a regular file.
    OutputError
        A destination could not be written (no space, read-only, permission denied …).
    """
    check_targets([p for p, _ in files], inputs)
    staged: list[tuple[str, Path]] = []
    done: list[Path] = []
    made: list[Path] = []
    current = files[0][0] if files else Path()
    try:
        for path, content in files:
            current = path
            target = path.resolve()
            missing = [d for d in [target.parent, *target.parent.parents] if not d.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)
            with _signals_held():  # a stop between making the file and staging it would leak it
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                           dir=target.parent)
                staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                if callable(content):
                    content(fh)
                else:
                    fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with _signals_held():  # all renamed, or none: an interruption waits for the last one
            for tmp, target in staged:
                os.replace(tmp, target)
            done = [target for _, target in staged]
            staged.clear()
    except BaseException as exc:
        if not staged and isinstance(exc, KeyboardInterrupt | InterruptedRun):
            exc.written = done  # type: ignore[union-attr]  # interrupted after the set was in place
            raise
        for tmp, _target in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise _failure(current, exc) from None
        raise


def write_atomic(path: Path, data: Content, inputs: Iterable[Path] = ()) -> None:
    """Write one output through a temporary file and a rename (see :func:`write_outputs`)."""
    write_outputs([(path, data)], inputs)
