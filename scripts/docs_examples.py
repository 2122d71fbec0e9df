#!/usr/bin/env python3
"""Check (or refresh) the command outputs shown in docs/*.md against real runs.

    python scripts/docs_examples.py            # --check: exit 1 with a diff per stale example
    python scripts/docs_examples.py --update   # rewrite the stale blocks in place
    python scripts/docs_examples.py --list     # the marked examples
    python scripts/docs_examples.py docs/risk.md --update   # only some pages

tests/test_docs.py runs the same checks, one test per example.

The convention (in the Markdown source; the comments do not show on the rendered page)
-------------------------------------------------------------------------------------
An HTML comment line right before a plain ``` block marks that block as the stdout of a
command:

    <!-- output of: eucaim-wizard anonymize examples/demo/project.yaml -o $TMP/demo -->
    ```
    anonymous: PatientSex=0, PatientAge=4, ...
    ```

- The command must start with `eucaim-wizard`; it is split as a shell would split it (no
  pipes, no redirections) and run as `python -m eucaim_wizard ...` with the interpreter
  running this script, from the repository root, with COLUMNS=100 and UTF-8 output. It must
  exit with code 0, be deterministic, take a few seconds and use only examples/ (no network).
- `$TMP` is a temporary folder, one per page, shared by the page's commands that name it,
  run in page order (so `check --data $TMP/imaging/anonymized.csv` may follow `anonymize
  ... -o $TMP/imaging`). It is shown as `out` in the block: `wrote out/demo/result.json`.
  Any other command must write nothing; it may run at any time.
- `<!-- run: eucaim-wizard ... -->` runs a command at that point of the page (in the same
  order as the commands that name `$TMP`) without showing its output: a step a later
  example needs, e.g. the `anonymize` before an `apply`.
- If the block's first line starts with `$ `, it shows the command: it must read `$ ` and
  the marked command with `$TMP` written as `out` (--update writes it so).
- A line holding only `…` (or `...`) stands for any number of omitted lines (an excerpt);
  the other lines must appear in that order, each run of them consecutive. Without such a
  line the block is the whole output. A new marked example may start with an empty block:
  --update fills it in.

The real output is written as the pages show it: the temporary folder's absolute path as
`out`, the repository's as `/tmp/study` (the folder the examples on these pages were run
from). Then both sides are normalised line by line (trailing spaces dropped), so that what
varies from run to run never makes an example stale:

- a duration, `0.04 s`, `1.2 seconds`, `350 ms`, compares as `<duration>`;
- a timestamp, `2024-05-14T10:15:23` or `2024-05-14 10:15`, compares as `<timestamp>`
  (a date alone is left alone: it is data, such as a StudyDate).

--update rewrites only the blocks that fail the check (a block that matches after
normalisation keeps its text, timings included). In an excerpt each run of lines is
replaced by the lines of the real output that difflib aligns with it, and the `…` lines
stay: read the diff (`git diff docs/`) and the prose around each block before committing.
Files are written atomically (a temporary file beside the page, then a rename).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PROGRAM = "eucaim-wizard"
TMP_PLACEHOLDER = "$TMP"
TMP_SHOWN = "out"
REPO_SHOWN = "/tmp/study"
COLUMNS = "100"
TIMEOUT = 300  # seconds per command; a hung command fails its example instead of the run
GAP_LINES = ("…", "...")
REFRESH = "python scripts/docs_examples.py --update"

MARKER = re.compile(r"^<!-- (output of|run): (.+?) -->\s*$")
FENCE = re.compile(r"^```")
PLAIN_FENCE = re.compile(r"^```(text|console)?\s*$")

# What varies from run to run, and what it compares as.
VOLATILE = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
     "<timestamp>"),
    (re.compile(r"\b\d+(?:\.\d+)? ?(?:ms|s|seconds?)\b"), "<duration>"),
]


class DocsExampleError(Exception):
    """A marker that does not follow the convention (the message names the file and line)."""


@dataclass
class Example:
    doc: Path
    line: int          # 1-based line of the marker
    kind: str          # "output" or "run"
    command: str       # as marked, with $TMP
    start: int = 0     # 0-based index of the block's first line (after the opening fence)
    end: int = 0       # 0-based index of the closing fence
    block: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.doc.name}:{self.line}"

    @property
    def shown_command(self) -> str:
        return self.command.replace(TMP_PLACEHOLDER, TMP_SHOWN)


@dataclass
class Outcome:
    example: Example
    stdout: list[str] | None = None    # shown form (paths substituted), None if it did not run
    error: str | None = None           # why it did not run
    seconds: float = 0.0
    proposed: list[str] | None = None  # the block --update would write (None: up to date)

    @property
    def ok(self) -> bool:
        return self.error is None and self.proposed is None

    def diff(self) -> str:
        ex = self.example
        if self.error is not None:
            return f"{ex.id}: {ex.command}\n{self.error}"
        lines = difflib.unified_diff(ex.block, self.proposed or [], f"{ex.id} (shown)",
                                     f"{ex.id} (real output)", lineterm="")
        return f"{ex.id}: {ex.command}\n" + "\n".join(lines)


# ---------------------------------------------------------------- finding the examples

def parse(doc: Path, text: str | None = None) -> list[Example]:
    """The marked examples of one page, in page order."""
    lines = (doc.read_text(encoding="utf-8") if text is None else text).splitlines()
    examples: list[Example] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := MARKER.match(line)):
            kind = "output" if m.group(1) == "output of" else "run"
            command = m.group(2).strip()
            where = f"{doc.name}:{i + 1}"
            try:
                words = shlex.split(command)
            except ValueError as exc:
                raise DocsExampleError(f"{where}: cannot split the command {command!r}: {exc}")
            if not words or words[0] != PROGRAM:
                raise DocsExampleError(f"{where}: the marked command must start with `{PROGRAM}`: {command!r}")
            ex = Example(doc, i + 1, kind, command)
            if kind == "output":
                if i + 1 >= len(lines) or not PLAIN_FENCE.match(lines[i + 1]):
                    raise DocsExampleError(
                        f"{where}: `<!-- output of: ... -->` must be followed at once by a plain ``` block")
                close = next((j for j in range(i + 2, len(lines)) if FENCE.match(lines[j])), None)
                if close is None:
                    raise DocsExampleError(f"{where}: the ``` block after the marker is never closed")
                ex.start, ex.end, ex.block = i + 2, close, lines[i + 2:close]
                i = close  # the closing fence: the block is done
            examples.append(ex)
        i += 1
    return examples


def find_examples(paths: list[Path] | None = None) -> list[Example]:
    """Every marked example (and `run` step) of docs/*.md, or of the pages given."""
    pages = sorted(paths) if paths else sorted(DOCS.glob("*.md"))
    return [ex for page in pages for ex in parse(Path(page).resolve())]


# ---------------------------------------------------------------- running them

def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE",
                        "LINES", "JUPYTER_COLUMNS")}
    env.update(COLUMNS=COLUMNS, NO_COLOR="1", PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
    return env


def shown(text: str, tmp: Path) -> str:
    """Real output as a page shows it: the temporary folder as `out`, the repository as /tmp/study."""
    for path, name in ((tmp, TMP_SHOWN), (REPO, REPO_SHOWN)):
        for spelling in sorted({str(path), os.path.realpath(path)}, key=len, reverse=True):
            text = text.replace(spelling, name)
    return text


def run_command(command: str, tmp: Path) -> tuple[list[str] | None, str | None, float]:
    words = [w.replace(TMP_PLACEHOLDER, str(tmp)) for w in shlex.split(command)]
    argv = [sys.executable, "-m", "eucaim_wizard", *words[1:]]
    began = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=REPO, env=environment(), capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT} s", time.perf_counter() - began
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        detail = shown((proc.stderr or proc.stdout).strip(), tmp)
        return None, f"exit code {proc.returncode}:\n{detail}", seconds
    return shown(proc.stdout, tmp).splitlines(), None, seconds


def run_in_order(examples: list[Example]) -> list[Outcome]:
    """Run examples one after the other, in one temporary folder."""
    outcomes: list[Outcome] = []
    failed_step: str | None = None
    with tempfile.TemporaryDirectory(prefix="docs-examples-") as name:
        tmp = Path(name)
        for ex in examples:
            if failed_step is not None:
                outcomes.append(Outcome(ex, error=f"not run: the earlier step {failed_step}"))
                continue
            stdout, error, seconds = run_command(ex.command, tmp)
            outcome = Outcome(ex, stdout, error, seconds)
            if error is not None and ex.kind == "run":
                failed_step = f"{ex.id} (`{ex.command}`): {error}"
            if error is None and ex.kind == "output":
                outcome.proposed = propose(ex, stdout)
            outcomes.append(outcome)
    return outcomes


def run_examples(examples: list[Example], jobs: int = 2) -> dict[str, Outcome]:
    """Run the examples, each once; the outcome per id. A page's `run` steps and the
    examples that name $TMP run in page order in one folder; every other example runs on
    its own; `jobs` of these runs at a time (the longer chains first)."""
    chains: dict[Path, list[Example]] = {}
    singles: list[list[Example]] = []
    for ex in examples:
        if ex.kind == "run" or TMP_PLACEHOLDER in ex.command:
            chains.setdefault(ex.doc, []).append(ex)
        else:
            singles.append([ex])
    tasks = sorted(chains.values(), key=len, reverse=True) + singles
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(run_in_order, tasks))
    return {o.example.id: o for task in results for o in task}


# ---------------------------------------------------------------- comparing

def normalise(line: str) -> str:
    line = line.rstrip()
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return line


def is_gap(line: str) -> bool:
    return line.strip() in GAP_LINES


def pieces(block: list[str]) -> list[list[str] | None]:
    """The block as runs of lines and gaps (None)."""
    out: list[list[str] | None] = []
    for line in block:
        if is_gap(line):
            if not out or out[-1] is not None:
                out.append(None)
        elif out and out[-1] is not None:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def matches(block: list[str], real: list[str]) -> bool:
    """Whether the block (command line aside) shows the real output, excerpts allowed."""
    parts = pieces(block)
    norm = [normalise(x) for x in real]
    if not any(p is None for p in parts):
        return [normalise(x) for x in block] == norm
    pos = 0
    for k, part in enumerate(parts):
        if part is None:
            continue
        want = [normalise(x) for x in part]
        first, last = k == 0, k == len(parts) - 1
        if last:  # anchored at the end (leftmost-first suits the runs before it)
            at = len(norm) - len(want)
            return at >= pos and norm[at:] == want
        candidates = [pos] if first else range(pos, len(norm) - len(want) + 1)
        at = next((p for p in candidates if norm[p:p + len(want)] == want), None)
        if at is None:
            return False
        pos = at + len(want)
    return True  # the block ends with a gap


SIMILAR = 0.6  # a changed line is taken for the shown one when at least this similar


def _position(opcodes, flat: list[str], real: list[str], a: int, *, end: bool) -> int:
    """Where the block's line a starts (or, with end, where line a - 1 ends) in the real
    output, by difflib's alignment of the normalised lines. Real lines inserted at that
    point are left out (they fall in the gap between two runs of an excerpt). Within a
    changed stretch the line is looked for by similarity (a figure changed), else counted
    line for line from the stretch's nearer end."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "insert" or not ((i1 < a <= i2) if end else (i1 <= a < i2)):
            continue
        if tag == "equal":
            return j1 + (a - i1)
        if tag == "delete":
            return j1
        line = flat[a - 1] if end else flat[a]
        ratios = [(difflib.SequenceMatcher(None, line, real[j], autojunk=False).ratio(), -j)
                  for j in range(j1, j2)]
        ratio, j = max(ratios)
        if ratio >= SIMILAR:
            return -j + 1 if end else -j
        return j1 + min(a - i1, j2 - j1) if end else j2 - min(i2 - a, j2 - j1)
    return len(real)  # past the block's last line: the output's end


def _keep_shown(shown: list[str], lines: list[str]) -> list[str]:
    """The real lines, but the shown text where a line differs only in volatile parts."""
    opcodes = difflib.SequenceMatcher(None, [normalise(x) for x in shown],
                                      [normalise(x) for x in lines], autojunk=False).get_opcodes()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes:
        out.extend(shown[i1:i2] if tag == "equal" else lines[j1:j2] if tag != "delete" else [])
    return out


def propose(ex: Example, real: list[str]) -> list[str] | None:
    """The block --update would write, or None when the shown block is up to date."""
    block = list(ex.block)
    head: list[str] = []
    if block and block[0].startswith("$ "):
        head, block = [block[0]], block[1:]
    want_head = [f"$ {ex.shown_command}"] if head else []
    if head == want_head and matches(block, real):
        return None
    parts = pieces(block)
    if not any(p is None for p in parts):
        return want_head + _keep_shown(block, real)
    # An excerpt: keep its gaps, refresh each run of lines from the real output.
    flat = [line for p in parts if p is not None for line in p]
    norm_flat, norm_real = [normalise(x) for x in flat], [normalise(x) for x in real]
    opcodes = difflib.SequenceMatcher(None, norm_flat, norm_real, autojunk=False).get_opcodes()
    out: list[str] = []
    a = 0
    previous_end = 0
    for k, part in enumerate(parts):
        if part is None:
            if not out or not is_gap(out[-1]):
                out.append(next(x for x in block if is_gap(x)))
            continue
        start = 0 if k == 0 else _position(opcodes, norm_flat, norm_real, a, end=False)
        a += len(part)
        end = len(real) if k == len(parts) - 1 else _position(opcodes, norm_flat, norm_real, a, end=True)
        start = max(start, previous_end)
        end = max(end, start)
        previous_end = end
        out.extend(_keep_shown(part, real[start:end]))
    return want_head + out


# ---------------------------------------------------------------- rewriting pages

def write_atomically(path: Path, text: str) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        shutil.copymode(path, name)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def update_page(doc: Path, stale: list[Outcome]) -> None:
    text = doc.read_text(encoding="utf-8")
    lines = text.splitlines()
    current = {ex.id: ex for ex in parse(doc, text)}
    for outcome in sorted(stale, key=lambda o: o.example.start, reverse=True):
        ex = outcome.example
        now = current.get(ex.id)
        if now is None or now.block != ex.block:
            raise DocsExampleError(f"{ex.id} changed while the examples ran; run --update again")
        lines[ex.start:ex.end] = outcome.proposed or []
    write_atomically(doc, "\n".join(lines) + ("\n" if text.endswith("\n") else ""))


# ---------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to look at (default: docs/*.md)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare only (the default)")
    mode.add_argument("--update", action="store_true", help="rewrite stale blocks in place")
    mode.add_argument("--list", action="store_true", help="list the marked examples")
    parser.add_argument("--jobs", type=int, default=2, help="pages run in parallel (default 2)")
    args = parser.parse_args(argv)

    try:
        examples = find_examples(args.pages or None)
    except DocsExampleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for ex in examples:
            print(f"{ex.id:<22} {ex.kind:<6} {ex.command}")
        return 0
    began = time.perf_counter()
    outcomes = run_examples(examples, args.jobs)
    checked = [o for o in outcomes.values() if o.example.kind == "output"]
    broken = [o for o in outcomes.values() if o.error is not None]
    failed = [o for o in checked if o.error is not None]
    stale = [o for o in checked if o.error is None and o.proposed is not None]
    elapsed = time.perf_counter() - began

    for o in broken:
        print(o.diff(), file=sys.stderr, end="\n\n")
    if args.update:
        pages: dict[Path, list[Outcome]] = {}
        for o in stale:
            pages.setdefault(o.example.doc, []).append(o)
        for doc, items in pages.items():
            update_page(doc, items)
            for o in items:
                print(f"updated {o.example.id}: {o.example.command}")
        print(f"{len(checked)} examples, {len(stale)} updated, {len(failed)} failed to run "
              f"({elapsed:.1f} s)")
        return 1 if broken else 0
    for o in stale:
        print(o.diff(), end="\n\n")
    print(f"{len(checked)} examples: {len(checked) - len(stale) - len(failed)} up to date, "
          f"{len(stale)} stale, {len(failed)} failed to run ({elapsed:.1f} s)")
    if stale:
        print(f"refresh the shown output with: {REFRESH}")
    return 1 if stale or broken else 0


if __name__ == "__main__":
    sys.exit(main())
