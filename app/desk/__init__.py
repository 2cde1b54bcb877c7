"""The officer's desk: what the desktop windows call. No widgets here, only what sits between
the windows (``ui/``) and the core (``forensics/``) — the middle floor of README "Layout".

- ``cases``     — list, create, open and read cases; add officers; seal notes, imports and
  transcripts; verify and export (each a plain function, run off the GUI thread by the caller).
- ``custody``   — transfer of custody of an exported package; import of a received package.
- ``report``    — the chain-of-custody report PDF of a live case.
- ``officers``  — officer profiles, unlocking, the first-run set-up (CA, TSA trust).
- ``timeline``  — ledger records as rows for the evidence timeline.
- ``traffic``   — the requests of a sealed WARC segment, bodies bounded, for the viewer.
- ``transcript``— typed transcripts of a recording as derived items (WebVTT).
- ``area``      — the area screenshot (the capture engine has viewport and full page).
- ``workspace_protocol`` — the capture workspace's own process: its configuration and line
  protocol; ``workspace_options`` assembles its capture options, ``workspace_launcher`` runs it.
- ``session``   — the workspace's session: started before Qt, stamped while it runs.
- ``tsa``       — the built-in time-stamp authority for training installations.
- ``i18n``      — the interface language and its Qt translator.
- ``progress``  — progress reports from worker threads, delivered on the GUI thread.
- ``errors``    — what went wrong, in the officer's language, and what is still sealed.

Background work goes through ``app.capture.tasks.run_task`` (the one task helper).
"""
