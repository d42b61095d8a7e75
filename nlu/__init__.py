"""Rasa NLU training data and custom NLU components (run in the Rasa Python 3.10 environment)."""
