"""Policy numbers: named defaults, overridable from a config mapping."""

from recovery.verification import settings
from recovery.verification.settings import CONFIG_KEYS, DEFAULT_POLICY, CallSettings, MatchSettings, Policy


def test_defaults_are_the_named_constants():
    assert (
        Policy(
            match=MatchSettings(
                name_threshold=settings.NAME_THRESHOLD,
                max_typos_per_word=1,
                min_typo_word_length=4,
                address_threshold=settings.ADDRESS_THRESHOLD,
            ),
            calls=CallSettings(
                window_days=30,
                min_known_days=7,
                max_reference_numbers=10,
                calls_required=2,
                max_claimed_calls=3,
                post_loss_count_cap=settings.POST_LOSS_COUNT_CAP,
            ),
            max_failed_claims=5,
            lock_hours=24,
            reissue_home_region_only=True,
            reissue_cooling_hours=24,
        )
        == DEFAULT_POLICY
    )


def test_every_config_key_is_a_module_constant():
    for key in CONFIG_KEYS:
        assert hasattr(settings, key), key


def test_from_config_overrides_only_what_is_given():
    policy = Policy.from_config(
        {"NAME_THRESHOLD": 92, "CALLS_REQUIRED": 3, "REISSUE_HOME_REGION_ONLY": False, "SECRET_KEY": "x"}
    )
    assert policy.match.name_threshold == 92
    assert policy.match.address_threshold == settings.ADDRESS_THRESHOLD
    assert policy.calls.calls_required == 3
    assert policy.calls.window_days == 30
    assert policy.reissue_home_region_only is False
    assert policy.max_failed_claims == 5


def test_from_an_empty_config_is_the_default():
    assert Policy.from_config({}) == DEFAULT_POLICY
