"""One result per checked field, in the shape CAMARA KYC Match reports.

A field is matched (``"true"``), not matched (``"false"``, with a 0–99 score
beside it for text fields) or not available (nothing on record to compare
with). Scores are Jaro-Winkler similarity after our normalisation, as CAMARA
specifies by default (DESIGN 2.1); whether a field *matches* is decided by the
field's own rule (typo tolerance, equal house numbers …), not by the score.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler

#: CAMARA: a false match carries a score of at most 99; 100 is "true".
MAX_MISMATCH_SCORE = 99


class MatchStatus(enum.StrEnum):
    """CAMARA ``MatchResult`` values."""

    MATCH = "true"
    NO_MATCH = "false"
    NOT_AVAILABLE = "not_available"


@dataclass(frozen=True)
class FieldResult:
    """The result for one field: a status, and a 0–100 score for text fields.

    ``score`` is 100 for a matched text field, 0–99 for a mismatch and ``None``
    where no score applies (passport, calls, nothing on record).
    """

    status: MatchStatus
    score: int | None = None

    def __post_init__(self) -> None:
        if self.score is None:
            return
        if self.status is MatchStatus.NOT_AVAILABLE:
            raise ValueError("a field that is not available has no score")
        top = 100 if self.status is MatchStatus.MATCH else MAX_MISMATCH_SCORE
        if not 0 <= self.score <= top:
            raise ValueError(f"score must be within 0–{top} for {self.status.value!r}")

    @classmethod
    def match(cls, *, scored: bool = True) -> FieldResult:
        """A matched field; text fields carry the score 100."""
        return cls(MatchStatus.MATCH, 100 if scored else None)

    @classmethod
    def no_match(cls, score: int | None = None) -> FieldResult:
        """A field that does not match, with its 0–99 score when it has one."""
        return cls(MatchStatus.NO_MATCH, score)

    @classmethod
    def not_available(cls) -> FieldResult:
        """Nothing on record to compare with."""
        return cls(MatchStatus.NOT_AVAILABLE)

    @property
    def matched(self) -> bool:
        """True only for a match: not available is no evidence."""
        return self.status is MatchStatus.MATCH

    def camara(self, field: str) -> dict[str, str | int]:
        """``{"<field>Match": …}`` plus ``"<field>MatchScore"`` beside a ``"false"``."""
        body: dict[str, str | int] = {f"{field}Match": self.status.value}
        if self.status is MatchStatus.NO_MATCH and self.score is not None:
            body[f"{field}MatchScore"] = self.score
        return body


def partner_score(left: str, right: str) -> int:
    """Jaro-Winkler similarity of two normalised texts, scaled 0–99 for a mismatch.

    Rounded down and capped at 99: two texts that do not match must never
    report the 100 that CAMARA reserves for ``"true"``.
    """
    similarity = JaroWinkler.normalized_similarity(left, right)
    return min(MAX_MISMATCH_SCORE, int(similarity * 100))


def text_result(matched: bool, left: str, right: str) -> FieldResult:
    """A text field's result: 100 when matched, else the partner score."""
    return FieldResult.match() if matched else FieldResult.no_match(partner_score(left, right))
