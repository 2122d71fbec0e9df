"""``init``: a starting project file for a table, every column listed with a suggested role.

Only what can be said with confidence is suggested: a column whose name is a direct
identifier (``PatientID``, ``Patient_Name``, ``email``, DICOM ``...UID``) or whose every value
is distinct (unless its name is that of a quasi-identifier such as a zip code or a birth
date) becomes an ``identifier``; every other column starts ``insensitive``, with a
comment saying what is known about it, for the curator to decide.  A quasi-identifier is
never suggested: it needs a hierarchy, which ``init`` does not invent, and the written file
must load and validate as it is.
"""

from __future__ import annotations

import os
import re
import secrets
import textwrap
from pathlib import Path

import numpy as np

from .errors import ProjectError
from .table import Table, read_table

__all__ = ["suggest_role", "starting_project_text", "write_starting_project"]

#: name words of direct identifiers (after splitting ``PatientID`` / ``patient_id`` into words)
_IDENTIFIER_WORDS = {
    "id", "ids", "uid", "uuid", "mrn", "ssn", "nhs", "email", "mail", "phone", "telephone", "mobile",
    "fax", "address", "surname", "firstname", "lastname", "fullname", "accession", "passport",
}
#: a ``name`` column names a person when one of these words is in its name too
#: (``PatientName``, ``ReferringPhysicianName``; not ``ManufacturerModelName``)
_PERSON_WORDS = {
    "patient", "patients", "physician", "physicians", "doctor", "first", "last", "given", "family",
    "full", "maiden", "middle", "mother", "father", "operator", "operators", "performing",
    "referring", "person", "subject", "user", "nick",
}
#: name words of attributes an attacker commonly knows: hinted in the comment, never assumed
_QUASI_IDENTIFIER_WORDS = {
    "age", "sex", "gender", "zip", "zipcode", "postcode", "postal", "birth", "dob", "date",
    "country", "ethnicity", "ethnic", "race", "nationality", "weight", "height", "city",
    "region", "occupation", "marital", "education", "institution", "site",
}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
#: a value is quoted in a comment only if at least this many records hold it, so that the
#: project file never carries a rare (identifying) value of the data
MIN_RECORDS_SHOWN = 5


def _words(name: str) -> list[str]:
    """``"PatientBirthDate"`` → ``["patient", "birth", "date"]``; ``"SOPInstanceUID"`` →
    ``["sop", "instance", "uid"]``; ``"e-mail"`` → ``["e", "mail"]``."""
    return [word.lower() for word in _WORD.findall(name)]


def _identifier_name(name: str) -> bool:
    words = _words(name)
    if set(words) & _IDENTIFIER_WORDS:
        return True
    return "name" in words and (len(words) == 1 or bool(set(words) & _PERSON_WORDS))


def suggest_role(table: Table, name: str) -> tuple[str, str]:
    """A role for column ``name`` and the reason, from the column's name and values.

    Returns
    -------
    (role, reason)
        ``"identifier"`` for identifier-like names and for columns whose every value is
        distinct (unless the name suggests a quasi-identifier); ``"insensitive"`` for
        everything else.

    Examples
    --------
    >>> table = Table.from_columns({"PatientID": ["p1", "p2"], "sex": ["F", "F"]})
    >>> suggest_role(table, "PatientID")[0], suggest_role(table, "sex")[0]
    ('identifier', 'insensitive')
    """
    if _identifier_name(name):
        return "identifier", "the name looks like a direct identifier; it will be removed from every output"
    distinct, rows = len(table.categories(name)), table.n_rows
    quasi = bool(set(_words(name)) & _QUASI_IDENTIFIER_WORDS)
    # A distinct zip code or birth date is a strong quasi-identifier to generalize, not a key
    if rows > 1 and distinct == rows and not quasi:
        return "identifier", (f"every one of the {rows:,} values is distinct, like a record key; "
                              f"it will be removed from every output")
    reason = f"{distinct:,} distinct value(s) in {rows:,} records"
    if rows > 1 and distinct > 0.9 * rows:
        reason += "; almost all distinct, so it singles records out if an attacker knows it"
    if quasi:
        return "insensitive", (f"{reason}; the name suggests a quasi-identifier: give it that role "
                               f"and a `hierarchy:` if an attacker may know it")
    return "insensitive", (f"{reason}; make it a quasi-identifier (with a `hierarchy:`) if an "
                           f"attacker may know it, sensitive if it must be protected")


