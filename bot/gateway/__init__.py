"""The public HTTP gateway (FastAPI): chat API, message log, health; run with `create_app` as a factory."""
