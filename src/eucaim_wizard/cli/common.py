"""What every command shares: the typer app, the consoles, one-paragraph errors, progress.

Heavy modules are imported inside the commands, so that ``--help`` and short jobs start fast.
"""


import logging
import re
import sys

import typer

app = typer.Typer(
    name="eucaim-wizard",
    help=(
        "Statistical de-identification of tabular health data (k-anonymity and extensions), "
        "giving the same answers as ARX.\n\n"
        "Typical session:\n\n"
        "  eucaim-wizard init data.csv -o project.yaml   # a starting project\n\n"
        "  eucaim-wizard validate project.yaml           # data, roles, hierarchies\n\n"
        "  eucaim-wizard anonymize project.yaml -o out/  # optimal k-anonymous table"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class _Notes(logging.Handler):
    """The library's log warnings (e.g. the leftovers of an interrupted run removed from an
    output folder), printed as ``note: …`` lines on standard error."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"note: {printable(record.getMessage())}\n")  # (looked up now: tests redirect it)


@app.callback()
def _setup() -> None:
    logger = logging.getLogger("eucaim_wizard")
    if not any(isinstance(h, _Notes) for h in logger.handlers):
        logger.addHandler(_Notes(logging.WARNING))



#: characters that must never reach a terminal raw: C0 and C1 controls (ESC starts the escape
#: sequences that retitle a window, move the cursor or rewrite what was printed) but the line
#: break and the tab, DEL, and the bidirectional overrides that reorder what is shown
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with every character a terminal would obey instead of show written as an
    escape (``\x1b``): file names, paths and messages are printed through this.

    >>> printable("esc/a\x1b]0;PWNED\x07b.csv")
    'esc/a\\x1b]0;PWNED\\x07b.csv'
    """
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def _safe_console():
    """rich's Console, but every piece of text it renders goes through :func:`printable` first
    (a file name in a table cell, a column name in a finding), while the escape sequences rich
    itself writes for colours and cursor moves pass as they are."""
    from rich.console import Console as RichConsole
    from rich.segment import Segment

    class SafeConsole(RichConsole):
        def _render_buffer(self, buffer):
            return super()._render_buffer(
                segment if segment.control else Segment(printable(segment.text), segment.style, segment.control)
                for segment in buffer)

    return SafeConsole


class Console:
    """Standard output or error as a rich ``Console``, made on first use.

    A plain line (``print`` of strings with ``markup=False`` and no other option) is written
    as it is, so that a command printing only such lines (``anonymize``) never imports rich
    (see benchmarks/README.md).  Everything else goes to the rich console (:attr:`rich`).
    """

    def __init__(self, *, stderr: bool = False):
        self._stderr = stderr
        self._console = None

    @property
    def rich(self):
        if self._console is None:
            self._console = _safe_console()(stderr=self._stderr, highlight=False, soft_wrap=True)
        return self._console

    def print(self, *objects, markup: bool | None = None, **options) -> None:
        objects = tuple(printable(o) if isinstance(o, str) else o for o in objects)
        if markup is False and not options and all(isinstance(o, str) for o in objects):
            stream = sys.stderr if self._stderr else sys.stdout  # (looked up now: tests redirect them)
            stream.write(" ".join(objects) + "\n")
            return
        self.rich.print(*objects, markup=markup, **options)

    def __getattr__(self, name: str):
        return getattr(self.rich, name)


err = Console(stderr=True)
out = Console()


def fail(error: Exception) -> None:
    """Print a user error as one paragraph and exit with its code (never a traceback)."""
    from rich.markup import escape

    from ..errors import WizardError

    code = error.exit_code if isinstance(error, WizardError) else 2
    # escape: messages quote data values and file names, which may hold '[...]'
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False)
    raise typer.Exit(code)


KEEP_FORMULAS_HELP = ("Write CSV/TSV cells that begin like a spreadsheet formula (= + - @) as they are; by "
                      "default they get a leading ' so that a spreadsheet shows them as text instead of running them.")
CONFIRM_HELP = ("Go on although the de-identification guard finds signs of identified data "
                "(you confirm the data is de-identified; recorded in the result).")


def _remaining_column():
    """rich's time remaining, shown only once a tenth of the work is done: before that an
    estimate is a guess (a search that sits at 0 % for a second may end a second later)."""
    from rich.progress import TimeRemainingColumn

    class Remaining(TimeRemainingColumn):
        def render(self, task):
            from rich.text import Text

            if not task.total or task.completed < 0.1 * task.total:
                return Text("")
            return super().render(task)

    return Remaining()


class progress_bar:
    """A rich progress bar on stderr that appears only when the work takes over a second."""

    def __init__(self, label: str):
        self.label = label
        self._bar = None
        self._task = None
        self._start = 0.0

    def __enter__(self):
        import time

        self._start = time.perf_counter()
        return self

    def __call__(self, done: int, total: int) -> None:
        import time

        if self._bar is None:
            if time.perf_counter() - self._start < 1.0 or not sys.stderr.isatty():
                return
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                 TimeElapsedColumn(), _remaining_column(), console=err.rich, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


LEVELS_HELP = ("Release this candidate instead of the optimum: name=level pairs (age=3,sex=0) or one level per "
               "quasi-identifier in the order `explore` lists them (3,0); refused, with the reason, if not anonymous.")
PICK_HELP = "Release row N (the # column) of the listing `explore` shows with the same --sort and --all."


def choice_from(levels: str | None, pick: int | None, sort: str = "loss", every: bool = False):
    """The :class:`~eucaim_wizard.explore.Choice` of ``--levels`` / ``--pick`` (with ``--sort``,
    ``--all``), or None when neither is given (the project's choice or the optimum)."""
    if levels is None and pick is None:
        return None
    from ..explore import Choice

    return Choice(levels=levels, pick=pick, sort=sort, everything=every)  # type: ignore[arg-type]


STRATEGY_HELP = ("How to search the lattice: optimal (exact, up to 5,000,000 transformations), best-first (best "
                 "effort, anytime, any size) or auto; default: the project file's `search:`, else auto.")
TIME_LIMIT_HELP = "Stop a best-first search after this long (30, 30s, 2m) and keep the best found."
STEPS_HELP = "Stop a best-first search after this many checks and keep the best found."


def with_search(path, strategy: str | None, time_limit: str | None, steps: int | None):
    """The project at ``path`` (loaded), with ``search:`` overridden by the options given."""
    from pydantic import ValidationError

    from ..errors import ProjectError
    from ..project import load_project
    from ..project_settings import SearchSettings

    project = load_project(path)
    if strategy is None and time_limit is None and steps is None:
        return project
    given = project.search.model_dump()
    given.update({k: v for k, v in {"strategy": strategy, "time_limit": time_limit, "steps": steps}.items()
                  if v is not None})
    try:
        project.search = SearchSettings(**given)
    except ValidationError as error:
        said = "; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}" for e in error.errors())
        raise ProjectError(f"{said} (given: --strategy {strategy or '-'}, --time-limit {time_limit or '-'}, "
                           f"--steps {steps or '-'}); e.g. --strategy best-first --time-limit 30s") from None
    return project


def search_line(result) -> str | None:
    """What a best-effort search proves, in one line (None after the optimal search)."""
    s = result.search_summary()
    if s["strategy"] == "optimal":
        return None
    if s["proven_optimal"]:
        return "best-first search: finished, the answer is proven optimal"
    if not result.anonymous:
        return f"best-first search: stopped at {s['stopped']} before finding an anonymous transformation"
    gap = f"; a better transformation could lower the loss by at most {s['gap']:.4g}" if s["gap"] is not None else ""
    return f"best-first search: stopped at {s['stopped']}; the best found is kept, not proven optimal{gap}"

