"""Home region → time zone (no app)."""

from zoneinfo import ZoneInfo

import pytest

from recovery.account.timezones import DEFAULT_TIMEZONE, REGION_TIMEZONES, timezone_for
from recovery.regions import is_region


@pytest.mark.parametrize("code", sorted(REGION_TIMEZONES))
def test_every_mapped_region_exists_and_its_zone_loads(code):
    assert is_region(code)
    assert isinstance(timezone_for(code), ZoneInfo)


@pytest.mark.parametrize(
    ("code", "zone"),
    [("RU-MOW", "Europe/Moscow"), ("RU-SPE", "Europe/Moscow"), ("RU-NVS", "Asia/Novosibirsk"),
     ("ru-kgd", "Europe/Kaliningrad"), ("RU-KAM", "Asia/Kamchatka"), ("RU-XXX", DEFAULT_TIMEZONE),
     (None, DEFAULT_TIMEZONE)],
)  # fmt: skip
def test_regions_map_to_their_zone_or_moscow(code, zone):
    assert timezone_for(code).key == zone
