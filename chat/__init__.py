"""The read path: retrieve passages, compose a cited answer, verify it, refuse when the
knowledge base has nothing relevant, and flag danger. `chat` never writes to the store.
"""
