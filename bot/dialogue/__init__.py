"""Rasa dialogue: domain, rules, stories, endpoints, credentials and the gateway input channel."""
