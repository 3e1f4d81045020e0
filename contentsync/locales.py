"""Intercom's Help Center locales (the keys of `group_translated_content`) and API versions."""

LOCALES: tuple[str, ...] = (
    "ar", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr",
    "hu", "id", "it", "ja", "ko", "lt", "lv", "mn", "nb", "nl", "pl", "pt", "ro", "ru", "sl",
    "sr", "sv", "tr", "vi", "pt-BR", "zh-CN", "zh-TW",
)  # fmt: skip

LOCALE_SET: frozenset[str] = frozenset(LOCALES)

DEFAULT_LOCALE = "en"

# "2.9": collections and sections; "2.10" and later: collections nest (at most 3 levels).
API_VERSIONS: tuple[str, ...] = ("2.9", *(f"2.{minor}" for minor in range(10, 17)))


def nests(api_version: str) -> bool:
    """Whether this API version has nested collections instead of sections."""
    return api_version != "2.9"
