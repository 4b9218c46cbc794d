"""Presentation only: the `refuge` command line and the web chat. Nothing imports `ui`."""
