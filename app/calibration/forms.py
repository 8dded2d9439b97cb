"""What the calibration pages send: a level and a comment per criterion (radio groups and text areas named after
the criterion), read the same way for the reference and for a calibration review."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LevelsForm:
    levels: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)

    @classmethod
    def sent(cls, criteria: list[str], data) -> LevelsForm:
        def text(name: str) -> str:
            value = data.get(name)
            return value if isinstance(value, str) else ""

        return cls(levels={key: text(f"level-{key}") for key in criteria},
                   comments={key: text(f"comment-{key}") for key in criteria})

    @classmethod
    def saved(cls, items) -> LevelsForm:
        """From saved scores or references (each with criterion_key, level_key, comment)."""
        return cls(levels={item.criterion_key: item.level_key or "" for item in items},
                   comments={item.criterion_key: item.comment for item in items})
