"""The capture engine on Qt WebEngine: browser, actions, screen recorder and capture sessions.

Modules (import what you need; this package itself imports nothing heavy):

- ``browser``  — Chromium flags (set before the ``QApplication``), the session browser
  (``SessionBrowser``: thin chrome + page in a fresh profile), ``configure_chromium``,
  ``ensure_application``.
- ``actions``  — viewport screenshot, full page, page snapshot (MHTML + DOM), each sealed
  at once with URL, title, navigation steps, server IP and TLS certificate.
- ``recorder`` — ``ScreenRecorder``: H.264 MP4 of the workspace with the case number and
  Beijing time burned in, cut into sealed segments; marks and pauses.
- ``session``  — ``CaptureSession``: recovery, proxy, ``session.start`` with the tool
  qualification, clean-environment checks, traffic sealing, fail-closed stop, two-officer
  close and time-stamps.
- ``headless`` — ``run_capture(...)``, what ``quzheng capture`` calls.
- ``tasks``    — ``run_task(func, on_done)`` on a ``QThreadPool`` (``SyncRunner`` in tests).
- ``sealer``, ``traffic``, ``steps``, ``qualification`` — the pieces they share.
"""
