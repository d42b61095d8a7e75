"""Rasa-SDK actions: thin adapters from dialogue to the knowledge base, the index and the store."""
