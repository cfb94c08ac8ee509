"""The counting and URI rules that every message check relies on."""

import pytest

from app.schemas.message.checks import (
    HTTPS,
    INVALID_URI,
    INVALID_URI_SCHEME,
    LINK_SCHEMES,
    grapheme_len,
    uri_problem,
    utf16_len,
)


@pytest.mark.parametrize(
    ("text", "units", "graphemes"),
    [
        ("abc", 3, 3),
        ("こんにちは", 5, 5),
        ("🍎", 2, 1),
        ("👍🏽", 4, 1),
        ("👨\u200d👩\u200d👧", 8, 1),
        ("🇯🇵🇹🇼", 8, 2),
        ("e\u0301", 2, 1),
        ("❤️", 2, 1),
        ("a\r\nb", 4, 3),
    ],
)
def test_counting(text: str, units: int, graphemes: int) -> None:
    assert (utf16_len(text), grapheme_len(text)) == (units, graphemes)


@pytest.mark.parametrize(
    ("uri", "schemes", "problem"),
    [
        ("https://example.com/a.png", HTTPS, None),
        ("HTTPS://EXAMPLE.COM", HTTPS, None),
        ("http://example.com", HTTPS, INVALID_URI_SCHEME),
        ("//example.com/a.png", HTTPS, INVALID_URI),
        ("https:///a.png", HTTPS, INVALID_URI),
        ("https://[::1", HTTPS, INVALID_URI),
        ("tel:0312345678", LINK_SCHEMES, None),
        ("tel:", LINK_SCHEMES, INVALID_URI),
        ("line://app/1234-abcd", LINK_SCHEMES, None),
        ("mailto:a@example.com", LINK_SCHEMES, INVALID_URI_SCHEME),
    ],
)
def test_uri_problem(uri: str, schemes: frozenset[str], problem: str | None) -> None:
    assert uri_problem(uri, schemes) == problem
