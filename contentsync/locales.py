"""Intercom's Help Center locales (the keys of `group_translated_content`) and API versions."""

import re

LOCALES: tuple[str, ...] = (
    "ar", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr",
    "hu", "id", "it", "ja", "ko", "lt", "lv", "mn", "nb", "nl", "pl", "pt", "ro", "ru", "sl",
    "sr", "sv", "tr", "vi", "pt-BR", "zh-CN", "zh-TW",
)  # fmt: skip

LOCALE_SET: frozenset[str] = frozenset(LOCALES)

DEFAULT_LOCALE = "en"

LANGUAGES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech",
    "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "mn": "Mongolian", "nb": "Norwegian", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sl": "Slovenian",
    "sr": "Serbian", "sv": "Swedish", "tr": "Turkish", "vi": "Vietnamese",
    "pt-BR": "Brazilian Portuguese", "zh-CN": "Simplified Chinese", "zh-TW": "Traditional Chinese",
}  # fmt: skip
"""Each locale's language, in English, for sentences ("the English text")."""

_LOCALE_LIKE = re.compile(r"[a-zA-Z]{2}(?:[-_][a-zA-Z]{2,4})?$")


def split_locale(stem: str) -> tuple[str, str | None]:
    """An article file's name without `.md`, split before a suffix that looks like a locale:
    `refunds.fr` -> ("refunds", "fr"); ("refunds", None) for `refunds`. The suffix may be none
    of LOCALES (`refunds.fr_CA`): the caller says what that means."""
    base, dot, suffix = stem.rpartition(".")
    if dot and _LOCALE_LIKE.match(suffix):
        return base, suffix
    return stem, None


# "2.9": collections and sections; "2.10" and later: collections nest (at most 3 levels).
API_VERSIONS: tuple[str, ...] = ("2.9", *(f"2.{minor}" for minor in range(10, 17)))


def nests(api_version: str) -> bool:
    """Whether this API version has nested collections instead of sections."""
    return api_version != "2.9"