_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
#: words YAML 1.1 reads as booleans or null, which must stay quoted
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _yaml_key(text: str) -> str:
    """``text`` as a YAML scalar: plain when YAML reads it back as the same text, else quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return _yaml_string(text)


def _yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every non-printable character escaped
    (a line break in a column name or value must not end a key or a comment)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\t":
            out.append("\\t")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _frequent_values(table: Table, name: str, limit: int = 3) -> str:
    """The most frequent values of a column with their record counts, for a comment."""
    categories = table.categories(name)
    counts = np.bincount(table.codes(name), minlength=len(categories))
    order = np.argsort(-counts, kind="stable")[:limit]
    shown = [f"{_yaml_string(_shorten(str(categories[i])))} ({counts[i]:,})"
             for i in order if counts[i] >= MIN_RECORDS_SHOWN]
    if not shown:
        return f"values not shown (none is held by {MIN_RECORDS_SHOWN} or more records)"
    return "most frequent " + ", ".join(shown)


def _shorten(value: str, width: int = 30) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def starting_project_text(table: Table, data: Path, project_dir: Path) -> str:
    """The YAML text of a starting project for ``table`` read from ``data``.

    ``data`` is written relative to ``project_dir`` (the folder of the project file), as
    :func:`~eucaim_wizard.project.load_project` resolves it.
    """
    location = str(data.resolve())
    try:
        relative = os.path.relpath(data.resolve(), project_dir.resolve())
    except ValueError:  # another drive on Windows
        relative = location
    # relative when the data is beside the project (or one folder up): the pair can then move
    if Path(relative).parts[:2] != ("..", ".."):
        location = relative
    lines = [
        "# eucaim-wizard project (written by `eucaim-wizard init`): review every role, then run",
        "# `eucaim-wizard validate` on this file.",
        "# Roles: identifier (removed), quasi-identifier (generalized; needs `hierarchy:`),",
        "#        sensitive (kept, protected by the privacy models), insensitive (kept as is).",
        f"data: {_yaml_key(location.replace(os.sep, '/'))}",
    ]
    fmt = table.format
    if fmt.kind == "csv":
        options = f"delimiter: {_yaml_string(fmt.delimiter)}, encoding: {_yaml_string(fmt.encoding)}"
        if fmt.quotechar != '"':
            options += f", quotechar: {_yaml_string(fmt.quotechar)}"
        lines.append(f"format: {{{options}}}")
    elif fmt.kind == "xlsx" and fmt.sheet is not None:
        sheet = fmt.sheet if isinstance(fmt.sheet, int) else _yaml_string(fmt.sheet)
        lines.append(f"format: {{sheet: {sheet}}}")
    lines.append("attributes:")
    for name in table.columns:
        role, reason = suggest_role(table, name)
        if role != "identifier":  # an identifier's values are never copied into the project
            counts, advice = reason.split("; ", 1)
            reason = f"{counts}, {_frequent_values(table, name)}; {advice}"
        lines += [f"  # {line}" for line in textwrap.wrap(reason, 92, break_on_hyphens=False)]
        lines.append(f"  {_yaml_key(name)}: {{role: {role}}}")
    lines += [
        "privacy:",
        "  - k-anonymity: {k: 10}   # every record shares its quasi-identifiers with 9 others or more",
        "suppression_limit: 0.05    # share of records that may be suppressed",
        "metric: loss               # ARX's default information-loss model",
        "",
    ]
    return "\n".join(lines)


def write_starting_project(data: str | Path, output: str | Path, *, force: bool = False,
                           delimiter: str | None = None, encoding: str | None = None,
                           sheet: str | int | None = None) -> Path:
    """Read ``data`` and write a starting project file to ``output`` (atomically).

    The data file is only read.  The project is written to a temporary file beside
    ``output`` and renamed, so an interrupted run leaves no half-written file.
    ``delimiter``, ``encoding`` (CSV) and ``sheet`` (XLSX) override detection; the format
    the table was read with is written under ``format:``.

    Raises
    ------
    ProjectError
        If ``output`` is the data file itself or a folder, exists and ``force`` is not set,
        or cannot be written.
    TableError
        If the data cannot be read.
    """
    data, output = Path(data), Path(output)
    if output.exists():
        if data.exists() and output.resolve() == data.resolve():
            raise ProjectError(f"{output} is the data file itself; choose another name with -o, "
                               f"e.g. -o project.yaml.")
        if output.is_dir():
            raise ProjectError(f"{output} is a folder; give the name of the project file to write, "
                               f"e.g. -o {output / 'project.yaml'}.")
        if not force:
            raise ProjectError(f"{output} exists already; pass --force to replace it or choose "
                               f"another name with -o.")
    table = read_table(data, delimiter=delimiter, encoding=encoding, sheet=sheet)
    text = starting_project_text(table, data, output.parent)
    temp = output.parent / f".{output.name}.{secrets.token_hex(4)}.tmp"
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 honours the umask (mkstemp would make the file private)
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise ProjectError(f"cannot write {output} ({error.strerror}); check that its folder "
                           f"can be created and written.") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temp, output)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise ProjectError(f"cannot write {output} ({error.strerror}); check the path and "
                           f"permissions.") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return output
