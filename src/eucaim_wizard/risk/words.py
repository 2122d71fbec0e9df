"""Plain words: one sentence per risk figure, saying what it means for this table.

ARX's users find its risk figures hard to read ("prosecutor risk is always 1.0?").  Every
figure the CLI prints — and the report reuses — comes with a sentence written from the
table's own numbers: how many records, on which attributes, out of which population.
"""

from __future__ import annotations

from dataclasses import dataclass

from .attributes import AttributeRisk
from .population import PITMAN, SNB, ZAYATZ
from .regions import REGIONS
from .sample import largest_size_at_risk

_MODEL_NAMES = {PITMAN: "Pitman", ZAYATZ: "Zayatz", SNB: "SNB"}


@dataclass(frozen=True)
class Explanation:
    """A figure as printed (``label``, ``value``) and what it means (``sentence``)."""

    key: str
    label: str
    value: str
    sentence: str


def percent(share: float) -> str:
    """A share as a percentage with as many decimals as make it readable (``"0.0095 %"``)."""
    value = 100.0 * share
    if value == 0:
        return "0 %"
    if abs(share - 1.0) <= 1e-9:  # a sum of shares that is 1 up to rounding
        return "100 %"
    if value >= 99.95 and share < 1:  # never round a share below 1 up to 100 %
        digits = 2
        while float(f"{value:.{digits}f}") >= 100:
            digits += 1
        return f"{value:.{digits}f} %"
    if value >= 1:
        return f"{value:.1f} %"
    if value >= 0.01:
        return f"{value:.2f} %"
    return f"{value:.2g} %"


