"""Hostile submission: exit_at_import."""

import sys

sys.exit(0)
