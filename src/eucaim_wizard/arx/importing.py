"""``import_arx``: write the project file, the data and the hierarchies of an ARX project."""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ProjectError
from ..hierarchies.hierarchy import Hierarchy
from ..tables.output import staged_folder, write_text
from .convert import ImportNote, _convert, _flow
from .model import ArxProject, ArxResult
from .reader import read_arx_project


# --- writing the import -----------------------------------------------------------------
@dataclass
class ArxImport:
    """What :func:`import_arx` wrote, and its report."""

    project_path: Path
    data_path: Path
    hierarchy_paths: dict[str, Path]
    notes: list[ImportNote]
    arx: ArxProject

    @property
    def result(self) -> ArxResult | None:
        """ARX's saved result, if the project file holds one."""
        return self.arx.result

    def report(self) -> str:
        """The report as plain text (also written as comments at the top of the project file)."""
        return _report_text(self.arx, self.notes)


_HEADINGS = {"carried": "Carried over", "not-carried": "Not carried over (ARX settings eucaim-wizard cannot express)",
             "warning": "Check", "result": "ARX's saved result (read from the project file, not recomputed)"}


def _report_text(arx: ArxProject, notes: list[ImportNote]) -> str:
    version = f"ARX {arx.arx_version} " if arx.arx_version else "ARX "
    lines = [f"Imported from {arx.source.name} ({version}project {arx.name!r}) by eucaim-wizard import-arx."]
    for kind, heading in _HEADINGS.items():
        selected = [n for n in notes if n.kind == kind]
        if selected:
            lines.append(f"{heading}:")
            lines += [f"  - {n.topic}: {n.message}" for n in selected]
    return "\n".join(lines)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "attribute"


def _project_yaml(project: dict[str, Any], report: str) -> str:
    lines = [f"# {line}" if line else "#" for line in report.splitlines()]
    lines.append("")
    lines.append(f"data: {_flow(project['data'])}")
    lines.append(f"format: {_flow(project['format'])}")
    lines.append("attributes:")
    for name, entry in project["attributes"].items():
        lines.append(f"  {_flow(name)}: {_flow(entry)}")
    if project["privacy"]:
        lines.append("privacy:")
        lines += [f"  - {_flow(key)}: {_flow(params)}" for entry in project["privacy"] for key, params in entry.items()]
    else:
        lines.append("privacy: []")
    lines.append(f"suppression_limit: {_flow(project['suppression_limit'])}")
    lines.append(f"metric: {_flow(project['metric'])}")
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != project:  # the hand-made layout must say exactly the mapping
        raise AssertionError("the project file written does not read back as the imported project")
    return text


