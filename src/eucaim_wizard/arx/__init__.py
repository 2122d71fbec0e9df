"""Open ARX project files (``.deid``) as eucaim-wizard projects, and describe projects for ARX.

An ARX project file is a zip archive written by the ARX GUI [1]_:

==============================  =========================================================
``project.xml``                 project name and CSV syntax (separator, quote)
``metadata.xml``                ARX version
``input/definition.xml``        one ``<assigment>`` per column: attribute type, data type,
                                hierarchy reference, min/max generalization level
``input/config.xml``            suppression limit, metric label, attribute weights and one
                                ``<criterion>`` string per privacy model (``toString()``)
``input/config.dat``            the same configuration as a Java-serialized
                                ``ModelConfiguration``: what ARX itself loads, including the
                                hierarchies, the aggregate function, the search settings
``input/hierarchies/*.csv``     copies of the hierarchies (ARX trims their cells on writing)
``data/input.csv``              the data, with the project separator
``project.dat``, ``lattice.*``  the GUI model and, after a run, ARX's result: every checked
                                transformation with its anonymity and information loss
==============================  =========================================================

The XML parts are read with :mod:`xml.etree`; the ``.dat`` parts with a small reader of the
Java serialization stream format [2]_ that only builds plain Python values (no code runs).
What ARX uses and eucaim-wizard cannot express is listed by :func:`import_arx`, never
dropped silently.

References
----------
.. [1] F. Prasser, F. Kohlmayer, "Putting Statistical Disclosure Control into Practice: The ARX
   Data Anonymization Tool", in *Medical Data Privacy Handbook*, Springer, 2015; ARX source
   ``org.deidentifier.arx.gui.worker.WorkerSave`` / ``WorkerLoad`` (which parts are read).
.. [2] Oracle, *Java Object Serialization Specification*, chapter 6 "Object Serialization
   Stream Protocol".
"""

from __future__ import annotations

from .convert import ImportNote, parse_criterion
from .exporting import ArxExport, export_arx
from .importing import ArxImport, import_arx
from .model import ArxAttribute, ArxNode, ArxProject, ArxResult
from .reader import read_arx_project

__all__ = ["ArxAttribute", "ArxNode", "ArxProject", "ArxResult", "ImportNote", "ArxImport", "ArxExport",
           "read_arx_project", "import_arx", "export_arx", "parse_criterion"]
