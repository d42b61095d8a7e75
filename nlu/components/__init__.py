"""Custom Rasa graph components (run in the Rasa environment; import no app package)."""