def _check_targets(targets: list[Path], inputs: list[Path], force: bool, what: str) -> None:
    from ..tables.output import refuse_inputs

    for target in targets:
        refuse_inputs(target, inputs)
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        shown = ", ".join(str(t) for t in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise ProjectError(f"{what} would overwrite existing file(s): {shown}. Choose another output name, or "
                           f"give --force to replace them.")


def import_arx(source: str | os.PathLike, output: str | os.PathLike, *, force: bool = False) -> ArxImport:
    """Convert an ARX project file into a eucaim-wizard project file, data and hierarchies.

    Writes ``output`` (the project YAML), ``<stem>_data.csv`` and one
    ``<stem>_hierarchy_<attribute>.csv`` per hierarchy beside it; everything is written to a
    temporary folder first and moved into place at the end, so a failure leaves nothing
    half-written. The report of what was and was not carried over is returned and also
    written as comments at the top of the project file.

    Parameters
    ----------
    source
        The ``.deid`` file saved by ARX.
    output
        The project file to write, e.g. ``project.yaml`` (its folder is created if missing).
    force
        Replace files that already exist (otherwise they are a ProjectError).

    Raises
    ------
    ProjectError
        If the ARX file is damaged or incomplete (the message names the part), or an output
        exists and ``force`` is false.
    TableError
        If ``data/input.csv`` cannot be read as a table.

    Examples
    --------
    >>> result = import_arx("demo.deid", "project.yaml")          # doctest: +SKIP
    >>> print(result.report())                                     # doctest: +SKIP
    """
    from ..tables import TableFormat, write_table

    source = Path(source)
    output = Path(output)
    if output.is_dir():
        raise ProjectError(f"{output} is a folder; give the project file to write in it, e.g. "
                           f"{output / 'project.yaml'}.")
    arx = read_arx_project(source)
    folder = output.parent
    data_name = f"{output.stem}_data.csv"
    names = _hierarchy_file_names(arx, output, data_name)
    # every file appears together or not at all; the project file, which names the others, last
    with staged_folder(folder, inputs=[source], last=output.name) as staging:
        extracted_path = staging / ".arx-input.csv"  # a name no output file can have
        table = _read_data(arx, source, extracted_path)
        conversion = _convert(arx, names, data_name, table)
        used = {name: file for name, file in names.items()
                if "hierarchy" in conversion.project["attributes"].get(name, {})}
        _note_missing_values(arx, table, used, conversion.notes)
        report = _report_text(arx, conversion.notes)
        targets = [output, folder / data_name] + [folder / f for f in used.values()]
        _check_targets(targets, [source], force, f"Importing {source.name}")
        write_table(table, staging / data_name, TableFormat("csv", delimiter=table.format.delimiter,
                                                            quotechar=table.format.quotechar))
        for name, file in used.items():
            Hierarchy(arx.hierarchies[name].table, name=name).write(staging / file)
        write_text(staging / output.name, _project_yaml(conversion.project, report), inputs=[source])
        extracted_path.unlink()
    return ArxImport(output, folder / data_name, {n: folder / f for n, f in used.items()}, conversion.notes, arx)


def _hierarchy_file_names(arx: ArxProject, output: Path, data_name: str) -> dict[str, str]:
    """``<stem>_hierarchy_<attribute>.csv`` for each hierarchy, made unique among the outputs."""
    names: dict[str, str] = {}
    for name in arx.hierarchies:
        candidate, n = f"{output.stem}_hierarchy_{_safe_name(name)}.csv", 2
        while candidate in names.values() or candidate == data_name or candidate == output.name:
            candidate, n = f"{output.stem}_hierarchy_{_safe_name(name)}_{n}.csv", n + 1
        names[name] = candidate
    return names


def _read_data(arx: ArxProject, source: Path, extracted_path: Path):
    """The project's ``data/input.csv``, unpacked to ``extracted_path`` and read as a table."""
    from ..errors import TableError
    from ..tables import read_table
    from .reader import bounded_blocks

    try:
        with zipfile.ZipFile(source) as archive, extracted_path.open("wb") as extracted:
            # the data may be large, but never 200 times its compressed size past 64 MB (a zip bomb)
            for block in bounded_blocks(archive, arx.data_entry, limit=1 << 62, floor=64 << 20):
                extracted.write(block)
    except (zipfile.BadZipFile, EOFError, RuntimeError, zlib.error) as error:
        raise ProjectError(f"{source}: the part {arx.data_entry} cannot be unpacked ({error}); the "
                           f"project file is damaged. Save it again from ARX.") from None
    separator = arx.separator if arx.separator.isascii() and arx.separator not in '\r\n"' else ""
    try:
        return read_table(extracted_path, kind="csv", delimiter=separator or None)
    except TableError as error:
        message = str(error).replace(str(extracted_path), f"{source}, part {arx.data_entry}")
        raise TableError(message) from None


def _note_missing_values(arx: ArxProject, table, used: dict[str, str], notes: list[ImportNote]) -> None:
    """A warning for each imported hierarchy that lacks values of its column."""
    for name in used:
        if name in table.columns:
            for finding in arx.hierarchies[name].check_values(list(table.categories(name)), column=name):
                if finding.severity == "error":
                    notes.append(ImportNote("warning", "hierarchies", f"{name}: {finding.message}"))
