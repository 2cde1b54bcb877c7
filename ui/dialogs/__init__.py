"""Dialogs. Each opens with ``open()`` (window-modal, not blocking) and reports through
signals, so the windows never sit in a nested event loop and tests drive them directly."""
