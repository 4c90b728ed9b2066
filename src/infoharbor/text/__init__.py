"""Text for search in the harbor's languages: language identification, normalization and
word segmentation. A plain library: no Django, no network, every model loaded from the
installed packages.
"""
