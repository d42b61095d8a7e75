"""The `eldercare` command line."""
