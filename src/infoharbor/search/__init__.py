"""One search over every kind of entry on every platform.

Apps declare what of their entries is indexed (``<app>/search.py``, see :mod:`.registry`);
entry changes leave a row in an outbox inside their transaction (:mod:`.models`), and the
indexer (:mod:`.indexer`) turns those rows into index documents after the commit. Queries go
through :func:`infoharbor.search.service.search`, which the portal page and the API share.
"""
