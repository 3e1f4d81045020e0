"""Intercom's Help Center locales: the keys of `group_translated_content` in API 2.9."""

LOCALES: tuple[str, ...] = (
    "ar", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr",
    "hu", "id", "it", "ja", "ko", "lt", "lv", "mn", "nb", "nl", "pl", "pt", "ro", "ru", "sl",
    "sr", "sv", "tr", "vi", "pt-BR", "zh-CN", "zh-TW",
)  # fmt: skip

LOCALE_SET: frozenset[str] = frozenset(LOCALES)

DEFAULT_LOCALE = "en"
