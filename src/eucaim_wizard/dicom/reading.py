"""Reading one DICOM file's header into text values, as curators need them (DS/IS as plain
decimals, multi-valued elements joined with ``\\``, AS ages kept), and batches of files in a
worker process."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from .. import guard
from .model import _BINARY_VRS


# -- reading one file ---------------------------------------------------------------------
def value_text(element) -> str:
    """The text of a pydicom data element, normalised for a table.

    Multi-valued elements are joined with ``\\``; DS and IS are written as plain decimals
    (``"5.000000"`` → ``"5"``, ``"1E+2"`` → ``"100"``); FL/FD as the shortest text that
    reads back as the same number; dates (DA) as ``YYYYMMDD`` (``1997.04.30`` →
    ``19970430``); AS, TM, UIDs and text as written, without padding.  Sequences and binary
    values give ``""``.

    Examples
    --------
    >>> from pydicom.dataelem import DataElement
    >>> value_text(DataElement(0x00180050, "DS", "5.000000"))
    '5'
    >>> value_text(DataElement(0x00280030, "DS", ["0.661468", "0.661468"]))
    '0.661468\\\\0.661468'
    >>> value_text(DataElement(0x00101010, "AS", "045Y"))
    '045Y'
    """
    vr, value = element.VR, element.value
    if value is None or vr == "SQ" or vr in _BINARY_VRS or isinstance(value, (bytes, bytearray)):
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return "\\".join(_one_value(vr, v) for v in value)
    return _one_value(vr, value)


def _one_value(vr: str, value) -> str:
    if value is None:
        return ""
    if vr in ("DS", "IS"):
        return _plain_number(str(value).strip())
    if vr in ("FL", "FD", "OF", "OD"):
        return _float_text(float(value), single=vr == "FL")
    if vr == "DA":
        text = str(value).strip()
        return text.replace(".", "") if len(text) == 10 and text[4] == text[7] == "." else text
    if vr in ("LT", "ST", "UT", "UC"):  # leading spaces are significant in these
        return str(value).rstrip(" \x00")
    return str(value).strip(" \x00")


def _plain_number(text: str) -> str:
    """A decimal string without exponent, trailing zeros or float noise ('' stays '')."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text  # invalid in the file: kept as written, for the curator to see
    if not number.is_finite():
        return text
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def _float_text(value: float, *, single: bool) -> str:
    """The shortest decimal that reads back as ``value`` (as a 32-bit float if ``single``)."""
    import struct

    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if not single:
        return _plain_number(repr(value))
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == value:
            return _plain_number(text)
    return _plain_number(repr(value))


def _sniff(path: str) -> str:
    """``"dicom"`` (the ``DICM`` prefix), ``"raw"`` (a dataset without the preamble, starting
    with group 0008) or ``"other"``."""
    with open(path, "rb") as stream:
        head = stream.read(132)
    if len(head) == 132 and head[128:] == b"DICM":
        return "dicom"
    if len(head) >= 8 and head[:2] == b"\x08\x00" and head[3:4] == b"\x00":
        return "raw"
    return "other"


#: the Image Pixel module's description of an image (SamplesPerPixel ... PixelRepresentation)
_IMAGE_PIXEL = (0x00280002, 0x00280004, 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103)
_PIXEL_DATA = (0x7FE00010, 0x7FE00008, 0x7FE00009)  # PixelData, FloatPixelData, DoubleFloatPixelData


