"""Walking a folder tree, reading its files in worker processes (a bounded number of batches in
flight) and merging them into one row per series or study: :func:`extract`."""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from .. import guard
from ..tables import Table
from .model import _BATCH, _PARALLEL_FROM, LEVELS, Conflict, DicomError, Extraction, Progress, SkippedFile, resolve_tags
from .reading import _read_batch


# -- walking and merging ------------------------------------------------------------------
def walk(root: Path, errors: list[SkippedFile] | None = None) -> Iterator[Path]:
    """Every regular file under ``root``, in path order (component by component, like
    ``sorted()`` on Paths); symbolic links to folders are not followed.  Folders that cannot
    be listed go to ``errors``."""
    if root.is_file():
        yield root
        return
    stack = [iter(_listing(root, root, errors))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.append(iter(_listing(Path(entry.path), root, errors)))
            elif entry.is_file():
                yield Path(entry.path)
        except OSError:
            continue


def _listing(folder: Path, root: Path, errors: list[SkippedFile] | None) -> list:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as error:
        if errors is not None:
            errors.append(SkippedFile(_relative(folder, root), f"folder cannot be listed: {error.strerror}"))
        return []


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() if root.is_dir() else path.name
    except ValueError:
        return str(path)


def _batches(paths: Iterator[Path], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for path in paths:
        batch.append(str(path))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _results(batches: Iterator[list[str]], args: tuple, workers: int) -> Iterator[tuple[list[str], list]]:
    """``(paths, results)`` per batch, in order; with ``workers > 1`` read by processes, at most
    ``4 * workers`` batches in flight."""
    if workers <= 1:
        for batch in batches:
            yield batch, _read_batch(batch, *args)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Linux: fork, so that workers start at once with the modules loaded and a script calling
    # extract() needs no `if __name__ == "__main__"` guard; the pool forks all workers at its first
    # task, before any thread of ours (the progress bar's) exists.  Elsewhere fork is unsafe: spawn.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    try:
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_read_batch, batch, *args)))
            if len(pending) >= 4 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def extract(root: str | os.PathLike, *, level: str = "series", tags: Sequence[str] | None = None,
            workers: int | None = None, progress: Progress | None = None,
            profile: str | None = "eucaim") -> Extraction:
    """Read the DICOM headers under ``root`` into one row per series (or study).

    Parameters
    ----------
    root : path-like
        A folder (walked to any depth) or a single file.
    level : {"series", "study"}
        One row per SeriesInstanceUID (the EUCAIM ETL's table) or per StudyInstanceUID.
    tags : sequence of str, optional
        DICOM keywords, the columns in order (see :func:`resolve_tags`); default
        :data:`DEFAULT_TAGS`.
    workers : int, optional
        Processes reading files; default: one per CPU from 256 files on, else 1.
    progress : callable, optional
        Called as ``progress(files_done, files_total)``.
    profile : "eucaim" or None
        The de-identification profile the guard expects (see :mod:`eucaim_wizard.guard`).

    Returns
    -------
    Extraction
        Non-DICOM files are counted; damaged DICOM files are listed with a reason and never
        stop the run.  Its ``files_read`` is 0 when nothing could be read.

    Raises
    ------
    DicomError
        If ``root`` does not exist, or ``level`` / ``tags`` are invalid.
    """
    start = time.perf_counter()
    root = Path(root)
    if not root.exists():
        raise DicomError(f"{root}: no such folder (relative paths start from {Path.cwd()}); give the "
                         f"folder that holds the DICOM files.")
    columns = resolve_tags(tags, level)
    from pydicom.datadict import tag_for_keyword

    key = tag_for_keyword(LEVELS[level])
    tag_ids = [tag_for_keyword(name) for name in columns]
    total = sum(1 for _ in walk(root))
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= _PARALLEL_FROM else 1
    result = Extraction(Table.from_columns({}), root, level, columns)
    rows: dict[str, int] = {}
    table: list[list[str]] = []
    conflicted: dict[int, set[int]] = {}  # column -> rows whose files disagree
    checks = guard.HeaderChecks()
    done = 0
    batches = _batches(walk(root, result.skipped), _BATCH)
    for paths, outcomes in _results(batches, (tag_ids, key, profile), workers):
        for path, (status, reason, group, values, signs) in zip(paths, outcomes):
            result.files_seen += 1
            if status == "other":
                result.non_dicom += 1
                if len(result.non_dicom_examples) < 5:
                    result.non_dicom_examples.append(_relative(Path(path), root))
                continue
            if status == "skipped":
                result.skipped.append(SkippedFile(_relative(Path(path), root), reason))
                continue
            result.files_read += 1
            row = rows.get(group)
            if row is None:
                row = rows[group] = len(table)
                table.append(list(values))
            else:
                kept = table[row]
                for column, value in enumerate(values):
                    if value and not kept[column]:
                        kept[column] = value
                    elif value and value != kept[column]:
                        conflicted.setdefault(column, set()).add(row)
            checks.add(signs, row=row + 1, path=_relative(Path(path), root))
        done += len(paths)
        if progress is not None:
            progress(done, max(total, done))
    result.table = Table.from_columns({name: [r[i] for r in table] for i, name in enumerate(columns)})
    result.conflicts = [Conflict(columns[c], len(r), min(r) + 1) for c, r in sorted(conflicted.items())]
    result.findings = checks.findings() + guard.unmarked_identifiers(result.table, guard.DIRECT_IDENTIFIERS)
    result.seconds = time.perf_counter() - start
    return result
