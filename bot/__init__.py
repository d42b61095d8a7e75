"""Gateway, channels, store and the `eldercare` command line."""
