"""China–ASEAN Information Harbor."""

__version__ = "0.1.0"
