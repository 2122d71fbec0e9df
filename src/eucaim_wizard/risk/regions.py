"""Population presets: the population a table is a sample of, by region.

EU-27 and each of its 27 member states (the countries of the EUCAIM federation's data
holders are EU member states): Eurostat, population on 1 January 2024 (dataset
``demo_gind``, published 11 July 2024), rounded to the nearest 100.  USA: ARX's preset
(317,238,626), kept so that ARX's published figures for the Adult data can be reproduced.

A region is named by its code or its English name, in any case: ``EU-27`` (or ``EU27``,
``EU``), ``ES`` / ``Spain``, ``EL`` or ``GR`` / ``Greece``, ``USA`` / ``US``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._common import RiskError

EUROSTAT = "Eurostat, 1 January 2024 (demo_gind), rounded to 100"


@dataclass(frozen=True)
class Region:
    """A population preset: its code, English name, population and where the figure comes from."""

    code: str
    name: str
    population: int
    source: str = EUROSTAT


#: every preset, by code
REGIONS: dict[str, Region] = {r.code: r for r in (
    Region("EU-27", "European Union (27 member states)", 449_206_600),
    Region("AT", "Austria", 9_158_800),
    Region("BE", "Belgium", 11_832_000),
    Region("BG", "Bulgaria", 6_445_500),
    Region("HR", "Croatia", 3_862_000),
    Region("CY", "Cyprus", 933_500),
    Region("CZ", "Czechia", 10_900_600),
    Region("DK", "Denmark", 5_961_200),
    Region("EE", "Estonia", 1_374_700),
    Region("FI", "Finland", 5_603_900),
    Region("FR", "France", 68_402_000),
    Region("DE", "Germany", 83_445_000),
    Region("EL", "Greece", 10_397_200),
    Region("HU", "Hungary", 9_584_600),
    Region("IE", "Ireland", 5_343_800),
    Region("IT", "Italy", 58_989_700),
    Region("LV", "Latvia", 1_871_900),
    Region("LT", "Lithuania", 2_885_900),
    Region("LU", "Luxembourg", 672_100),
    Region("MT", "Malta", 563_000),
    Region("NL", "Netherlands", 17_942_900),
    Region("PL", "Poland", 36_621_000),
    Region("PT", "Portugal", 10_639_700),
    Region("RO", "Romania", 19_064_400),
    Region("SK", "Slovakia", 5_424_700),
    Region("SI", "Slovenia", 2_123_900),
    Region("ES", "Spain", 48_610_500),
    Region("SE", "Sweden", 10_551_700),
    Region("USA", "United States of America", 317_238_626, "ARX 3.9's preset for the USA"),
)}

DEFAULT_REGION = "EU-27"

_ALIASES = {"EU27": "EU-27", "EU": "EU-27", "EUROPEAN UNION": "EU-27", "GR": "EL", "US": "USA",
            "UNITED STATES": "USA", "CZECH REPUBLIC": "CZ", "THE NETHERLANDS": "NL"}


@dataclass(frozen=True)
class Population:
    """The population a table is a sample of: its size and, for a preset, the region's code."""

    size: int
    region: str | None = None

    @property
    def label(self) -> str:
        if self.region is None:
            return f"a population of {self.size:,}"
        return f"{REGIONS[self.region].name} ({self.size:,})"


def find_region(name: str) -> Region | None:
    """The preset named ``name`` (code or English name, any case), or ``None``."""
    key = " ".join(str(name).strip().upper().replace("_", " ").split())
    key = _ALIASES.get(key, key)
    if key in REGIONS:
        return REGIONS[key]
    for region in REGIONS.values():
        if region.name.upper() == key:
            return region
    return None


def parse_population(value: str | int | Population | None) -> Population:
    """A population from a size (``317238626``, ``"317,238,626"``) or a region preset.

    ``None`` gives the default, EU-27.

    Raises
    ------
    RiskError
        For a size below 1 or a name that is no preset (the message lists the presets).
    """
    if isinstance(value, Population):
        return value
    if value is None:
        value = DEFAULT_REGION
    if isinstance(value, bool):
        raise RiskError(f"the population must be a number of people or a region, not {value!r}")
    if isinstance(value, int):
        size = value
    else:
        text = str(value).strip()
        if re.fullmatch(r"[0-9][0-9_,' ]*", text):
            size = int(re.sub(r"[_,' ]", "", text))
        else:
            region = find_region(text)
            if region is None:
                raise RiskError(
                    f"unknown population {text!r}: give the number of people the table is a sample of "
                    f"(e.g. 5343800) or one of the regions {', '.join(REGIONS)} (codes or English "
                    f"names, e.g. Spain)")
            return Population(region.population, region.code)
    if size < 1:
        raise RiskError(f"the population must be at least 1 person, not {size:,}: give the number of people "
                        "the table is a sample of, or a region such as EU-27")
    return Population(int(size))


__all__ = ["Population", "Region", "REGIONS", "DEFAULT_REGION", "find_region", "parse_population"]
