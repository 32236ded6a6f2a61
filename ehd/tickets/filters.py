"""Ticket filter rules: which filters match a message or ticket, and the actions they ask for.
Pure: facts in, actions out.

A filter's rule rows must all match (AND); within a row any one pattern may match (OR); case
never matters. Patterns: ``fill`` is the word itself, ``*fill*`` any word containing it,
``in*`` words starting with it, ``*fill`` words ending with it. A row can be negated. Filters
run by weight (highest first); one that matches stops the run unless it has ``continue``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ehd.errors import ValidationError
from ehd.tickets.status import Priority, Status


class Field(StrEnum):
    SUBJECT = "subject"
    BODY = "body"
    TEXT = "text"  # subject or body
    SENDER = "sender"
    RECIPIENT = "recipient"
    SOURCE = "source"
    STATUS = "status"
    MINUTES_SINCE_CHANGE = "minutes_since_change"  # matches when at least N minutes passed


class Trigger(StrEnum):
    NEW = "new"  # a new ticket
    REPLY = "reply"  # a reply to an existing ticket
    EXISTING = "existing"  # the periodic pass over open tickets


class ActionKind(StrEnum):
    TEMPLATE = "template"
    PRIORITY = "priority"
    STATUS = "status"
    GROUP = "group"
    AGENT = "agent"
    CLOSE = "close"
    AUTO_REPLY = "auto_reply"  # value: a knowledge-base answer id, or "text:…"
    ALARM = "alarm"  # value: comma-separated email addresses and phone numbers


_PATTERN = re.compile(r"^\*?[^*\s]+\*?\Z")
_EDGE_PUNCTUATION = "\"'()[]{}<>,.;:!?"


@dataclass(frozen=True)
class Pattern:
    text: str  # lower case, without the stars
    starts: bool  # a leading * : anything may come before
    ends: bool  # a trailing * : anything may come after

    @classmethod
    def parse(cls, raw: str) -> Pattern:
        raw = raw.strip()
        if not _PATTERN.match(raw):
            raise ValidationError(
                f"pattern {raw!r}: one word, with * only at its start or end", field="rules"
            )
        return cls(raw.strip("*").lower(), raw.startswith("*"), raw.endswith("*"))

    def matches_word(self, word: str) -> bool:
        word = word.lower()
        if self.starts and self.ends:
            return self.text in word
        if self.starts:
            return word.endswith(self.text)
        if self.ends:
            return word.startswith(self.text)
        return word == self.text


def words(text: str) -> list[str]:
    """Tokens as written and without surrounding punctuation ("close!" and "close")."""
    found: list[str] = []
    for token in text.split():
        found.append(token)
        bare = token.strip(_EDGE_PUNCTUATION)
        if bare and bare != token:
            found.append(bare)
    return found


@dataclass(frozen=True)
class Facts:
    """What a filter looks at, for a new message, a reply or an existing ticket."""

    subject: str = ""
    body: str = ""
    sender: str = ""
    recipients: tuple[str, ...] = ()
    source: str = "email"
    status: str = "new"
    minutes_since_change: float = 0.0
    site: str = ""


@dataclass(frozen=True)
class Rule:
    field: Field
    patterns: tuple[Pattern, ...] = ()
    minutes: float = 0.0  # for MINUTES_SINCE_CHANGE
    negate: bool = False

    def matches(self, facts: Facts) -> bool:
        return self._matches(facts) != self.negate

    def _matches(self, facts: Facts) -> bool:
        if self.field == Field.MINUTES_SINCE_CHANGE:
            return facts.minutes_since_change >= self.minutes
        tokens = self._tokens(facts)
        return any(p.matches_word(token) for p in self.patterns for token in tokens)

    def _tokens(self, facts: Facts) -> Sequence[str]:
        if self.field == Field.SUBJECT:
            return words(facts.subject)
        if self.field == Field.BODY:
            return words(facts.body)
        if self.field == Field.TEXT:
            return [*words(facts.subject), *words(facts.body)]
        if self.field == Field.SENDER:
            return [facts.sender]
        if self.field == Field.RECIPIENT:
            return list(facts.recipients)
        if self.field == Field.SOURCE:
            return [facts.source]
        return [facts.status]


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    value: str = ""


@dataclass(frozen=True)
class Filter:
    id: int
    name: str
    rules: tuple[Rule, ...]
    actions: tuple[Action, ...]
    weight: int = 0
    cont: bool = False  # let the next filters run too
    triggers: frozenset[Trigger] = frozenset({Trigger.NEW})
    site: str = ""  # empty: every site

    def applies(self, facts: Facts, trigger: Trigger) -> bool:
        if trigger not in self.triggers or (self.site and self.site != facts.site):
            return False
        return all(rule.matches(facts) for rule in self.rules)


@dataclass
class Outcome:
    matched: list[int] = field(default_factory=list)  # filter ids, in the order they ran
    actions: list[Action] = field(default_factory=list)


def run(filters: Iterable[Filter], facts: Facts, trigger: Trigger) -> Outcome:
    outcome = Outcome()
    for item in sorted(filters, key=lambda f: (-f.weight, f.id)):
        if not item.applies(facts, trigger):
            continue
        outcome.matched.append(item.id)
        outcome.actions.extend(item.actions)
        if not item.cont:
            break
    return outcome


def parse_filter(filter_id: int, name: str, data: dict[str, Any]) -> Filter:
    """A filter from its stored (JSON) form; anything invalid is refused with the reason."""
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ValidationError("a filter needs at least one rule row", field="rules")
    rules = tuple(_rule(row, i) for i, row in enumerate(raw_rules))
    raw_actions = data.get("actions", [])
    if not isinstance(raw_actions, list):
        raise ValidationError("actions must be a list", field="actions")
    actions = tuple(_action(item) for item in raw_actions)
    triggers = data.get("triggers", ["new"])
    try:
        parsed_triggers = frozenset(Trigger(t) for t in triggers)
    except (TypeError, ValueError) as err:
        raise ValidationError("triggers are new, reply and/or existing", field="triggers") from err
    if not parsed_triggers:
        raise ValidationError("a filter needs a trigger", field="triggers")
    weight = data.get("weight", 0)
    if not isinstance(weight, int) or isinstance(weight, bool):
        raise ValidationError("weight must be a whole number", field="weight")
    return Filter(filter_id, name, rules, actions, weight, bool(data.get("continue", False)),
                  parsed_triggers, str(data.get("site", "") or ""))  # fmt: skip


def _rule(row: Any, index: int) -> Rule:
    if not isinstance(row, dict):
        raise ValidationError(f"rule {index + 1} must be an object", field="rules")
    try:
        kind = Field(str(row.get("field")))
    except ValueError as err:
        names = ", ".join(f.value for f in Field)
        raise ValidationError(
            f"rule {index + 1}: field must be one of {names}", field="rules"
        ) from err
    negate = bool(row.get("negate", False))
    if kind == Field.MINUTES_SINCE_CHANGE:
        minutes = row.get("minutes")
        if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes < 0:
            raise ValidationError(f"rule {index + 1}: minutes must be a number >= 0", field="rules")
        return Rule(kind, minutes=float(minutes), negate=negate)
    raw = row.get("words")
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    if not isinstance(raw, list) or not raw:
        raise ValidationError(f"rule {index + 1}: give one or more words", field="rules")
    return Rule(kind, tuple(Pattern.parse(str(word)) for word in raw), negate=negate)


def _action(item: Any) -> Action:
    if not isinstance(item, dict):
        raise ValidationError("each action is an object with kind and value", field="actions")
    try:
        kind = ActionKind(str(item.get("kind")))
    except ValueError as err:
        names = ", ".join(a.value for a in ActionKind)
        raise ValidationError(f"action kind must be one of {names}", field="actions") from err
    value = str(item.get("value", "")).strip()
    if kind != ActionKind.CLOSE and not value:
        raise ValidationError(f"a {kind.value} action needs a value", field="actions")
    allowed = {ActionKind.STATUS: Status, ActionKind.PRIORITY: Priority}.get(kind)
    if allowed is not None and value not in {choice.value for choice in allowed}:
        names = ", ".join(choice.value for choice in allowed)
        raise ValidationError(f"a {kind.value} action sets one of {names}", field="actions")
    return Action(kind, value)


def parse_stored(filter_id: int, name: str, data: dict[str, Any]) -> Filter:
    """``parse_filter``, remembered by the stored text: every mail runs every filter and a
    filter seldom changes, so each version is parsed once (a Filter is immutable)."""
    return _parse_text(filter_id, name, json.dumps(data, sort_keys=True))


@functools.lru_cache(maxsize=2048)
def _parse_text(filter_id: int, name: str, text: str) -> Filter:
    return parse_filter(filter_id, name, json.loads(text))
