"""The screens a driver can open, by name: the one list the shell, the CLI and the Makefile use.
Plain Python (no Qt), so the CLI can offer the names without loading Qt. home and map are the
map-first base; dashboard (the vehicle), media, voice and settings open over it; cluster is the
instrument cluster's window (last)."""

SCREENS = ("home", "dashboard", "map", "media", "voice", "settings", "cluster")
