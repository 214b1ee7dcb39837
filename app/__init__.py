"""ravine.app: the Qt side (windows, views) and the `ravine` command. Reads core results only.

Importing this package does not import Qt; `ravine.app.window` does.
"""
