"""The `<name>.<locale>.md` suffix: one reading for the loader and for links between articles."""

from __future__ import annotations

import pytest

from contentsync.locales import split_locale


@pytest.mark.parametrize(
    ("stem", "split"),
    [
        ("refunds", ("refunds", None)),
        ("refunds.fr", ("refunds", "fr")),
        ("refunds.pt-BR", ("refunds", "pt-BR")),
        ("refunds.pt_br", ("refunds", "pt_br")),  # looks like one; the loader says it is none
        ("release-2.0", ("release-2.0", None)),
        ("v1.md5", ("v1.md5", None)),
        ("../guides.fr/refunds", ("../guides.fr/refunds", None)),
        ("../guides/refunds.de", ("../guides/refunds", "de")),
    ],
)
def test_a_suffix_that_looks_like_a_locale_is_split_off(
    stem: str, split: tuple[str, str | None]
) -> None:
    assert split_locale(stem) == split
