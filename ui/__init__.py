"""Qt widgets only: windows, dialogs, item models, viewers and the capture workspace.

Widgets ask ``app.desk`` (which calls ``forensics``) for everything; no widget opens a case
store, hashes, encodes or waits on the network: that runs through ``run_task``.
"""
