"""The languages Volant speaks, by code, with the name each gives itself: the one list the
settings, the screens, the CLI and the voice templates check against. A code names files
(catalogs, templates), so it is only ever one of these, never a path."""

LANGUAGES = {"en": "English", "fr": "Français", "ko": "한국어", "zh": "中文"}
CODES = tuple(LANGUAGES)
