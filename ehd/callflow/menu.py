"""Keypad menus: what a digit (or silence) leads to, with retries and a fallback. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ehd.errors import ValidationError

VALID_KEYS = frozenset("0123456789*#")


class Kind(StrEnum):
    QUEUE = "queue"  # target: queue name
    MENU = "menu"  # target: another menu's name
    PROMPT = "prompt"  # target: a sound, played before the menu repeats
    VOICEMAIL = "voicemail"  # target: the username whose mailbox takes the message
    HANGUP = "hangup"  # target: an optional sound played first


@dataclass(frozen=True)
class Destination:
    kind: Kind
    target: str = ""

    @classmethod
    def parse(cls, raw: Any, field: str) -> Destination:
        if not isinstance(raw, dict):
            raise ValidationError(f"{field} must be an object with kind and target", field=field)
        try:
            kind = Kind(str(raw.get("kind")))
        except ValueError as err:
            choices = ", ".join(k.value for k in Kind)
            raise ValidationError(f"{field}: kind must be one of {choices}", field=field) from err
        target = raw.get("target", "")
        if not isinstance(target, str) or (kind != Kind.HANGUP and not target):
            raise ValidationError(f"{field}: a {kind.value} needs a target", field=field)
        return cls(kind, target)

    def dump(self) -> dict[str, str]:
        return {"kind": self.kind.value, "target": self.target}


GOODBYE = Destination(Kind.HANGUP, "goodbye")


@dataclass(frozen=True)
class MenuSpec:
    name: str
    prompt: str
    options: dict[str, Destination]
    timeout_seconds: float = 6.0
    retries: int = 2  # extra attempts after the first
    invalid_prompt: str = "menu-invalid"
    fallback: Destination = GOODBYE

    def __post_init__(self) -> None:
        bad = [key for key in self.options if key not in VALID_KEYS]
        if bad:
            raise ValidationError(f"menu {self.name}: options must be single keys, not {bad}")
        if not 1 <= self.timeout_seconds <= 60:
            raise ValidationError(f"menu {self.name}: timeout must be 1-60 seconds")
        if not 0 <= self.retries <= 9:
            raise ValidationError(f"menu {self.name}: retries must be 0-9")

    @classmethod
    def parse(cls, name: str, prompt: str, options: Any, fallback: Any, **kw: Any) -> MenuSpec:
        if not isinstance(options, dict):
            raise ValidationError("options must map keys to destinations", field="options")
        parsed = {str(k): Destination.parse(v, f"options.{k}") for k, v in options.items()}
        chosen = Destination.parse(fallback, "fallback") if fallback else GOODBYE
        return cls(name, prompt, parsed, fallback=chosen, **kw)


@dataclass(frozen=True)
class Go:
    destination: Destination


@dataclass(frozen=True)
class Retry:
    prompt: str | None  # the invalid-choice prompt, or None after silence


Outcome = Go | Retry


def choose(menu: MenuSpec, key: str | None, attempt: int) -> Outcome:
    """The result of attempt number ``attempt`` (0-based): ``key`` pressed, or None (silence).

    An unknown key or silence is retried ``menu.retries`` times; then the fallback applies.
    """
    if key is not None and key in menu.options:
        return Go(menu.options[key])
    if attempt >= menu.retries:
        return Go(menu.fallback)
    return Retry(menu.invalid_prompt if key is not None else None)
