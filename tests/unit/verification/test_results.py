"""Field results and their CAMARA rendering; partner scores."""

import pytest

from recovery.verification.results import FieldResult, MatchStatus, partner_score, text_result


@pytest.mark.parametrize(
    ("result", "body"),
    [
        (FieldResult.match(), {"nameMatch": "true"}),
        (FieldResult.match(scored=False), {"nameMatch": "true"}),
        (FieldResult.no_match(87), {"nameMatch": "false", "nameMatchScore": 87}),
        (FieldResult.no_match(0), {"nameMatch": "false", "nameMatchScore": 0}),
        (FieldResult.no_match(), {"nameMatch": "false"}),
        (FieldResult.not_available(), {"nameMatch": "not_available"}),
    ],
)
def test_camara_rendering(result, body):
    assert result.camara("name") == body


@pytest.mark.parametrize(
    ("status", "score"),
    [
        (MatchStatus.NO_MATCH, 100),
        (MatchStatus.NO_MATCH, -1),
        (MatchStatus.MATCH, 101),
        (MatchStatus.NOT_AVAILABLE, 0),
    ],
)
def test_scores_out_of_range_are_refused(status, score):
    with pytest.raises(ValueError, match="score"):
        FieldResult(status, score)


@pytest.mark.parametrize(
    ("result", "matched"),
    [(FieldResult.match(), True), (FieldResult.no_match(50), False), (FieldResult.not_available(), False)],
)
def test_only_a_match_is_matched(result, matched):
    assert result.matched is matched


@pytest.mark.parametrize(
    ("left", "right", "score"),
    [
        ("иванов", "иванов", 99),
        ("иванов", "иванова", 97),
        ("martha", "marhta", 96),
        ("abc", "xyz", 0),
        ("", "", 99),
    ],
)
def test_partner_score_is_jaro_winkler_capped_at_99(left, right, score):
    assert partner_score(left, right) == score


def test_text_result():
    assert text_result(True, "a", "b") == FieldResult.match()
    assert text_result(False, "martha", "marhta") == FieldResult.no_match(96)
