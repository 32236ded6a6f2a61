"""Keypad survey results: per question, how many answered, the average on the question's own
scale, that average as a share of the scale (0-100, comparable between scales), the customer
feedback index (CFI: the average of a 1-5 question) and, for a 0-10 question, the net promoter
score (NPS: promoters, 9-10, less detractors, 0-6, as a share of the answers). Pure."""

from __future__ import annotations

from dataclasses import dataclass

CFI_SCALE = (1, 5)
NPS_SCALE = (0, 10)
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6


@dataclass(frozen=True)
class AnswerCounts:
    answers: int
    total: int  # the sum of the keyed values
    promoters: int = 0  # answers of 9 or 10
    detractors: int = 0  # answers of 0 to 6


@dataclass(frozen=True)
class QuestionFigures:
    question: str
    low: int
    high: int
    counts: AnswerCounts

    @property
    def average(self) -> float | None:
        c = self.counts
        return round(c.total / c.answers, 2) if c.answers else None

    @property
    def score_percent(self) -> float | None:
        average = self.average
        if average is None:
            return None
        return round(100 * (average - self.low) / (self.high - self.low), 1)

    @property
    def cfi(self) -> float | None:
        return self.average if (self.low, self.high) == CFI_SCALE else None

    @property
    def nps(self) -> float | None:
        c = self.counts
        if (self.low, self.high) != NPS_SCALE or not c.answers:
            return None
        return round(100 * (c.promoters - c.detractors) / c.answers, 1)

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answers": self.counts.answers,
            "average": self.average,
            "score_percent": self.score_percent,
            "cfi": self.cfi,
            "nps": self.nps,
        }
