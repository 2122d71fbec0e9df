"""The command outputs shown in docs/*.md are what the commands print.

Every block marked `<!-- output of: eucaim-wizard ... -->` in docs/*.md (the convention is
described at the top of scripts/docs_examples.py) is one test, named by page and line: the
command is run on the shipped examples and its output compared with the block. A failure
shows the difference; `python scripts/docs_examples.py --update` refreshes the pages.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "docs_examples.py"
MIN_EXAMPLES = 8
MIN_PAGES = 4


def _load_script():
    spec = importlib.util.spec_from_file_location("docs_examples", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["docs_examples"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


docs_examples = _load_script()

try:
    EXAMPLES = docs_examples.find_examples()
    PARSE_ERROR = None
except docs_examples.DocsExampleError as exc:  # reported by test_markers_follow_the_convention
    EXAMPLES, PARSE_ERROR = [], str(exc)
CHECKED = [ex for ex in EXAMPLES if ex.kind == "output"]


def test_markers_follow_the_convention():
    assert PARSE_ERROR is None, PARSE_ERROR


def test_enough_marked_examples():
    """The marker convention still matches something: a typo in the regex cannot silently
    turn every example off."""
    pages = sorted({ex.doc.name for ex in CHECKED})
    assert len(CHECKED) >= MIN_EXAMPLES, (
        f"only {len(CHECKED)} marked examples in docs/*.md (at least {MIN_EXAMPLES} expected): "
        f"{[ex.id for ex in CHECKED]}")
    assert len(pages) >= MIN_PAGES, f"marked examples on {pages} only (at least {MIN_PAGES} pages expected)"


@pytest.fixture(scope="session")
def outcomes(request):
    """Run each selected example once: the pages of the selected tests, two pages at a time,
    each page's commands in page order (with its `<!-- run: -->` steps) in one folder."""
    pages = {item.callspec.params["example"].doc for item in request.session.items
             if isinstance(getattr(getattr(item, "callspec", None), "params", {}).get("example"),
                           docs_examples.Example)}
    return docs_examples.run_examples([ex for ex in EXAMPLES if ex.doc in pages], jobs=2)


@pytest.mark.parametrize("example", [pytest.param(ex, id=ex.id) for ex in CHECKED])
def test_doc_example(example, outcomes):
    outcome = outcomes[example.id]
    if outcome.error is not None:
        pytest.fail(f"{example.id}: `{example.command}` did not run:\n{outcome.error}", pytrace=False)
    if outcome.proposed is not None:
        pytest.fail(f"docs/{example.id} does not show what `{example.command}` prints:\n"
                    f"{outcome.diff()}\n\nRefresh the shown outputs with: {docs_examples.REFRESH}\n"
                    "(then read the diff of the page: does the prose around the block still hold?)",
                    pytrace=False)
