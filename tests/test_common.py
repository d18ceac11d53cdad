"""The helpers platform modules share: reset times, secrets and numeric options."""

from datetime import UTC, datetime

import pytest

from listener.errors import ConfigError
from listener.platforms._common import ceil_epoch, number_option, require_secrets


def test_a_reset_time_rounds_up_to_the_second():
    assert ceil_epoch(1_700_000_000.2) == datetime.fromtimestamp(1_700_000_001, tz=UTC)
    assert ceil_epoch(1_700_000_000) == datetime.fromtimestamp(1_700_000_000, tz=UTC)


def test_missing_secrets_are_all_named():
    with pytest.raises(ConfigError, match="x needs A, C in the environment"):
        require_secrets("x", ("A", "B", "C"), {"A": "", "B": "b"})
    require_secrets("x", ("A",), {"A": "a"})


@pytest.mark.parametrize("value", [True, "5", 0, 101])
def test_a_number_option_out_of_range_or_not_a_number_is_refused(value):
    with pytest.raises(ConfigError, match=r"platforms\.youtube\.page_size: expected a number from 1 to 100"):
        number_option("youtube", {"page_size": value}, "page_size", 100, 1, 100)


def test_a_number_option_defaults_when_absent():
    assert number_option("reddit", {}, "timeout", 16.0, 0.01, 300) == 16.0
