"""Which passwords are refused, as NIST SP 800-63B (5.1.1.2) describes: too short, among the most common passwords,
a sequence or repetition, a word of this service, or containing the person's own name or e-mail address.

Nothing else is demanded (no mix of character kinds): a short sentence of ordinary words is a good password."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"

# Words of this service that a guesser tries first (the demo accounts' password is printed in the documentation).
SERVICE_WORDS = ("careplanlab", "careplan", "care", "plan", "lab", "demo")

# A part of a name or an e-mail address shorter than this may well occur by chance in a long password.
PERSONAL_PART_MIN = 4


@functools.cache
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def _without_service_words(letters: str) -> str:
    for word in SERVICE_WORDS:
        letters = letters.replace(word, "")
    return letters


def _shortest_unit(text: str) -> str:
    """"abcabcabc" -> "abc": what the text repeats, or the text itself."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _is_common(text: str) -> bool:
    return bool(text) and (text in common_passwords() or _shortest_unit(text) in common_passwords())


def _is_run(text: str) -> bool:
    """A sequence such as 123456789012, abcdefghijkl or 987654321098, or one character repeated."""
    if len(text) < 3:
        return False
    if text.isdigit():
        steps = {(int(b) - int(a)) % 10 for a, b in zip(text, text[1:])}
        return steps in ({0}, {1}, {9})
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:])}
    return steps in ({0}, {1}, {-1})


def personal_parts(*texts: str | None) -> set[str]:
    """The parts of a name and of an e-mail's local part long enough to look for in a password, lower-cased."""
    parts = set()
    for text in texts:
        text = (text or "").lower()
        if "@" in text:
            text = text.rsplit("@", 1)[0]
            parts.add(text)
        parts.update(re.split(r"[\W_]+", text))  # "nora.ny-2" -> nora, ny, 2
        parts.update(re.findall(r"[^\W\d_]+", text))  # "sara1990" -> sara
    return {part for part in parts if len(part) >= PERSONAL_PART_MIN}


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why this password is refused for the person with this e-mail address and name, or None."""
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)d characters.", n=minimum)
    lowered = password.lower()
    if password.strip() == "" or len(set(password)) < 4 or _is_run(lowered) or _is_run(_shortest_unit(lowered)):
        return _("Choose a password that is harder to guess: a sequence or a repeated pattern is tried first.")
    letters = _letters(password)
    core = _without_service_words(letters)
    # Mostly letters: a common password or the service's words with digits or characters around them.
    wordlike = len(letters) >= PERSONAL_PART_MIN and 2 * len(letters) >= len(password)
    if (_is_common(lowered) or _is_common(re.sub(r"[\W_]+", "", lowered))
            or (wordlike and (_is_common(letters) or _is_common(core) or not core))):
        return _("This is one of the most common passwords (perhaps with a few digits or characters added), so it is "
                 "easy to guess. Choose another: a short sentence of your own is easy to remember.")
    if any(part in lowered for part in personal_parts(email, name)):
        return _("A password must not contain your name or your e-mail address.")
    return None
