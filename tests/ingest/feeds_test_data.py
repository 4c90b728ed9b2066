"""Shared by the ingestion tests."""

import re

# What must never survive sanitizing: scripts, event handlers, javascript: addresses, styles.
UNSAFE = re.compile(r"<script|<style|\son[a-z]+\s*=|javascript:|vbscript:|<iframe|<object", re.I)
