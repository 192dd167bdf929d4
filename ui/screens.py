"""The screens a driver can open, by name: the one list the shell, the CLI and the Makefile use.
Plain Python (no Qt), so the CLI can offer the names without loading Qt."""

SCREENS = ("home", "dashboard", "map", "media", "voice", "settings")
