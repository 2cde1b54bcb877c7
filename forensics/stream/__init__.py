"""The live stream as received, and the room's chat, as sealed derived items.

- ``flvtags``: an incremental HTTP-FLV tag splitter (framing only, nothing decoded), whose
  state carries across traffic segments: where the next tag starts, the stream's FLV header,
  metadata and AVC/AAC sequence headers;
- ``remux``: received FLV tags or MPEG-TS segments copied packet by packet (PyAV, no
  decode, no encode) into a playable MP4 with picture and sound;
- ``warcparts``: the stream responses of one sealed WARC segment, whole records or parts of
  a segmented record (``WARC-Segment-Number``, ``continuation`` records);
- ``periods``: one traffic segment (a period) turned into MP4 files and their ledger data
  (``capture.stream``);
- ``chat``: WebSocket chat messages parsed per platform into {time, user, text, kind} and
  written as JSON and CSV (``capture.chat``);
- ``items``: the ledger data of both, with their parent WARC, period and the screen-recording
  segments they overlap.

Nothing here imports Qt; the capture session runs it off the GUI thread
(``app.capture.stream_items``).
"""
