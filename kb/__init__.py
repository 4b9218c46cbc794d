"""The knowledge base: articles and their schema, settings, the embedder, the store.

`kb` is the bottom layer. It knows what an article is and where things are stored,
but it neither writes the index (that is `ingest`) nor answers questions (`chat`).
It imports only third-party packages.
"""

from kb import offline as _offline

_offline.apply()  # before any library that could phone home is imported
