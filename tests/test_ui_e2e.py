"""The browser wizard end to end, in real Chromium (Debian's package, driven by Playwright):
the whole flow on the shipped imaging example, from the upload to the downloaded files.

The server is the real ``eucaim-wizard ui --no-browser`` command.  The walk: upload the CSV,
make four date/measure columns identifiers (as the shipped project does), look at the
hierarchies, keep k=10, run, select a candidate that is not the optimum in Explore, look at
the risk, classify Modality on the input and the output (2 folds), prepare and download the
release.  Then the downloads are checked:
the PDF names the selected candidate, and ``project.yaml`` re-run from the command line gives
a byte-identical anonymized table.  No request may leave 127.0.0.1.

With ``EUCAIM_UI_SCREENSHOTS=FOLDER`` every step is photographed into FOLDER
(``python scripts/ui_screenshots.py`` refreshes docs/ui/ so).  Where chromium or Playwright is
missing, the test skips with one line saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ui_browser import ROOT, browser_page, choose, go_to, settle, shoot, why_not, wizard_server

REASON = why_not()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

EXAMPLE = ROOT / "examples" / "imaging" / "imaging_metadata.csv"
#: the columns the shipped project keeps out, which init proposes as quasi-identifiers
MADE_IDENTIFIERS = ("PatientBirthDate", "PatientWeight", "StudyTime", "AcquisitionDate")


def _walk(page, address: str, shots: Path | None, downloads: Path) -> dict[str, Path]:
    page.goto(address)
    settle(page)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(EXAMPLE))
    settle(page)
    page.get_by_text("uploaded imaging_metadata.csv: 5,000 rows, 33 columns").first.wait_for()
    shoot(page, shots, "1-data")

    go_to(page, "2. Roles")
    page.get_by_text("Edit one column").click()
    settle(page)
    for name in MADE_IDENTIFIERS:
        choose(page, "Column", name)
        form = page.locator('[data-testid="stForm"]').first
        form.get_by_text("identifier", exact=True).click()
        form.get_by_role("button", name="Apply").click()
        settle(page)
    page.get_by_text("6,912 transformations to search").first.wait_for()
    shoot(page, shots, "2-roles")

    go_to(page, "3. Hierarchies")
    shoot(page, shots, "3-hierarchies")
    go_to(page, "4. Privacy")
    page.get_by_text("k-anonymity (k=10)").first.wait_for()
    shoot(page, shots, "4-privacy")

    go_to(page, "5. Run")
    page.get_by_role("button", name="Run the search").click()
    settle(page)
    page.get_by_text("The optimal anonymous transformation generalizes").first.wait_for()
    shoot(page, shots, "5-run")

    go_to(page, "6. Explore")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Candidate to release").first
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option").nth(1).click()  # the second anonymous candidate by loss: not the optimum
    settle(page)
    page.get_by_text("selected instead of the optimum").first.wait_for()
    shoot(page, shots, "6-explore")

    go_to(page, "7. Risk")
    page.get_by_text("prosecutor", exact=False).first.wait_for()
    shoot(page, shots, "7-risk")
    go_to(page, "8. Utility")
    choose(page, "Attribute to predict", "Modality")
    folds = page.get_by_label("Cross-validation folds")
    folds.fill("2")
    folds.press("Enter")
    settle(page)
    page.get_by_role("button", name="Run the classification").click()
    settle(page)
    page.get_by_text("Relative accuracy (output / input").first.wait_for()
    shoot(page, shots, "8-utility")

    go_to(page, "9. Export")
    page.get_by_text("Classification utility in the report").click()  # (off: the test stays fast)
    settle(page)
    page.get_by_role("button", name="Prepare the release files").click()
    settle(page)
    page.get_by_text("The release files are ready").first.wait_for()
    shoot(page, shots, "9-export")
    got = {}
    for name in ("anonymized.csv", "report.pdf", "project.yaml"):
        with page.expect_download() as download:
            page.get_by_role("button", name=name).first.click()
        got[name] = downloads / download.value.suggested_filename
        download.value.save_as(got[name])
    return got


def test_the_whole_flow_in_chromium(tmp_path):
    shots = Path(os.environ["EUCAIM_UI_SCREENSHOTS"]) if os.environ.get("EUCAIM_UI_SCREENSHOTS") else None
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with wizard_server() as address, browser_page(downloads) as page:
        got = _walk(page, address, shots, downloads)
        outside = list(page.outside)
    assert outside == [], f"requests left the machine: {outside}"

    project = got["project.yaml"].read_text(encoding="utf-8")
    assert "transformation:" in project and "data: imaging_metadata.csv" in project
    levels = project.split("transformation:", 1)[1]
    chosen = {line.split(":")[0].strip(): int(line.split(":")[1]) for line in levels.splitlines()
              if line.strip() and line.startswith("    ")}
    assert set(chosen) == {"PatientSex", "PatientAge", "StudyDate", "Modality", "BodyPartExamined", "Manufacturer"}

    # the PDF names the selected candidate
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(got["report.pdf"]).pages)
    packed = "".join(text.split())
    assert "chosenbythecurator" in packed
    assert ",".join(f"{name}={level}" for name, level in chosen.items()) in packed

    # project.yaml re-run from the command line: the same anonymized table, byte for byte
    rerun = tmp_path / "rerun"
    rerun.mkdir()
    shutil.copy(got["project.yaml"], rerun / "project.yaml")
    shutil.copy(EXAMPLE, rerun / EXAMPLE.name)
    done = subprocess.run([sys.executable, "-m", "eucaim_wizard", "run", "project.yaml", "-o", "out",
                           "--no-classification"], cwd=rerun, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (rerun / "out" / "anonymized.csv").read_bytes() == got["anonymized.csv"].read_bytes()


def test_a_running_search_is_cancelled(tmp_path):
    """The table given on the command line opens in the session; ``init``'s roles make a lattice
    of 2,488,320 transformations (a search of a few seconds): Cancel stops it, nothing is kept."""
    with wizard_server(str(EXAMPLE)) as address, browser_page(tmp_path) as page:
        page.goto(address)
        settle(page)
        page.get_by_text("opened").first.wait_for()
        go_to(page, "5. Run")
        page.get_by_text("2,488,320 transformations in the search space").first.wait_for()
        page.get_by_role("button", name="Run the search").click()
        page.get_by_text("transformations evaluated").first.wait_for()  # (the bar is moving)
        page.get_by_role("button", name="Cancel").click()
        settle(page)
        page.get_by_text("The search was cancelled; nothing was kept").first.wait_for()
        assert page.get_by_text("The optimal anonymous transformation").count() == 0
        assert page.get_by_role("button", name="Run the search").count() == 1
