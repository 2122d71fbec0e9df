"""The one output writer: every file the tool writes goes through here.

Each output is written to a temporary file beside its target (same folder, so the final
rename is atomic on one file system) and renamed over the target only when it is complete
(and, where asked, re-checked); on any error the temporary file is removed, so no
half-written output is ever left.  No output may be one of the run's inputs — the data
table, the project file, a hierarchy file, or any other file the command read — whatever
the path says (``same.csv``, ``./same.csv``, a hard or symbolic link): such a path is
refused with one paragraph (:class:`OutputError`, exit code 2) before anything is written,
and the input stays byte for byte as it was.

The temporary file keeps the target's suffix (``.anonymized.k3j9.partial.xlsx``), so a
re-check that opens it by name (openpyxl refuses names that do not end in ``.xlsx``) reads it
as the format it will have.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import TableError

PathLike = str | os.PathLike
_LOG = logging.getLogger(__name__)


class OutputError(TableError):
    """An output cannot be written where asked (it is an input, its folder is missing, or the
    operating system refuses: read-only, no permission, disk full, name too long)."""


#: what to do, by the operating system's reason (errno names)
_ADVICE = {
    "EROFS": ("the file system is read-only", "choose an output on a writable disk"),
    "EACCES": ("permission denied", "choose a folder you may write to, or ask for write access"),
    "EPERM": ("the operation is not permitted (an immutable file or folder?)", "choose another folder"),
    "ENOSPC": ("the disk is full", "free some space or choose another disk"),
    "EDQUOT": ("the disk quota is exceeded", "free some space or choose another disk"),
    "ENAMETOOLONG": ("the file name is too long", "choose a shorter path"),
    "EEXIST": ("a file of that name appeared while writing", "run again, or choose another output"),
    "ENOTDIR": ("a part of the path is a file, not a folder", "choose an output inside a folder"),
    "EISDIR": ("the path is a folder", "give a file name inside it"),
}


def os_error(error: OSError, path: PathLike, what: str = "output") -> OutputError:
    """``error`` as one paragraph: the path, the reason in words, and what to do."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    reason, advice = _ADVICE.get(name, (error.strerror or str(error), "choose another output path"))
    code = f" ({name})" if name else ""
    return OutputError(f"Cannot write the {what} {path}: {reason}{code}. Nothing was written there; {advice}.")


def refuse_inputs(path: PathLike, inputs: Iterable[PathLike | None], *, what: str = "output") -> None:
    """Raise :class:`OutputError` when ``path`` is (the same file as) one of ``inputs``."""
    target = Path(path)
    for source in inputs:
        if source is not None and _same_file(target, Path(source)):
            same = "" if Path(source) == target else f" (the same file as the input {source})"
            raise OutputError(
                f"Refusing to write the {what} {target}{same}: it is an input of this run, and the tool never "
                f"writes over its input. Choose another output path.")


