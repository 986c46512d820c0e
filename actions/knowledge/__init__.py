"""The knowledge base: admins' questions and answers, matched by meaning.

- `schema.py`    what an entry is, and its limits
- `files.py`     YAML and CSV files, read and written
- `validate.py`  raw rows into entries, or a list of what is wrong
- `diff.py`      what a new version would change
- `store.py`     versions in Redis: publish, rollback, the current version
- `embedder.py`  the sentence-transformers model (MITRA_EMBEDDING_MODEL)
- `retrieval.py` scoring entries for a question; `decision.py` answer, suggest or neither
- `live.py`      the index every action server keeps in step with the store
- `__main__.py`  the command line (validate, import, export, rollback)
- `evaluate.py`  figures on the held-out questions

Only `embedder.py`, `retrieval.py`, `live.py` and `evaluate.py` load the model; the rest
is light enough for the Telegram bot's admin upload to import.
"""
