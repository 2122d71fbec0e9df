"""Identifying content inside values, for the de-identification guard (:mod:`.guard`):
national identity numbers, person names in free text, real institution names.

Each detector comes as a pattern RE2 and Python's ``re`` read alike (to select candidate values fast, on a column's
distinct values) and, where a pattern is not enough, a Python check of one value:

- **national identity numbers**: the Spanish DNI (8 digits and the check letter of
  ``number mod 23``) and NIE (``X``/``Y``/``Z``, 7 digits, the letter likewise), both with a
  valid check letter; the Italian *codice fiscale* (16 characters in its fixed layout).
  Published by the Spanish Ministerio del Interior (Real Decreto 1553/2005) and the Italian
  Agenzia delle Entrate (DM 23/12/1976);
- **a person's name in free text**: a title followed by a capitalised word (``Dr. García``,
  ``Dra Ruiz``, ``Prof. Rossi``, ``Mrs Smith``, ``Herr Müller``), a DICOM person name
  ``Family^Given`` that is not the pseudonym ``…^Anonymous``, or one of the most frequent
  given names of the EUCAIM countries followed by a word of letters (``Maria Fernandez``,
  ``GIUSEPPE ROSSI``; :data:`GIVEN_NAMES`, without those that are also common words or
  anatomy: Iris, Rose, Grace, Mark, Pilar, Dolores, …);
- **an institution's name**: words of letters (``Hospital Universitario La Fe``), where the
  EUCAIM anonymiser writes a hashed site identifier.

The guard never quotes a value it flags: only the column, the records and the first row.
"""

from __future__ import annotations

import re

#: the check letters of the Spanish DNI / NIE, by ``number mod 23``
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
#: candidates for a national identity number (RE2-safe); :func:`national_id` checks them
NATIONAL_ID = (r"^\s*([0-9]{8}|[XYZxyz][- ]?[0-9]{7})[- ]?[A-Za-z]\s*$"
               r"|^\s*[A-Za-z]{6}[0-9]{2}[A-Za-z][0-9]{2}[A-Za-z][0-9]{3}[A-Za-z]\s*$")
_TITLES = r"dr|dra|drs|prof|profa|mr|mrs|ms|sr|sra|srta|herr|frau|mme|mlle|dott|dottssa|mevr|dhr"
#: the most frequent given names in Spain, Portugal, Italy, France, Germany, the Netherlands,
#: Greece (in Latin letters) and English-speaking registries (national statistics offices'
#: lists of the commonest names), less those that are also words of clinical or plain text
GIVEN_NAMES = (
    "maria|maría|jose|josé|antonio|manuel|francisco|juan|javier|david|daniel|carlos|jesus|jesús|alejandro|"
    "miguel|rafael|pedro|pablo|angel|ángel|sergio|fernando|luis|jorge|alberto|alvaro|álvaro|diego|adrian|"
    "adrián|raul|raúl|enrique|ramon|ramón|vicente|ignacio|andres|andrés|joaquin|joaquín|carmen|ana|isabel|"
    "laura|cristina|marta|lucia|lucía|elena|concepcion|concepción|manuela|mercedes|rosario|"
    "raquel|teresa|beatriz|nuria|silvia|julia|patricia|irene|montserrat|rocio|rocío|encarnacion|"
    "joao|joão|rui|paulo|tiago|goncalo|gonçalo|ricardo|nuno|sofia|beatriz|mariana|catarina|ines|inês|"
    "giuseppe|giovanni|mario|luigi|francesco|roberto|stefano|andrea|alessandro|massimo|salvatore|"
    "paolo|giorgio|vincenzo|matteo|lorenzo|anna|giuseppina|angela|giovanna|francesca|chiara|paola|"
    "federica|valentina|alessia|martina|giulia|jean|pierre|michel|philippe|alain|nicolas|christophe|"
    "patrick|thierry|sebastien|sébastien|marie|nathalie|isabelle|sylvie|catherine|sandrine|valerie|"
    "valérie|christine|monique|francoise|françoise|hans|peter|wolfgang|klaus|jurgen|jürgen|dieter|"
    "thomas|michael|andreas|stefan|uwe|ursula|monika|petra|sabine|renate|helga|karin|brigitte|ingrid|"
    "jan|johannes|cornelis|hendrik|willem|pieter|gerrit|maarten|sanne|johanna|anneke|wilhelmina|"
    "georgios|dimitrios|konstantinos|ioannis|nikolaos|panagiotis|vasileios|eleni|aikaterini|vasiliki|"
    "sophia|john|james|robert|william|richard|charles|joseph|christopher|matthew|anthony|steven|paul|"
    "andrew|kenneth|joshua|mary|patricia|jennifer|linda|elizabeth|barbara|susan|jessica|sarah|karen|"
    "nancy|lisa|margaret|sandra|ashley|dorothy|kimberly|emily|donna|michelle|carol|amanda|melissa|"
    "deborah|stephanie|rebecca|sharon|cynthia|kathleen|amy|shirley|anna|brenda|pamela|nicole|samantha"
)
#: a title and a capitalised name, or Family^Given (RE2-safe; the pseudonym ^Anonymous excepted
#: by :func:`name_in_text`)
NAME_IN_TEXT = (r"(^|[^A-Za-z])(?i:" + _TITLES + r")\.?\s+[A-ZÀ-Þ][a-zß-ÿ]+"
                r"|[A-Za-zÀ-ÿ]{2,}\^[A-Za-zÀ-ÿ]{2,}"
                r"|(^|[^A-Za-zÀ-ÿ])(?i:" + GIVEN_NAMES + r")\s+[A-Za-zÀ-ÿ]{2,}")
