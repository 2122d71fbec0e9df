"""Pseudonymized identifiers: keyed hashes that keep tables linkable.

Identifiers are dropped from every output by default.  Where a curator needs a linkage key
(EUCAIM links its imaging and clinical tables by PatientID), an identifier column may be
replaced by ``PREFIX + HMAC-SHA-256(secret, value)`` in lowercase hex: the same value gives
the same pseudonym in every table and every run with the same secret, and without the
secret the pseudonym can neither be reversed nor recomputed from a guessed value (which an
unkeyed hash of a short ID would allow).

The secret is read from an environment variable or a file -- never from the project file,
which travels with the data -- and a missing, empty or short secret is an error, never a
silent unkeyed hash.  The value is hashed exactly as written (UTF-8): ``P001`` and
``P001 `` differ.  Empty cells stay empty, so missing identifiers are not linked together.

References
----------
.. [1] H. Krawczyk, M. Bellare, R. Canetti, "HMAC: Keyed-Hashing for Message
   Authentication", RFC 2104, 1997; NIST FIPS 198-1 (2008).
.. [2] NIST FIPS 180-4, Secure Hash Standard (SHA-256).

Examples
--------
>>> key = bytes([0x0b] * 20)   # RFC 4231, test case 1
>>> pseudonyms(["Hi There", ""], key, prefix="EUCAIM-")[0]
'EUCAIM-b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ProjectError, WizardError

if TYPE_CHECKING:
    from .project import Attribute, Project
    from .tables import Table

__all__ = ["MIN_SECRET_BYTES", "SecretError", "pseudonymize_column", "pseudonymize_table", "pseudonyms",
           "read_secret", "secret_for"]

#: the shortest secret accepted: 16 bytes, 128 bits if random
MIN_SECRET_BYTES = 16
_HOW = ('e.g. create one with `python -c "import secrets; print(secrets.token_hex(32))" > '
        'pseudonym.key` and keep it out of the shared folder')


class SecretError(WizardError):
    """The secret for pseudonyms is missing, empty, too short or unreadable."""


def read_secret(*, env: str | None = None, file: str | os.PathLike | None = None,
                base_dir: str | os.PathLike | None = None,
                environ: Mapping[str, str] | None = None) -> bytes:
    """The secret key, from the environment variable ``env`` or the file ``file``.

    A file's text is taken without the surrounding whitespace (the line break ``echo`` adds);
    a relative ``file`` starts at ``base_dir`` (the project file's folder).

    Raises
    ------
    SecretError
        If neither or both are given, the variable is unset or empty, the file is missing or
        empty, or the secret is shorter than :data:`MIN_SECRET_BYTES` bytes.
    """
    if (env is None) == (file is None):
        raise SecretError("Give the secret for pseudonyms in exactly one place: an environment "
                          "variable (secret_env) or a file (secret_file); never in the project file.")
    if env is not None:
        if not variable_name(env):
            raise SecretError(f"secret_env must name an environment variable (letters, digits and _, e.g. "
                              f"EUCAIM_SECRET); what it holds is not shown: {_PASTED}")
        value = (os.environ if environ is None else environ).get(env)
        if value is None:
            raise SecretError(f"The environment variable {env} that should hold the secret for "
                              f"pseudonyms is not set: set it before running ({_HOW}).")
        secret, where = value.strip().encode("utf-8"), f"the environment variable {env}"
    else:
        path = Path(file).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        try:
            secret = path.read_bytes().strip()
        except FileNotFoundError:
            if not path_like(file):
                raise SecretError(f"The secret file named by secret_file does not exist; the name is not shown, "
                                  f"as it does not look like a file name: {_PASTED}") from None
            raise SecretError(f"The secret file {path} for pseudonyms does not exist ({_HOW}).") from None
        except OSError as error:
            raise SecretError(f"The secret file {path} for pseudonyms cannot be read "
                              f"({error.strerror}); check its permissions.") from None
        where = f"the secret file {path}"
    if not secret:
        raise SecretError(f"{where[0].upper()}{where[1:]} is empty: pseudonyms need a secret ({_HOW}).")
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(f"The secret in {where} has {len(secret)} bytes; pseudonyms need at least "
                          f"{MIN_SECRET_BYTES}, so that they cannot be recomputed by guessing it ({_HOW}).")
    return secret


_PASTED = ("if the secret itself was pasted there, take it out of the project file (which travels with the data "
           "and its outputs) and choose a new secret.")


def looks_secret(text: str) -> bool:
    """Whether ``text`` may be a secret rather than a name: 8 characters or more drawing on
    three of lower case, upper case, digits and other signs, or 40 or more without a space."""
    kinds = (any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text),
             any(not c.isalnum() and c not in "_-. " for c in text))
    return (len(text) >= 8 and sum(kinds) >= 3) or (len(text) >= 40 and " " not in text)


def variable_name(text: str) -> bool:
    """Whether ``text`` is an environment variable's name that may be printed: letters, digits
    and ``_``, not starting with a digit, and not :func:`looks_secret`.

    >>> variable_name("EUCAIM_SECRET"), variable_name("S3cr3tK3y-9f2Ab77Qz"), variable_name("a b")
    (True, False, False)
    """
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) is not None and not looks_secret(text)


def path_like(text: str) -> bool:
    """Whether ``text`` reads as a file's name or path (a folder separator, or a name with a
    short extension, or no secret-like run of characters), so that a message may print it."""
    if "/" in text or "\\" in text or re.search(r"\.[A-Za-z0-9]{1,5}$", text):
        return True
    return not looks_secret(text)


def pseudonyms(values: Iterable[str], secret: bytes, prefix: str = "") -> list[str]:
    """``prefix + hex(HMAC-SHA-256(secret, value))`` for every value; ``""`` stays ``""``.

    No length check here (:func:`read_secret` makes it), so that published test vectors of
    HMAC-SHA-256 can be checked.
    """
    if not isinstance(secret, (bytes, bytearray)) or not secret:
        raise SecretError("Pseudonyms need a non-empty secret key (bytes); none was given.")
    keyed = hmac.new(bytes(secret), digestmod=hashlib.sha256)
    out = []
    for value in values:
        if value == "":
            out.append("")
            continue
        mac = keyed.copy()  # the key's inner and outer pads are computed once
        mac.update(value.encode("utf-8"))
        out.append(prefix + mac.hexdigest())
    return out


def pseudonymize_column(table: Table, name: str, secret: bytes, prefix: str = "") -> Table:
    """``table`` with column ``name`` replaced by its pseudonyms (one HMAC per distinct value).

    The other columns, the row order, the format and the path (the input never to be
    overwritten) are kept.
    """
    from .tables import Table

    categories = table.categories(name)  # a TableError naming the columns if there is none
    encoded = {column: (table.codes(column), table.categories(column)) for column in table.columns}
    codes = encoded[name][0]
    replaced = np.array(pseudonyms(categories, secret, prefix), dtype=object)
    encoded[name] = (codes, replaced)
    return Table.from_encoded(encoded, table.n_rows, format=table.format, path=table.path)


def secret_for(attribute: Attribute, project: Project | None = None, *,
               environ: Mapping[str, str] | None = None) -> bytes:
    """The secret of an attribute with ``pseudonymize: true`` (``secret_file`` relative to the
    project file's folder)."""
    base = project.base_dir if project is not None else None
    return read_secret(env=attribute.secret_env, file=attribute.secret_file, base_dir=base, environ=environ)


def pseudonymize_table(table: Table, project: Project, *,
                       environ: Mapping[str, str] | None = None) -> Table:
    """``table`` with every column marked ``pseudonymize: true`` in ``project`` pseudonymized.

    Raises
    ------
    SecretError
        If a secret is missing (before any column is changed).
    ProjectError
        If a pseudonymized attribute is not a column of the table.
    """
    marked = {name: a for name, a in project.attributes.items() if getattr(a, "pseudonymize", False)}
    missing = [name for name in marked if name not in table.columns]
    if missing:
        raise ProjectError(f"{', '.join(missing)} (marked pseudonymize: true) is not a column of the data; "
                           f"fix the name under `attributes:`.")
    secrets = {name: secret_for(a, project, environ=environ) for name, a in marked.items()}
    for name, attribute in marked.items():
        table = pseudonymize_column(table, name, secrets[name], attribute.pseudonym_prefix)
    return table
