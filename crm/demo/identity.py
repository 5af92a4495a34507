"""Who a demo employer is: name, place, registration number, and the keys that keep rows unique."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower

from crm.choices import Ownership, Sector, SizeBand
from crm.demo import vocabulary as words
from crm.models import Contact, Employer, normalise_name, normalise_postcode

COUNTRY_WEIGHTS = {"NL": 45, "BE": 30, "SE": 25}
SIZE_WEIGHTS = {SizeBand.MICRO: 25, SizeBand.SMALL: 40, SizeBand.MEDIUM: 25, SizeBand.LARGE: 10}
TLD = {"NL": "nl", "BE": "be", "SE": "se"}
NL_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    """One key of `weights`, drawn in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def staff_language(country: str) -> str:
    """The language staff write notes in for an employer in this country."""
    return "sv" if country == "SE" else "nl"


def registration_number(index: int, country: str, ownership: str) -> str:
    """A well-formed, unique registration number for demo employer `index` (KvK, KBO or organisationsnummer)."""
    spread = index * 7919 + 104729  # a prime step spreads consecutive employers over the number range
    if country == "BE":
        first8 = 4_000_000 + spread % 5_000_000
        digits = f"{first8:08d}{97 - first8 % 97:02d}"  # KBO check: 97 - (first eight digits mod 97)
        return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    if country == "SE":
        prefix = {Ownership.PUBLIC: "212", Ownership.NON_PROFIT: "802"}.get(Ownership(ownership), "556")
        body = f"{prefix}{spread % 1_000_000:06d}"
        return f"{body[:6]}-{body[6:]}{luhn_digit(body)}"
    return f"{60_000_000 + spread % 30_000_000:08d}"


def luhn_digit(digits: str) -> int:
    """The Luhn check digit that Swedish organisation numbers end with."""
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def make_postcode(rng: random.Random, country: str, city: words.City) -> str:
    """A postcode of the city, in the country's format."""
    code = rng.choice(city.postcodes)
    if "-" not in code:
        return code
    low, high = (int(part) for part in code.split("-"))
    number = rng.randint(low, high)
    if country == "SE":
        return f"{number} {rng.randint(10, 99)}"
    return f"{number} {rng.choice(NL_POSTCODE_LETTERS)}{rng.choice(NL_POSTCODE_LETTERS)}"


@dataclass
class Identity:
    """The parts of a demo employer that decide whether it exists already, and its random generator."""

    index: int
    rng: random.Random
    name: str
    country: str
    city: words.City
    sector: Sector
    size: SizeBand
    ownership: Ownership
    registration_number: str


def make_identity(index: int, seed: str) -> Identity:
    """The name, place, sector and registration number of demo employer `index`."""
    rng = random.Random(f"{seed}:{index}")  # noqa: S311  (demo data, not security)
    if index < len(words.CURATED):
        cur = words.CURATED[index]
        city = next(c for c in words.CITIES[cur.country] if c.name == cur.city)
        name, country, sector, size, ownership = cur.name, cur.country, cur.sector, cur.size, cur.ownership
    else:
        country = pick(rng, COUNTRY_WEIGHTS)
        city = rng.choice(words.CITIES[country])
        sector = pick(rng, words.SECTOR_WEIGHTS)
        size = pick(rng, SIZE_WEIGHTS)
        ownership = _ownership(rng, sector)
        name = _generated_name(rng, country, sector, ownership)
    reg = registration_number(index, country, ownership)
    return Identity(index, rng, name, country, city, sector, size, ownership, reg)


def _ownership(rng: random.Random, sector: Sector) -> Ownership:
    """Care and childcare are mostly non-profit; elsewhere most employers are companies (Flora IV.3 A.a)."""
    if sector in (Sector.CARE, Sector.EDUCATION):
        return pick(rng, {Ownership.NON_PROFIT: 6, Ownership.PUBLIC: 2, Ownership.PROFIT: 2})
    return pick(rng, {Ownership.PROFIT: 7, Ownership.NON_PROFIT: 3})


def _generated_name(rng: random.Random, country: str, sector: Sector, ownership: Ownership) -> str:
    """A plausible name from the country's patterns for the sector, with a legal form now and then."""
    pattern = rng.choice(words.NAME_PATTERNS[country][sector])
    word = rng.choice(words.HOUSE_WORDS[country])
    name = pattern.format(word=word, family=rng.choice(words.FAMILY_NAMES_FOR_FIRMS[country]))
    if country == "NL" and ownership == Ownership.PROFIT and rng.random() < 0.3:
        name += " B.V."
    elif country == "BE" and ownership == Ownership.NON_PROFIT and rng.random() < 0.6:
        name += " vzw"
    elif country == "BE" and ownership == Ownership.PROFIT and rng.random() < 0.3:
        name += " BV"
    return name


@dataclass
class Registry:
    """Natural keys already taken, so generated rows never collide with stored ones or with each other."""

    name_postcodes: set[tuple[str, str]] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> Registry:
        """Read the taken names-with-postcode and contact emails from the database."""
        emails = Contact.objects.exclude(email="").annotate(lower_email=Lower("email"))
        return cls(
            name_postcodes=set(Employer.objects.values_list("normalised_name", "postcode")),
            emails=set(emails.values_list("lower_email", flat=True)),
        )

    def claim_name(self, name: str, postcode: str, branch_word: str) -> str:
        """The name itself, or a numbered branch of it when the name is taken at this postcode."""
        key_postcode = normalise_postcode(postcode)
        candidate, number = name, 1
        while (normalise_name(candidate), key_postcode) in self.name_postcodes:
            number += 1
            candidate = f"{name} {branch_word} {number}"
        self.name_postcodes.add((normalise_name(candidate), key_postcode))
        return candidate

    def claim_email(self, local: str, domain: str) -> str:
        """local@domain, or local2@domain and so on when that is taken."""
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.emails.add(candidate)
        return candidate


def ascii_slug(text: str) -> str:
    """The lower-case ASCII letters and digits of `text`, for email addresses and domains."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain if ch.isalnum())


def domain_of(name: str, country: str) -> str:
    """The web domain of an employer: its name without legal form, in the country's top-level domain."""
    return f"{ascii_slug(normalise_name(name))}.{TLD[country]}"


def landline(rng: random.Random, country: str) -> str:
    """An office number in the country's format."""
    block = f"{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if country == "BE":
        return f"+32 {rng.choice(('2', '3', '9', '16', '50'))} {block}"
    if country == "SE":
        return f"+46 {rng.choice(('8', '31', '40', '18', '19'))} {block}"
    return f"+31 {rng.choice(('30', '20', '10', '70', '24'))} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def mobile(rng: random.Random, country: str) -> str:
    """A mobile number in the country's format."""
    if country == "BE":
        return f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if country == "SE":
        return f"+46 7{rng.choice('0236')} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return f"+31 6 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
