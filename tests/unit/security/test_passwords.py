"""The password rule: long enough and hard to guess, by zxcvbn's estimate."""

from __future__ import annotations

import pytest

from recovery.security.passwords import WeakPassword, check_password_strength, guessable_words


@pytest.mark.parametrize(
    "password",
    [
        "qwerty1234",  # the neighbour of qwerty123 that a hand list let through (issue 17)
        "qwerty12345",
        "password12",
        "1q2w3e4r5t6y",
        "йцукенгшщз",  # qwertyuiop on the Russian layout
        "пароль12345",
        "asdfghjkl;'",
        "1111111111",
        "michael1985",
        "short-1",
    ],
)
def test_guessable_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_password_strength(password)


def test_a_password_made_of_the_own_number_is_refused() -> None:
    with pytest.raises(WeakPassword):
        check_password_strength("9161234567aa", user_inputs=guessable_words("+79161234567"))


@pytest.mark.parametrize("password", ["correct-horse-battery", "violet-tram-1987", "agent-demo-0890"])
def test_passphrases_pass(password: str) -> None:
    check_password_strength(password, user_inputs=guessable_words("+79161234567"))