def _truncation(stream, dataset, size: int) -> str | None:
    """Why a header read with ``stop_before_pixels`` shows a truncated file, or ``None``.

    pydicom stops quietly at the end of a short file, so the checks are ours: an element
    whose value runs past the end, bytes left that cannot hold an element header, pixel data
    longer than what is left, or an image (Rows, ..., or an image SOP class) without pixel data.
    """
    position = stream.tell()
    if position < size:  # stopped before the pixel data: is all of it there?
        head = stream.read(12)
        implicit, little = getattr(dataset, "original_encoding", (False, True))
        order = "big" if little is False else "little"
        if implicit:
            length = int.from_bytes(head[4:8], order) if len(head) >= 8 else None
            start = position + 8
        elif head[4:6] in (b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"UN"):
            length = int.from_bytes(head[8:12], order) if len(head) >= 12 else None
            start = position + 12
        else:
            length = int.from_bytes(head[6:8], order) if len(head) >= 8 else None
            start = position + 8
        if length is None:
            return "truncated: the file ends inside the pixel data's element header"
        if length == 0xFFFFFFFF:  # encapsulated: must end with a sequence delimiter
            stream.seek(max(size - 8, 0))
            if stream.read(8) not in (b"\xfe\xff\xdd\xe0\x00\x00\x00\x00", b"\xff\xfe\xe0\xdd\x00\x00\x00\x00"):
                return "truncated: the encapsulated pixel data has no end delimiter"
        elif start + length > size:
            return (f"truncated: the pixel data needs {length:,} bytes, the file holds "
                    f"{max(size - start, 0):,}")
        return None
    last = None
    for last in dataset.elements():
        pass
    end = getattr(last, "value_tell", None)
    if end is not None and last.length != 0xFFFFFFFF:
        end += last.length
        if end > size:
            return f"truncated: element {last.tag} needs {end - size:,} more bytes than the file holds"
        if end < size:
            return "truncated: the file ends inside a data element's header"
    image = any(tag in dataset for tag in _IMAGE_PIXEL) or "Image Storage" in _uid_name(dataset)
    if image and not any(tag in dataset for tag in _PIXEL_DATA):
        return "truncated: the header describes an image but the file ends before its pixel data"
    return None


def _uid_name(dataset) -> str:
    """The name of the file's SOP class (e.g. "CT Image Storage"), or ""."""
    from pydicom.uid import UID

    try:
        uid = dataset.get("SOPClassUID") or getattr(dataset, "file_meta", {}).get("MediaStorageSOPClassUID", "")
        return UID(str(uid)).name
    except Exception:  # noqa: BLE001 - an odd UID is no reason to drop a file
        return ""


def _read_file(path: str, tags: Sequence[int], key: int, profile: str | None):
    """One file → ``(status, reason, key, values, signs)``; status ``ok``, ``other``, ``skipped``."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        kind = _sniff(path)
        if kind == "other":
            if path.lower().endswith((".dcm", ".dicom")):
                return ("skipped", "not a DICOM file (no 'DICM' prefix at byte 128)"
                        if os.path.getsize(path) else "empty file", None, None, None)
            return ("other", None, None, None, None)
        size = os.path.getsize(path)
        with open(path, "rb") as stream:
            dataset = pydicom.dcmread(stream, stop_before_pixels=True, force=kind == "raw")
            if not len(dataset):
                return ("skipped", "no data elements after the file meta information", None, None, None)
            problem = _truncation(stream, dataset, size)  # first: it needs the elements unconverted
        if problem:
            return ("skipped", problem, None, None, None)
        if _uid_name(dataset) == "Media Storage Directory Storage":  # a DICOMDIR: an index, no image
            return ("other", None, None, None, None)
        group = dataset.get(key)
        group = value_text(group) if group is not None else ""
        if not group:
            return ("skipped", f"no {LEVELS_BY_TAG[key]}: its {_level_word(key)} cannot be told",
                    None, None, None)
        values = tuple(_element_text(dataset, tag) for tag in tags)
        return ("ok", None, group, values, tuple(guard.header_signs(dataset, profile=profile)))
    except InvalidDicomError as error:
        return ("skipped", f"not a readable DICOM file ({error})", None, None, None)
    except PermissionError:
        return ("skipped", "permission denied", None, None, None)
    except Exception as error:  # noqa: BLE001 - any damage in a file is a reason, never a crash
        return ("skipped", f"unreadable (damaged or truncated): {type(error).__name__}: {error}",
                None, None, None)


def _element_text(dataset, tag: int) -> str:
    """The text of one element; a value pydicom cannot convert is kept as written."""
    if tag not in dataset:
        return ""
    try:
        return value_text(dataset[tag])
    except Exception:  # noqa: BLE001 - e.g. DS 'abc': show what the file holds
        raw = dataset.get_item(tag).value
        return raw.decode("latin-1").strip(" \x00") if isinstance(raw, bytes) else ""


LEVELS_BY_TAG = {0x0020000E: "SeriesInstanceUID", 0x0020000D: "StudyInstanceUID"}


def _level_word(key: int) -> str:
    return "series" if key == 0x0020000E else "study"


def _read_batch(paths: Sequence[str], tags: Sequence[int], key: int, profile: str | None) -> list:
    from pydicom import config

    # pydicom warns (and logs) about every odd value; the table shows them as they are
    mode = config.settings.reading_validation_mode
    config.settings.reading_validation_mode = config.IGNORE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [_read_file(path, tags, key, profile) for path in paths]
    finally:
        config.settings.reading_validation_mode = mode
