"""The Telegram channel: a python-telegram-bot Application behind the gateway's webhook, or polling."""
