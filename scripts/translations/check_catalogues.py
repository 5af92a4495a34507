"""List the entries of the translation catalogues that still need a translator.

Usage: python scripts/translations/check_catalogues.py [FILE.po ...]

Without arguments it checks every locale/<language>/LC_MESSAGES/*.po. An entry needs work when it
has no translation (or an empty plural form), is marked fuzzy (msgmerge guessed it from a similar
string), or does not keep the placeholders and HTML tags of the English text exactly. Prints one
line per problem and exits 1 when there is any; `make messages` runs it after updating the files.
Standard library only, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# %(name)s and %s style, {name} style, and HTML tags: a translation must keep each one.
PLACEHOLDER = re.compile(
    r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-+#0]*\d*(?:\.\d+)?[sdifr]|\{[A-Za-z_][A-Za-z0-9_]*\}|</?[A-Za-z][^>]*>"
)


@dataclass
class Entry:
    """One message of a .po file: the English text and its translations."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        """The metadata entry (empty msgid) at the top of the file."""
        return self.msgid == "" and self.msgctxt is None


def _unquote(text: str) -> str:
    """The value of one quoted .po string ("..." with C escapes)."""
    value = ast.literal_eval(text.strip())
    if not isinstance(value, str):
        raise ValueError(f"not a quoted string: {text!r}")
    return value


def parse_po(path: Path) -> list[Entry]:
    """The live (non-obsolete) entries of a .po file, header included."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None  # the field a continuation line appends to
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            # A blank line or a comment after the strings closes the entry; obsolete (#~) ones are dropped.
            if target is not None:
                entries.append(current)
                current, target = Entry(), None
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a continuation line outside an entry")
            _append(current, target, _unquote(line))
            continue
        target = _target(keyword, path, number)
        current.line = current.line or number
        _append(current, target, _unquote(rest))
    if target is not None:
        entries.append(current)
    return entries


def _target(keyword: str, path: Path, number: int) -> tuple[str, int]:
    """Which field a `msgid`/`msgstr[1]`/... keyword fills."""
    plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
    if plural:
        return ("msgstr", int(plural.group(1)))
    if keyword in {"msgid", "msgid_plural", "msgctxt", "msgstr"}:
        return (keyword, 0)
    raise ValueError(f"{path}:{number}: unexpected {keyword!r}")


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    """Add text to the field a keyword or continuation line belongs to."""
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def placeholders(text: str) -> list[str]:
    """The placeholders and HTML tags in a text, sorted, so word order may differ."""
    return sorted(PLACEHOLDER.findall(text))


def problems(entry: Entry) -> list[str]:
    """What a translator still has to do for one entry (empty when it is done)."""
    if entry.is_header:
        return ["the header is marked fuzzy"] if "fuzzy" in entry.flags else []
    found: list[str] = []
    expected = 2 if entry.msgid_plural else 1
    translations = [entry.msgstr.get(index, "") for index in range(max(expected, len(entry.msgstr)))]
    if not all(translations):
        found.append("untranslated")
    if "fuzzy" in entry.flags:
        found.append("fuzzy")
    for index, translation in enumerate(translations):
        source = entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid
        if translation and placeholders(translation) != placeholders(source):
            found.append(f"placeholders differ in form {index}: {translation!r}")
    return found


def report(paths: list[Path]) -> list[str]:
    """One line per entry that needs work, across the given .po files."""
    lines: list[str] = []
    for path in paths:
        for entry in parse_po(path):
            for problem in problems(entry):
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                lines.append(f"{shown}:{entry.line}: {problem}: {entry.msgid!r}")
    return lines


def main(argv: list[str]) -> int:
    """Print what still needs translating; exit status 1 when anything does."""
    paths = [Path(arg).resolve() for arg in argv] or sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po"))
    lines = report(paths)
    for line in lines:
        print(line)
    print(f"{len(lines)} entries need a translator in {len(paths)} catalogues." if lines else "All entries translated.")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
