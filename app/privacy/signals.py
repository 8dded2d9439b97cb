"""What happens to a person's data, told to whoever keeps copies of it (blinker, as app/plans/signals.py)."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the User just anonymised (their name and e-mail already replaced); actor. Receivers delete what still
# holds the old name, in the same transaction.
user_anonymised = _signals.signal("user-anonymised")
