"""The capture workspace: the session browser behind the recording proxy, the capture
actions, the recording and the session's own timeline. It runs in a process of its own
(``python -m ui.workspace``; see ``app.desk.workspace_protocol`` for why and for the protocol)."""
