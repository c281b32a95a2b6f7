"""What a button means, as typed values: one small frozen dataclass per kind of press.

Every subclass names a short, stable ``tag`` (``class Accept(Action, tag="j")``). The adapter's
codec turns an action into button data and back, checking every field, so handlers only ever
receive well-formed actions. Fields may be ``int``, ``str`` (letters, digits, ``_ - .``), ``bool``
or a ``StrEnum``. Old or forged data decodes to nothing and is answered calmly in one place.

One module per capability defines its actions; importing this package registers them all.
"""

from __future__ import annotations

from typing import ClassVar

ACTIONS: dict[str, type[Action]] = {}
"""Every action type, by tag."""


class Action:
    """The meaning of a button press."""

    tag: ClassVar[str]

    def __init_subclass__(cls, /, tag: str, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not tag or ":" in tag or len(tag) > 4:
            raise ValueError(f"{cls.__name__}: tag {tag!r} must be 1-4 characters without ':'")
        if tag in ACTIONS:
            raise ValueError(f"{cls.__name__}: tag {tag!r} is taken by {ACTIONS[tag].__name__}")
        cls.tag = tag
        ACTIONS[tag] = cls


def load_all() -> dict[str, type[Action]]:
    """Import every capability's actions; returns the registry."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return ACTIONS