@contextmanager
def atomic_output(path: PathLike, *, inputs: Iterable[PathLike | None],
                  verify: Callable[[Path], None] | None = None) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` only if the ``with`` block completes.

    ``verify``, if given, is called with the complete temporary file's path before the
    rename; if it raises, nothing is written.  ``inputs``: the files of the run that the
    output must not replace (required, so that no caller forgets them).
    """
    path = Path(path)
    refuse_inputs(path, inputs)
    try:
        if not path.parent.is_dir():
            raise OutputError(f"Cannot write {path}: the folder {path.parent} does not exist. Create it first, "
                              f"or choose an output in an existing folder.")
        fd, temp = tempfile.mkstemp(prefix=f".{path.stem[:64]}.{os.getpid()}.", suffix=f".partial{path.suffix[:16]}",
                                    dir=path.parent)
    except OSError as error:
        raise os_error(error, path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(temp, 0o666 & ~umask())  # mkstemp makes 0600; give what open() would
        if verify is not None:
            verify(Path(temp))
        os.replace(temp, path)
    except OSError as error:  # (a full disk, a folder made read-only meanwhile, ...)
        Path(temp).unlink(missing_ok=True)
        raise os_error(error, path) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def staged_folder(folder: PathLike, *, inputs: Iterable[PathLike | None], last: str | None = None) -> Iterator[Path]:
    """A hidden folder inside ``folder`` (created if needed) to write a command's outputs into;
    when the ``with`` block completes, every file in it is moved into ``folder`` (each rename
    atomic; none over an input; the file named ``last``, e.g. the project file that names the
    others, moved last); on any failure nothing is left — the hidden folder removed, and
    ``folder`` too when this call made it.  Every output appears together or not at all.
    An operating-system error becomes one paragraph (:func:`os_error`)."""
    folder = Path(folder)
    inputs = list(inputs)
    created = not folder.exists()
    try:
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder} exists and is not a folder; choose another output folder with -o.")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise os_error(error, folder, "output folder") from None
    with _folder_lock(folder, created):
        yield from _staged(folder, inputs, last)


def _staged(folder: Path, inputs: list, last: str | None) -> Iterator[Path]:
    """The body of :func:`staged_folder`, the folder locked (a folder it made is removed
    with the lock when nothing was moved into it)."""
    import shutil

    try:
        staging = Path(tempfile.mkdtemp(prefix=f".eucaim-{os.getpid()}-", dir=folder))
    except OSError as error:
        raise os_error(error, folder, "output folder") from None
    try:
        yield staging
        files = sorted((p for p in staging.iterdir() if p.is_file()), key=lambda p: (p.name == last, p.name))
        for file in files:
            refuse_inputs(folder / file.name, inputs)
        mask = umask()
        for file in files:
            os.chmod(file, 0o666 & ~mask)  # temporary files are private (0600); outputs are not
            os.replace(file, folder / file.name)
    except OSError as error:
        _discard(staging, None)
        raise os_error(error, folder, "outputs into") from None
    except OutputError as error:  # (a file of the staging folder: named as the output it was to be)
        _discard(staging, None)
        raise OutputError(str(error).replace(str(staging), str(folder))) from None
    except BaseException:
        _discard(staging, None)
        raise
    shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def staged_files(targets: Sequence[PathLike], *, inputs: Iterable[PathLike | None]) -> Iterator[list[Path]]:
    """Temporary paths, one beside each of ``targets`` (in its folder, with its suffix), to
    write a command's outputs to when they go to different folders (else
    :func:`staged_folder`); when the ``with`` block completes each is renamed over its target,
    in order; on any failure every temporary file is removed and no target is touched.  Every
    output appears together or not at all; none over an input; an operating-system error
    becomes one paragraph (:func:`os_error`)."""
    paths = [Path(t) for t in targets]
    temps: list[Path] = []
    try:
        for path in paths:
            refuse_inputs(path, inputs)
            if not path.parent.is_dir():
                raise OutputError(f"Cannot write {path}: the folder {path.parent} does not exist. Create it first, "
                                  f"or choose an output in an existing folder.")
            fd, temp = tempfile.mkstemp(prefix=f".{path.stem[:64]}.{os.getpid()}.",
                                        suffix=f".partial{path.suffix[:16]}", dir=path.parent)
            os.close(fd)
            temps.append(Path(temp))
        yield temps
        mask = umask()
        for temp, path in zip(temps, paths):
            os.chmod(temp, 0o666 & ~mask)  # (mkstemp makes 0600)
            os.replace(temp, path)
    except OSError as error:
        _remove(temps)
        named = {str(temp): path for temp, path in zip(temps, paths)}
        raise os_error(error, named.get(str(error.filename), paths[min(len(temps), len(paths) - 1)])) from None
    except OutputError as error:  # (a writer's message names the temporary file: name the output)
        _remove(temps)
        text = str(error)
        for temp, path in zip(temps, paths):
            text = text.replace(str(temp), str(path))
        raise OutputError(text) from None
    except BaseException:
        _remove(temps)
        raise


#: the lock file of an output folder while a command writes into it (removed at the end;
#: a run killed with -9 leaves it, empty and unlocked: the next run takes it over)
LOCK_NAME = ".eucaim.lock"
_STALE = re.compile(r"^\.eucaim-(?:(\d+)-)?[a-z0-9_]+$|^\..*\.(\d+)\.[a-z0-9_]{8}\.partial")


@contextmanager
def _folder_lock(folder: Path, created: bool) -> Iterator[None]:
    """Hold ``folder`` for one run: a second run into it is refused while the first is alive
    (an advisory ``flock``, released by the system when a process dies, even by ``kill -9``;
    where there is no ``fcntl``, no lock); once held, the leftovers of runs that died while
    writing here are removed (:func:`remove_stale`)."""
    try:
        import fcntl
    except ImportError:  # (Windows)
        yield
        return
    path = folder / LOCK_NAME
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            _discard(None, folder if created else None)
            raise os_error(error, folder, "output folder") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise OutputError(
                f"Another eucaim-wizard run{f' (process {holder})' if holder.isdigit() else ''} is writing into "
                f"{folder}; nothing was written. Wait for it to end, or choose another output folder.") from None
        try:  # the run before may have removed the file as this one locked it: lock the new one
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError:  # (a full disk: the lock holds without the number)
            pass
        remove_stale(folder)
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)
        if created:  # (made for this run, and nothing was written: leave no empty folder)
            _discard(None, folder)


def remove_stale(folder: Path) -> list[str]:
    """Remove what runs that died while writing into ``folder`` left there: staging folders
    (``.eucaim-<process>-…``) and temporary files (``.<name>.<process>.….partial.<ext>``) of
    processes that no longer run; say so in the log (the command line prints it).  The
    caller holds the folder's lock.  Returns the names removed."""
    import shutil

    removed = []
    for entry in sorted(folder.iterdir()):
        match = _STALE.match(entry.name)
        if match is None:
            continue
        pid = match.group(1) or match.group(2)
        if pid is not None and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink(missing_ok=True)
        except OSError:  # (another user's, or a read-only folder: left, and not said removed)
            continue
        removed.append(entry.name)
    if removed:
        _LOG.warning("removed what an interrupted run left in %s: %s", folder, ", ".join(removed))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's process: it exists)
        return True
    return True


def _remove(files: list[Path]) -> None:
    for file in files:
        file.unlink(missing_ok=True)


def _discard(staging: Path | None, made: Path | None) -> None:
    import shutil

    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    if made is not None:
        try:
            made.rmdir()
        except OSError:
            pass


def write_bytes(path: PathLike, data: bytes, *, inputs: Iterable[PathLike | None]) -> None:
    """Write ``data`` to ``path`` atomically, never over an input."""
    with atomic_output(path, inputs=inputs) as out:
        out.write(data)


def write_text(path: PathLike, text: str, *, inputs: Iterable[PathLike | None]) -> None:
    """Write UTF-8 ``text`` (LF line ends as given) to ``path`` atomically, never over an input."""
    write_bytes(path, text.encode("utf-8"), inputs=inputs)


def write_json(data: Any, path: PathLike, *, inputs: Iterable[PathLike | None]) -> None:
    """Write ``data`` as indented UTF-8 JSON to ``path`` atomically, never over an input."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", inputs=inputs)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:  # an unreadable or looping path cannot be told apart: compare the text
        return os.path.abspath(a) == os.path.abspath(b)


def umask() -> int:
    """The process's file-creation mask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["OutputError", "atomic_output", "os_error", "refuse_inputs", "remove_stale", "staged_files", "staged_folder", "umask", "write_bytes",
           "write_json", "write_text"]
