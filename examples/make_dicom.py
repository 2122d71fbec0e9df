"""Write the small synthetic DICOM example (examples/dicom/): de-identified headers only.

Three patients, four studies, six series (CT, MR, MG) of 2–3 files each, with the markers
the EUCAIM de-identification profile leaves (PatientIdentityRemoved YES, pseudonymous
PatientID, dates on the first of the month) and an 8×8 blank image.  Entirely synthetic:
no value comes from a real person.  Deterministic (fixed UIDs under 2.25).

    python examples/make_dicom.py [--output examples/dicom]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

SOP_CLASS = {"CT": "1.2.840.10008.5.1.4.1.1.2", "MR": "1.2.840.10008.5.1.4.1.1.4",
             "MG": "1.2.840.10008.5.1.4.1.1.1.2"}
# patient, sex, age, study date, [(modality, body part, manufacturer, model, slice thickness, files)]
STUDIES = [
    ("EUCAIM-3f9a1c", "F", "058Y", "20230501", [("MG", "BREAST", "HOLOGIC, Inc.", "Selenia Dimensions", "", 2)]),
    ("EUCAIM-3f9a1c", "F", "059Y", "20240301", [("MR", "BREAST", "SIEMENS", "Skyra", "1.5", 3)]),
    ("EUCAIM-8b21e0", "M", "067Y", "20230901", [("CT", "CHEST", "GE MEDICAL SYSTEMS", "Revolution CT", "1.25", 3),
                                                 ("CT", "CHEST", "GE MEDICAL SYSTEMS", "Revolution CT", "5", 2)]),
    ("EUCAIM-c04d77", "M", "071Y", "20220701", [("MR", "PROSTATE", "Philips", "Ingenia", "3", 3),
                                                 ("CT", "ABDOMEN", "TOSHIBA", "Aquilion ONE", "2", 2)]),
]


def write(folder: Path) -> int:
    written = 0
    for s, (patient, sex, age, date, series_list) in enumerate(STUDIES, start=1):
        study = f"2.25.{900000 + s}"
        for r, (modality, body, maker, model, thickness, files) in enumerate(series_list, start=1):
            series = f"{study}.{r}"
            for i in range(1, files + 1):
                sop = f"{series}.{i}"
                meta = FileMetaDataset()
                meta.MediaStorageSOPClassUID = SOP_CLASS[modality]
                meta.MediaStorageSOPInstanceUID = sop
                meta.TransferSyntaxUID = ExplicitVRLittleEndian
                ds = Dataset()
                ds.file_meta = meta
                ds.SOPClassUID, ds.SOPInstanceUID = SOP_CLASS[modality], sop
                ds.PatientID, ds.PatientName = patient, patient
                ds.PatientSex, ds.PatientAge = sex, age
                ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
                ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = date
                ds.Modality, ds.BodyPartExamined = modality, body
                ds.Manufacturer, ds.ManufacturerModelName = maker, model
                if thickness:
                    ds.SliceThickness = thickness
                if modality == "MR":
                    ds.MagneticFieldStrength = "3" if model == "Ingenia" else "1.5"
                ds.PatientIdentityRemoved = "YES"
                ds.DeidentificationMethod = "EUCAIM Deidentification v5: CTP"
                ds.Rows = ds.Columns = 8
                ds.BitsAllocated = ds.BitsStored = 8
                ds.HighBit, ds.PixelRepresentation, ds.SamplesPerPixel = 7, 0, 1
                ds.PhotometricInterpretation = "MONOCHROME2"
                ds.PixelData = bytes(64)
                path = folder / patient / f"study{s}" / f"series{r}" / f"{i:03d}.dcm"
                path.parent.mkdir(parents=True, exist_ok=True)
                ds.save_as(path, enforce_file_format=True)
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "dicom")
    args = parser.parse_args()
    print(f"wrote {write(args.output)} files under {args.output}")


if __name__ == "__main__":
    main()
