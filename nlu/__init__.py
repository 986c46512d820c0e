"""Code that runs inside the Rasa process (Python 3.10): NLU components and the launcher.

Nothing here imports from `mitra/`, `actions/` or `bot/`: Rasa's environment is separate.
"""
