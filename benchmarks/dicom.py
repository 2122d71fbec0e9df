"""Benchmark of DICOM extraction: 10,000 small synthetic files, time and peak memory (JSON).

Writes a tree of small synthetic de-identified files (8x8 images; CT, MR and MG; 50 patients,
2 studies each, 2 series per study, 50 files per series) into a temporary folder, then runs
``eucaim-wizard extract`` on 2,000 and on 10,000 files in fresh processes and records the
wall time and the peak resident memory of the main process and of the worker processes.
Target: 10,000 files well under a minute on 2 cores, memory not growing with the files.

    python benchmarks/dicom.py [--files 10000] [--repeat 3] [--output benchmarks/results/dicom.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PER_PART = 2_000  # files per top folder: the small run reads one of them
WIDTH = 12  # digits of the numbered part of every UID, so that files can be patched in place


def template(modality: str) -> bytes:
    """One file, with fixed-width placeholders for the patient, study, series and instance."""
    import io

    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    sop_class = {"CT": "1.2.840.10008.5.1.4.1.1.2", "MR": "1.2.840.10008.5.1.4.1.1.4",
                 "MG": "1.2.840.10008.5.1.4.1.1.1.2"}[modality]
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = "2.25.3" + "9" * WIDTH
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, "2.25.3" + "9" * WIDTH
    ds.PatientID = "EUCAIM-" + "8" * WIDTH
    ds.PatientName = "EUCAIM-" + "8" * WIDTH + "^Anonymous"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = "2.25.1" + "7" * WIDTH, "2.25.2" + "6" * WIDTH
    ds.Modality, ds.StudyDate, ds.AcquisitionDate = modality, "20230501", "20230501"
    ds.PatientSex, ds.PatientAge, ds.PatientWeight = "F", "062Y", "68.5"
    ds.Manufacturer, ds.ManufacturerModelName = {"CT": ("SIEMENS", "SOMATOM Force"), "MR": ("GE MEDICAL SYSTEMS", "SIGNA Premier"),
                                                 "MG": ("HOLOGIC, Inc.", "Selenia Dimensions")}[modality]
    ds.SliceThickness, ds.PixelSpacing, ds.KVP = "2.500000", ["0.703125", "0.703125"], "120"
    ds.BodyPartExamined, ds.SeriesNumber = {"CT": "CHEST", "MR": "PROSTATE", "MG": "BREAST"}[modality], "1"
    ds.PatientIdentityRemoved, ds.DeidentificationMethod = "YES", "EUCAIM Deidentification v5: CTP"
    ds.Rows = ds.Columns = 8
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit, ds.PixelRepresentation, ds.SamplesPerPixel = 7, 0, 1
    ds.PhotometricInterpretation, ds.PixelData = "MONOCHROME2", bytes(64)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def write_tree(root: Path, files: int) -> None:
    """``files`` files: patients of 2 studies x 2 series x 50 files, in parts of 2,000 files."""
    templates = {m: template(m) for m in ("CT", "MR", "MG")}
    for i in range(files):
        series, patient = i // 50, i // 200
        study = i // 100
        data = templates[("CT", "MR", "MG")[patient % 3]]
        data = (data.replace(b"8" * WIDTH, b"%0*d" % (WIDTH, patient))
                .replace(b"7" * WIDTH, b"%0*d" % (WIDTH, study))
                .replace(b"6" * WIDTH, b"%0*d" % (WIDTH, series))
                .replace(b"9" * WIDTH, b"%0*d" % (WIDTH, i)))
        folder = root / f"part{i // PER_PART}" / f"p{patient:03d}" / f"st{study % 2}" / f"se{series % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:05d}.dcm" if i % 2 else folder / f"IM{i:05d}").write_bytes(data)


def child(source: str, output: str, workers: str) -> None:
    """Run in a fresh process: extract, then print time and peak memory as JSON."""
    from eucaim_wizard.dicom import extract_to_file

    start, cpu = time.perf_counter(), os.times()
    outcome = extract_to_file(source, output, workers=None if workers == "auto" else int(workers))
    seconds, used = time.perf_counter() - start, os.times()
    mib = 1024  # ru_maxrss is in KiB on Linux
    print(json.dumps({
        "seconds": round(seconds, 3),
        "cpu_seconds_main": round(used.user + used.system - cpu.user - cpu.system, 3),
        "cpu_seconds_workers": round(used.children_user + used.children_system
                                     - cpu.children_user - cpu.children_system, 3),
        "files_read": outcome.extraction.files_read,
        "rows": outcome.extraction.table.n_rows, "skipped": len(outcome.extraction.skipped),
        "peak_rss_main_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / mib, 1),
        "peak_rss_worker_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / mib, 1),
    }))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "dicom.json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "scans"
        start = time.perf_counter()
        write_tree(root, args.files)
        print(f"wrote {args.files:,} files in {time.perf_counter() - start:.1f} s")
        cases = [(root / "part0", min(args.files, PER_PART), "auto"), (root, args.files, "auto"), (root, args.files, "1")]
        for source, files, workers in cases:
            measured = []
            for _ in range(args.repeat):
                line = subprocess.run([sys.executable, __file__, "--child", str(source), str(Path(folder) / "out.csv"),
                                       workers], check=True, capture_output=True, text=True).stdout
                measured.append(json.loads(line.splitlines()[-1]))
            best = min(measured, key=lambda m: m["seconds"])
            median = statistics.median(m["seconds"] for m in measured)
            run = {"files": files, "workers": workers, "median_seconds": median,
                   "files_per_second": round(files / median),
                   "cpu_seconds_main": statistics.median(m["cpu_seconds_main"] for m in measured),
                   "cpu_seconds_workers": statistics.median(m["cpu_seconds_workers"] for m in measured),
                   **{k: best[k] for k in ("files_read", "rows", "skipped")},
                   "peak_rss_main_mib": max(m["peak_rss_main_mib"] for m in measured),
                   "peak_rss_worker_mib": max(m["peak_rss_worker_mib"] for m in measured)}
            runs.append(run)
            print(f"{files:>6,} files, workers={workers}: {run['median_seconds']:.2f} s "
                  f"({run['files_per_second']:,}/s; CPU main {run['cpu_seconds_main']:.1f} s, workers "
                  f"{run['cpu_seconds_workers']:.1f} s), {run['rows']} series, peak RSS main "
                  f"{run['peak_rss_main_mib']} MiB, workers {run['peak_rss_worker_mib']} MiB")
        # the whole command, as a curator runs it
        command = [sys.executable, "-m", "eucaim_wizard", "extract", str(root), "-o", str(Path(folder) / "cli.csv")]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        whole = round(time.perf_counter() - start, 3)
        print(f"eucaim-wizard extract, {args.files:,} files: {whole:.2f} s")
    target = 60.0
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "runs": runs,
        "whole_process": {"command": f"eucaim-wizard extract ({args.files:,} files)", "seconds": whole,
                          "target_seconds": target, "target_met": whole < target},
    }
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