_GIVEN_THEN_WORD = re.compile(r"(?<![^\W\d_])(?i:" + GIVEN_NAMES + r")\s+[^\W\d_]{2,}")
#: the words of a real institution's name (RE2-safe): two words of letters or more
INSTITUTION_NAME = r"[A-Za-zÀ-ÿ]{2,}[ .'-]+[A-Za-zÀ-ÿ]{2,}"
_CODICE_FISCALE = re.compile(r"[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]")


def national_id(value: str) -> str | None:
    """The kind of national identity number ``value`` is (``"Spanish DNI"``, ``"Spanish NIE"``,
    ``"Italian codice fiscale"``), or None; a DNI or NIE only with its valid check letter.

    >>> national_id("12345678Z"), national_id("12345678A"), national_id("X1234567L")
    ('Spanish DNI', None, 'Spanish NIE')
    """
    text = re.sub(r"[\s-]", "", value).upper()
    dni = re.fullmatch(r"(\d{8})([A-Z])", text)
    if dni:
        return "Spanish DNI" if _DNI_LETTERS[int(dni.group(1)) % 23] == dni.group(2) else None
    nie = re.fullmatch(r"([XYZ])(\d{7})([A-Z])", text)
    if nie:
        number = int(str("XYZ".index(nie.group(1))) + nie.group(2))
        return "Spanish NIE" if _DNI_LETTERS[number % 23] == nie.group(3) else None
    return "Italian codice fiscale" if _CODICE_FISCALE.fullmatch(text) else None


def name_in_text(value: str) -> bool:
    """Whether free text holds what looks like a person's name (see the module docstring).

    >>> name_in_text("CT THORAX Dr. Garcia"), name_in_text("Smith^John"), name_in_text("EUCAIM-3fa9^Anonymous")
    (True, True, False)
    >>> name_in_text("DR CHEST PA"), name_in_text("T2 FLAIR AX"), name_in_text("Patient Maria Fernandez")
    (False, False, True)
    """
    titled = re.search(r"(?:^|[^A-Za-z])(?i:" + _TITLES + r")\.?\s+[^\W\d_][^\W\d_A-Z]+", value)
    if titled and titled.group(0).split()[-1][0].isupper():
        return True
    for family, given in re.findall(r"([^\W\d_]{2,})\^([^\W\d_]{2,})", value):
        if given.lower() != "anonymous":
            return True
    return _GIVEN_THEN_WORD.search(value) is not None


# -- names and placeholders (the guard reads column names and DICOM person names by them) --
_PLACEHOLDERS = {"anonymous", "anonymized", "anonymised", "anon", "removed", "unknown", "none", "null",
                 "patient", "phantom", "test", "qa", "deidentified", "de-identified", "redacted", "n/a",
                 "na", "xxx", "xxxx"}
_ALPHA_WORD = re.compile(r"[^\W\d_]{2,}(?:[-' ][^\W\d_]+)*")


#: name words of direct identifiers (``PatientID`` → patient, id; ``e-mail`` → e, mail)
_IDENTIFIER_WORDS = {"id", "ids", "uid", "uuid", "mrn", "ssn", "nhs", "email", "mail", "phone", "telephone",
                     "mobile", "fax", "address", "surname", "firstname", "lastname", "fullname", "accession",
                     "passport"}
#: a ``name`` column names a person when one of these words is in its name too
_PERSON_WORDS = {"patient", "patients", "physician", "physicians", "doctor", "first", "last", "given",
                 "family", "full", "maiden", "middle", "mother", "father", "operator", "operators",
                 "performing", "referring", "person", "subject", "user", "nick", "birth"}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def identifier_name(name: str) -> bool:
    """Whether a column name is that of a direct identifier: ``PatientID``, ``e-mail``,
    ``SOPInstanceUID``, ``ReferringPhysicianName`` (not ``ManufacturerModelName``).

    >>> identifier_name("PatientID"), identifier_name("patient_name"), identifier_name("ManufacturerModelName")
    (True, True, False)
    """
    words = [word.lower() for word in _WORD.findall(name)]
    if set(words) & _IDENTIFIER_WORDS:
        return True
    return "name" in words and (len(words) == 1 or bool(set(words) & _PERSON_WORDS))


def _filled(value: str) -> bool:
    """A field holds something other than a placeholder or a pseudonym."""
    text = value.strip()
    if not any(c.isalnum() for c in text):
        return False
    return not _placeholder(text)


def _placeholder(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered.endswith("^anonymous") or lowered.startswith("eucaim-"):
        return True
    words = [w for w in re.split(r"[\s^=_\-]+", lowered) if w]
    return bool(words) and all(w in _PLACEHOLDERS or any(c.isdigit() for c in w) for w in words) \
        and any(w in _PLACEHOLDERS for w in words)


def _real_name(value: str) -> bool:
    """A DICOM person name that looks real, not a pseudonym: a component of letters only
    (``Smith^John``, ``CompressedSamples^CT1``, ``Smith``), not ``...^Anonymous``, not a
    placeholder such as ``ANONYMOUS``, and not a code such as ``P001`` or ``EUCAIM-3fa9``."""
    text = value.strip()
    if not text or _placeholder(text):
        return False
    for group in text.split("="):  # alphabetic, ideographic, phonetic representations
        for component in group.split("^"):
            component = component.strip()
            if _ALPHA_WORD.fullmatch(component) and component.lower() not in _PLACEHOLDERS:
                return True
    return False


__all__ = ["GIVEN_NAMES", "INSTITUTION_NAME", "NAME_IN_TEXT", "NATIONAL_ID", "identifier_name", "name_in_text", "national_id"]
