"""Mitra's Rasa SDK action server: language, replies (NLG), and later safety check,
hand-off and knowledge base. Start it with `python -m actions.server` (one process)."""