def decimal(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` decimals, or more when that would round a value below 1 up to 1."""
    while value < 1 and float(f"{value:.{digits}f}") >= 1 and digits < 12:
        digits += 1
    return f"{value:.{digits}f}"


def precise_percent(share: float) -> str:
    """A share as a percentage with four significant digits (``"3.890 %"``); below one in a
    million, ``"< 0.0001 %"`` (an estimate such as 6.943e-50 % says nothing more, and reads as
    noise).

    >>> precise_percent(0.0389), precise_percent(6.943e-52), precise_percent(0.0)
    ('3.890 %', '< 0.0001 %', '0 %')
    """
    if share == 0:
        return "0 %"
    return "< 0.0001 %" if 100.0 * share < 1e-4 else f"{100.0 * share:#.4g} %"


def _people(count: float) -> str:
    return f"{round(count):,} {'person' if round(count) == 1 else 'people'}"


def _records(count: int) -> str:
    return f"{count:,} record{'s' if count != 1 else ''}"


def _share_of_records(share: float, verb_one: str, verb_many: str) -> str:
    """'1 in 2 records is' / '65 % of records are' / 'every record is'."""
    if share >= 1.0:
        return f"every record {verb_one}"
    if 0 < share <= 0.55 and round(1 / share) >= 2:
        return f"1 in {round(1 / share):,} records {verb_one}"
    return f"{percent(share)} of records {verb_many}"


def _attributes(qis: tuple[str, ...]) -> str:
    return _join(qis) if len(qis) <= 3 else f"these {len(qis)} attributes"


def _risk(value: float) -> str:
    if value == 1:
        return "1"
    return f"{value:.4f}".rstrip("0") if value >= 0.001 else f"{value:.3g}"


def explain(analysis) -> list[Explanation]:
    """Every figure of a :class:`~eucaim_wizard.risk.RiskAnalysis`, each with its sentence.

    The list is in reading order: classes, uniques, the attacker models, average and lowest
    risk, the risk distribution (one entry per band holding records), population uniqueness,
    and the attribute combinations of :func:`attribute_highlights`.
    """
    s = analysis.sample
    qis = analysis.quasi_identifiers
    on = _attributes(qis) if qis else "the quasi-identifiers"
    n, total = s.records, s.records + s.suppressed_records
    if n == 0:
        return [Explanation("classes", "equivalence classes", "0",
                            f"All {_records(total)} are suppressed: none keeps a value of {on}, so no record can "
                            f"be re-identified by them, and every risk figure is 0.")]
    items = [_explain_classes(s, n, on), _explain_sample_uniques(s, qis, on)]
    items.extend(_explain_prosecutor(s, n, on))
    items.extend(_explain_other_attackers(s, n, on))
    items.append(_explain_lowest_risk(s))
    items.extend(_explain_distribution(s, n))
    if analysis.population is not None:
        items.extend(_population(analysis.population, n, on))
    if analysis.attributes:
        for risk in attribute_highlights(analysis.attributes):
            items.append(explain_attribute(risk, n))
    return items


def _explain_classes(s, n: int, on: str) -> Explanation:
    """The equivalence classes: how many, their sizes, and the suppressed records left out."""
    c = s.classes
    k = s.suppressed_records
    left_out = (f" The {k:,} suppressed record{'s are' if k != 1 else ' is'} left out: suppression removes every "
                f"value an attacker could match." if k else "")
    return Explanation("classes", "equivalence classes",
                       f"{c.count:,} (average size {c.average_size:.2f}, smallest {c.min_size:,}, "
                       f"largest {c.max_size:,})",
                       f"The {_records(n)} form{'s' if n == 1 else ''} {c.count:,} group{'s' if c.count != 1 else ''} "
                       f"of identical values of {on}: {c.average_size:.2f} records per group on average, from "
                       f"{c.min_size:,} to {c.max_size:,}.{left_out}")


def _explain_sample_uniques(s, qis: tuple[str, ...], on: str) -> Explanation:
    """The share of records unique in the table, and what an attacker can do with them."""
    c = s.classes
    if s.sample_unique_records:
        them = "that record" if s.sample_unique_records == 1 else f"those {s.sample_unique_records:,} records"
        sentence = (f"{_share_of_records(s.sample_uniques, 'is', 'are').capitalize()} unique on {on}: anyone who "
                    f"knows {'these values' if len(qis) > 1 else 'this value'} of a person can single out {them}.")
    else:
        sentence = (f"No record is unique on {on}: every record shares its values with at least "
                    f"{c.min_size - 1:,} other{'s' if c.min_size > 2 else ''}.")
    return Explanation("sample_uniques", "sample uniques",
                       f"{percent(s.sample_uniques)} ({_records(s.sample_unique_records)})", sentence)


def _explain_prosecutor(s, n: int, on: str) -> list[Explanation]:
    """The prosecutor model: highest risk, records at risk and success rate."""
    c = s.classes
    p = s.prosecutor
    if c.min_size == 1:
        sentence = (f"Someone who knows that a person is in this table and knows their values of {on} identifies "
                    f"them with certainty for {_records(p.records_at_highest_risk)} "
                    f"({percent(p.records_at_highest_risk / n)}).")
    else:
        sentence = (f"Someone who knows that a person is in this table and knows their values of {on} can narrow "
                    f"them down to no fewer than {c.min_size:,} records: at most a 1 in {c.min_size:,} chance, for "
                    f"{_records(p.records_at_highest_risk)} ({percent(p.records_at_highest_risk / n)}).")
    items = [Explanation("prosecutor.highest_risk", "prosecutor: highest risk",
                         f"{_risk(p.highest_risk)} ({_records(p.records_at_highest_risk)})", sentence)]
    largest = largest_size_at_risk(s.threshold)
    at_risk = round(p.records_at_risk * n)
    if largest == 0:
        sentence = f"No risk can exceed the threshold {s.threshold:g}, so no record is at risk."
    elif at_risk == 0:
        sentence = (f"No record has a risk above the threshold {s.threshold:g}: every record is in a group of "
                    f"at least {largest + 1:,}.")
    else:
        groups = "groups of 1 (unique records)" if largest == 1 else f"groups of {largest:,} records or fewer"
        sentence = (f"{percent(p.records_at_risk)} of records ({at_risk:,}) have a risk above the threshold "
                    f"{s.threshold:g}: they are in {groups}.")
    items.append(Explanation("prosecutor.records_at_risk", "prosecutor: records at risk", percent(p.records_at_risk),
                             sentence))
    items.append(Explanation("prosecutor.success_rate", "prosecutor: success rate", _risk(p.success_rate),
                             f"Trying to re-identify every record, a prosecutor would be right for {c.count:,} of "
                             f"the {n:,} records on average ({percent(p.success_rate)})."))
    return items


def _explain_other_attackers(s, n: int, on: str) -> list[Explanation]:
    """The journalist and marketer models, and the average risk."""
    c = s.classes
    j = s.journalist
    return [
        Explanation("journalist", "journalist: highest / at risk / success",
                    f"{_risk(j.highest_risk)} / {percent(j.records_at_risk)} / {_risk(j.success_rate)}",
                    "A journalist does not know whether a person is in the table; with no table of the whole "
                    "population the table's own groups stand for the population's (as in ARX), so the "
                    "figures equal the prosecutor's."),
        Explanation("marketer.success_rate", "marketer: success rate", _risk(s.marketer.success_rate),
                    f"Linking the whole table to an identified register that holds {on}, an attacker would "
                    f"correctly re-identify about {c.count:,} of the {n:,} records "
                    f"({percent(s.marketer.success_rate)})."),
        Explanation("average_risk", "average risk", _risk(s.average_risk),
                    f"On average a record is re-identified with probability {s.average_risk:.3f}: 1 over the "
                    f"average group size of {c.average_size:.2f} records."),
    ]


def _explain_lowest_risk(s) -> Explanation:
    """The lowest risk: the records in the largest groups."""
    c = s.classes
    largest_groups = s.records_at_lowest_risk // c.max_size
    if c.max_size == 1:
        sentence = "Every record is unique, so even the safest record has risk 1."
    else:
        sentence = (f"The safest {_records(s.records_at_lowest_risk)} are in the largest "
                    f"group{'s' if largest_groups > 1 else ''} ({c.max_size:,} records sharing their values): "
                    f"a 1 in {c.max_size:,} chance each.")
    return Explanation("lowest_risk", "lowest risk", f"{_risk(s.lowest_risk)} ({_records(s.records_at_lowest_risk)})",
                       sentence)


def _explain_distribution(s, n: int) -> list[Explanation]:
    """The risk distribution: one entry per risk band holding records."""
    items = []
    for index, band in enumerate(s.distribution):
        if band.records == 0:
            continue
        count = round(band.records * n)
        verb = "is" if count == 1 else "are"
        if band.max_class_size == 1:
            groups = f"{verb} unique (groups of 1)"
        elif band.min_class_size == band.max_class_size:
            groups = f"{verb} in groups of {band.min_class_size:,} records"
        else:
            groups = f"{verb} in groups of {band.min_class_size:,}–{band.max_class_size:,} records"
        items.append(Explanation(f"distribution.{index}", f"risk in ({band.low:g}, {band.high:g}]",
                                 f"{percent(band.records)} (cumulative {percent(band.cumulative)})",
                                 f"{_records(count)} ({percent(band.records)}) {groups}; "
                                 f"{percent(band.cumulative)} of all records have a risk of {band.high:g} or less."))
    return items


def _population(u, n: int, on: str) -> list[Explanation]:
    where = f"{REGIONS[u.region].name}" if u.region else "the population"
    people = f"{u.population_size:,} people"
    items = [Explanation("population.sampling_fraction", "sampling fraction",
                         f"{percent(u.sampling_fraction)} ({n:,} of {u.population_size:,})",
                         f"The table holds {percent(u.sampling_fraction)} of {where} ({people}); the population "
                         f"models estimate who is unique among all of them, not only in the table.")]
    if u.dankar_model is None and u.dankar == 0:
        items.append(Explanation("population.dankar", "population uniques", "0 %",
                                 f"No record is unique in the table, so no one in {where} is estimated to be "
                                 f"unique on {on}."))
        return items
    if u.dankar is None:
        items.append(Explanation("population.dankar", "population uniques", "not available",
                                 "None of the population models gives an estimate for this table."))
    else:
        why = ("the table holds 10 % of the population or less" if u.sampling_fraction <= 0.1
               else "the table holds more than 10 % of the population (the smaller of Zayatz and SNB)")
        if u.dankar_model == ZAYATZ and u.sampling_fraction <= 0.1:
            why = "Pitman's model gives no estimate here"
        items.append(Explanation(
            "population.dankar", f"population uniques (Dankar: {_MODEL_NAMES[u.dankar_model]})",
            precise_percent(u.dankar),
            f"An estimated {percent(u.dankar)} of {where} (about {_people(u.dankar * u.population_size)}) "
            f"are unique on {on}: a record that is unique here may belong to one of them, and then it points "
            f"to that person alone. Dankar's rule uses {_MODEL_NAMES[u.dankar_model]} because {why}."))
    cited = {PITMAN: "Pitman's model (Hoshino 2001)", ZAYATZ: "Zayatz's model (1991)",
             SNB: "The SNB model (Chen & Keller-McNulty 1998)"}
    for model in (PITMAN, ZAYATZ, SNB):
        value = getattr(u, model)
        if value is None:
            items.append(Explanation(f"population.{model}", _MODEL_NAMES[model], u.unavailable.get(model, "n/a"),
                                     f"{cited[model]} {u.unavailable.get(model, 'gives no estimate')} on this "
                                     f"table, so it gives no estimate."))
        else:
            items.append(Explanation(f"population.{model}", _MODEL_NAMES[model], precise_percent(value),
                                     f"{cited[model]} estimates that {percent(value)} of {where} "
                                     f"(about {_people(value * u.population_size)}) are unique on {on}."))
    return items


def attribute_highlights(risks) -> list[AttributeRisk]:
    """The combinations worth printing: each single attribute (most separating first), then,
    for each larger size, the combination with the highest distinction."""
    singles = sorted((r for r in risks if len(r.qis) == 1), key=lambda r: (-r.separation, r.qis))
    best = {}
    for risk in risks:
        size = len(risk.qis)
        if size > 1 and (size not in best or (risk.distinction, risk.separation) > (best[size].distinction,
                                                                                   best[size].separation)):
            best[size] = risk
    return singles + [best[size] for size in sorted(best)]


def explain_attribute(risk: AttributeRisk, records: int) -> Explanation:
    """What one combination's α-distinction and α-separation mean for the table."""
    single = len(risk.qis) == 1
    subject = f"{risk.qis[0]} alone" if single else f"Together, {_join(risk.qis)}"
    if risk.distinction == 1:
        groups = f"make{'s' if single else ''} every one of the {records:,} records unique"
    else:
        kind = "value" if single else "value combination"
        groups = (f"take{'s' if single else ''} {risk.classes:,} distinct {kind}{'s' if risk.classes != 1 else ''} "
                  f"among {records:,} records")
    distinction, separation = decimal(risk.distinction), decimal(risk.separation)
    return Explanation(f"attributes.{'+'.join(risk.qis)}", ", ".join(risk.qis),
                       f"distinction {distinction}, separation {separation}",
                       f"{subject} {groups} (distinction {distinction}); {percent(risk.separation)} of "
                       f"all pairs of records differ on {'it' if single else 'them'} (separation {separation}).")


def _join(names) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


__all__ = ["Explanation", "explain", "explain_attribute", "attribute_highlights", "percent"]
