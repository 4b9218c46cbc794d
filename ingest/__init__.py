"""The maintainers' write path: find article files, validate them all, chunk, embed,
and upsert into the store, keeping a manifest of what is indexed.

Only `ingest` writes to the store; `chat` reads what ingest left there.
"""
