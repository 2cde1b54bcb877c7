// Practice range live room: the player and the chat.
//
// As on the desktop web of Chinese live-selling platforms, the room plays one endless
// HTTP-FLV response (H.264 + AAC, video.dataset.flv) with a small flv.js-style player,
// written for the range (no third-party code):
//   fetch() streaming reader -> FLV tags -> fragmented MP4 (ftyp + moov once, built from the
//   AVC and AAC sequence headers; then moof + mdat per batch of tags) -> one Media Source
//   SourceBuffer 'video/mp4; codecs="avc1.PPCCLL, mp4a.40.N"' -> <video>.
// The player keeps latency bounded (it jumps to the live edge when it falls behind) and
// trims what is long past. "?stream=hls" plays the HLS variant (video.dataset.playlist)
// instead, natively only (no hls.js: no CDN, no internet).
// A browser that cannot play H.264/AAC (or native HLS, for ?stream=hls) shows a visible
// error and sets data-player-error on the video, as a real site does.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('range-config').textContent);
  const video = document.getElementById('player');
  const mode = document.getElementById('player-mode');
  const errorBox = document.getElementById('player-error');
  const unmute = document.getElementById('unmute');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const MAX_LATENCY_S = 2; // behind the buffered live edge by more: jump
  const TARGET_LATENCY_S = 1; // where a jump lands
  const KEEP_BEHIND_S = 20; // buffer kept behind the playhead
  const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
    11025, 8000, 7350];

  function fail(code, message) {
    video.dataset.playerError = code;
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function startPlayback() {
    // Sound on, as a viewer expects; a browser that refuses autoplay with sound gets it
    // muted, with the unmute button shown.
    video.muted = false;
    video.play().catch(() => {
      video.muted = true;
      unmute.hidden = false;
      return video.play();
    }).catch(() => {});
  }

  // ---- MP4 boxes ---------------------------------------------------------------------------

  function concat(parts) {
    let size = 0;
    for (const p of parts) size += p.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  function u8(...values) { return Uint8Array.from(values); }
  function u16(v) { return u8((v >>> 8) & 255, v & 255); }
  function u32(v) { return u8((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255); }
  function u64(v) { return concat([u32(Math.floor(v / 4294967296)), u32(v % 4294967296)]); }
  function chars(text) { return Uint8Array.from(text, (c) => c.charCodeAt(0)); }
  function box(type, ...parts) {
    const body = concat(parts);
    return concat([u32(body.length + 8), chars(type), body]);
  }
  function fullBox(type, version, flags, ...parts) {
    return box(type, u8(version, (flags >>> 16) & 255, (flags >>> 8) & 255, flags & 255), ...parts);
  }
  const zeros = (n) => new Uint8Array(n);
  const MATRIX = concat([0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32));

  function track(id, handler, timescale, width, height, media, sampleEntry) {
    const tkhd = fullBox('tkhd', 0, 3, u32(0), u32(0), u32(id), u32(0), u32(0), zeros(8),
      u16(0), u16(0), u16(handler === 'soun' ? 0x100 : 0), u16(0), MATRIX,
      u32(width * 65536), u32(height * 65536));
    const mdhd = fullBox('mdhd', 0, 0, u32(0), u32(0), u32(timescale), u32(0), u16(0x55c4), u16(0));
    const hdlr = fullBox('hdlr', 0, 0, u32(0), chars(handler), zeros(12), chars('range\0'));
    const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
    const stbl = box('stbl', fullBox('stsd', 0, 0, u32(1), sampleEntry),
      fullBox('stts', 0, 0, u32(0)), fullBox('stsc', 0, 0, u32(0)),
      fullBox('stsz', 0, 0, u32(0), u32(0)), fullBox('stco', 0, 0, u32(0)));
    return box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', media, dinf, stbl)));
  }

  function initSegment(avcC, asc, audio, width, height) {
    const avc1 = box('avc1', zeros(6), u16(1), zeros(16), u16(width), u16(height),
      u32(0x480000), u32(0x480000), u32(0), u16(1), zeros(32), u16(0x18), u16(0xffff),
      box('avcC', avcC));
    const decoderConfig = concat([u8(0x40, 0x15), zeros(3), u32(0), u32(0),
      u8(0x05, asc.length), asc]);
    const esDescriptor = concat([u16(2), u8(0), u8(0x04, decoderConfig.length), decoderConfig,
      u8(0x06, 1, 2)]);
    const mp4a = box('mp4a', zeros(6), u16(1), zeros(8), u16(audio.channels), u16(16), u16(0),
      u16(0), u32(audio.rate * 65536),
      fullBox('esds', 0, 0, u8(0x03, esDescriptor.length), esDescriptor));
    const mvhd = fullBox('mvhd', 0, 0, u32(0), u32(0), u32(1000), u32(0), u32(0x10000),
      u16(0x100), zeros(10), MATRIX, zeros(24), u32(3));
    const trex = (id) => fullBox('trex', 0, 0, u32(id), u32(1), u32(0), u32(0), u32(0));
    return concat([
      box('ftyp', chars('isom'), u32(0x200), chars('isomiso2avc1mp41')),
      box('moov', mvhd,
        track(1, 'vide', 1000, width, height, fullBox('vmhd', 0, 1, zeros(8)), avc1),
        track(2, 'soun', audio.rate, 0, 0, fullBox('smhd', 0, 0, zeros(4)), mp4a),
        box('mvex', trex(1), trex(2))),
    ]);
  }

  let fragmentNumber = 0;
  // runs: [{id, baseTime, samples: [{data, duration, cts, key}]}] -> one moof + mdat.
  function fragment(runs) {
    fragmentNumber += 1;
    const build = (offsets) => box('moof', fullBox('mfhd', 0, 0, u32(fragmentNumber)),
      ...runs.map((run, i) => box('traf',
        fullBox('tfhd', 0, 0x20000, u32(run.id)),
        fullBox('tfdt', 1, 0, u64(run.baseTime)),
        fullBox('trun', 0, 0xf01, u32(run.samples.length), u32(offsets[i]),
          ...run.samples.map((s) => concat([u32(s.duration), u32(s.data.length),
            u32(s.key ? 0x02000000 : 0x01010000), u32(s.cts)]))))));
    const size = build(runs.map(() => 0)).length;
    const offsets = [];
    let at = size + 8;
    for (const run of runs) {
      offsets.push(at);
      for (const s of run.samples) at += s.data.length;
    }
    const payload = concat(runs.flatMap((run) => run.samples.map((s) => s.data)));
    return concat([build(offsets), box('mdat', payload)]);
  }

  // ---- FLV ---------------------------------------------------------------------------------

  function readAmfMetadata(body) {
    // onMetaData: a string, then an ECMA array of numbers / booleans / strings.
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const out = {};
    try {
      let at = 3 + view.getUint16(1);
      if (body[at] !== 0x08) return out;
      at += 5;
      while (at + 3 <= body.length) {
        const keyLength = view.getUint16(at);
        if (keyLength === 0) break;
        const key = String.fromCharCode(...body.subarray(at + 2, at + 2 + keyLength));
        at += 2 + keyLength;
        const kind = body[at];
        if (kind === 0) { out[key] = view.getFloat64(at + 1); at += 9; }
        else if (kind === 1) { out[key] = body[at + 1] !== 0; at += 2; }
        else if (kind === 2) { at += 3 + view.getUint16(at + 1); }
        else break;
      }
    } catch (e) { /* a short or odd script tag: keep what was read */ }
    return out;
  }

  class FlvPlayer {
    constructor(url) {
      this.url = url;
      this.buffer = new Uint8Array(1 << 20);
      this.length = 0;
      this.headerDone = false;
      this.meta = {};
      this.avcC = null;
      this.asc = null;
      this.audio = null;
      this.source = null;
      this.sourceBuffer = null;
      this.queue = [];
      this.pendingVideo = null; // held until the next frame gives its duration
      this.videoDuration = 100;
      this.audioNext = null; // next AAC frame's decode time, in samples
      this.videoRun = [];
      this.videoBase = 0;
      this.audioRun = [];
      this.audioBase = 0;
      this.started = false;
    }

    push(chunk) {
      if (this.length + chunk.length > this.buffer.length) {
        const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + chunk.length));
        grown.set(this.buffer.subarray(0, this.length));
        this.buffer = grown;
      }
      this.buffer.set(chunk, this.length);
      this.length += chunk.length;
      let at = 0;
      const b = this.buffer;
      if (!this.headerDone) {
        if (this.length < 13) return;
        if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) throw new Error('not an FLV stream');
        at = ((b[5] << 24) >>> 0) + (b[6] << 16) + (b[7] << 8) + b[8] + 4;
        this.headerDone = true;
      }
      while (at + 11 <= this.length) {
        const size = (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
        if (at + 11 + size + 4 > this.length) break;
        const time = ((b[at + 7] << 24) >>> 0) + ((b[at + 4] << 16) | (b[at + 5] << 8) | b[at + 6]);
        this.tag(b[at] & 0x1f, time, b.slice(at + 11, at + 11 + size));
        at += 11 + size + 4;
      }
      b.copyWithin(0, at, this.length);
      this.length -= at;
      this.flush();
    }

    tag(type, time, body) {
      if (type === 18) {
        Object.assign(this.meta, readAmfMetadata(body));
      } else if (type === 9 && body.length > 5 && (body[0] & 15) === 7) {
        const cts = ((body[2] << 24) | (body[3] << 16) | (body[4] << 8)) >> 8;
        if (body[1] === 0) this.configure(body.slice(5), this.asc);
        else if (body[1] === 1) this.video(time, cts, (body[0] >> 4) === 1, body.subarray(5));
      } else if (type === 8 && body.length > 2 && (body[0] >> 4) === 10) {
        if (body[1] === 0) this.configure(this.avcC, body.slice(2));
        else this.audioFrame(time, body.subarray(2));
      }
    }

    configure(avcC, asc) {
      const same = (a, b) => a === b || (a && b && a.length === b.length && a.every((x, i) => x === b[i]));
      if (same(avcC, this.avcC) && same(asc, this.asc)) return;
      this.flush(true);
      this.avcC = avcC;
      this.asc = asc;
      if (!avcC || !asc) return;
      const objectType = asc[0] >> 3;
      const rateIndex = ((asc[0] & 7) << 1) | (asc[1] >> 7);
      this.audio = { rate: AAC_RATES[rateIndex] || 44100, channels: (asc[1] >> 3) & 15 || 1 };
      const hex = (v) => v.toString(16).padStart(2, '0');
      const type = 'video/mp4; codecs="avc1.' + hex(avcC[1]) + hex(avcC[2]) + hex(avcC[3]) +
        ', mp4a.40.' + objectType + '"';
      if (!window.MediaSource || !MediaSource.isTypeSupported(type)) {
        fail('codecs', '此浏览器无法播放 H.264/AAC 直播流（' + type + '）');
        throw new Error('unsupported: ' + type);
      }
      video.dataset.mime = type;
      const width = this.meta.width || video.width;
      const height = this.meta.height || video.height;
      const init = initSegment(avcC, asc, this.audio, width, height);
      if (this.source) { this.queue.push(init); return; }
      this.source = new MediaSource();
      video.src = URL.createObjectURL(this.source);
      this.source.addEventListener('sourceopen', () => {
        this.sourceBuffer = this.source.addSourceBuffer(type);
        this.sourceBuffer.mode = 'segments';
        this.sourceBuffer.addEventListener('updateend', () => this.pump());
        this.pump();
      }, { once: true });
      this.queue.push(init);
    }

    video(time, cts, key, data) {
      const previous = this.pendingVideo;
      this.pendingVideo = { time, cts, key, data: data.slice() };
      if (!previous) return;
      let duration = time - previous.time;
      if (duration <= 0 || duration > 1000) duration = this.videoDuration; // a jump: guess
      else this.videoDuration = duration;
      if (this.videoRun.length && previous.time !== this.videoEnd) this.flush(true);
      if (!this.videoRun.length) this.videoBase = previous.time;
      this.videoRun.push({ data: previous.data, duration, cts: previous.cts, key: previous.key });
      this.videoEnd = previous.time + duration;
    }

    audioFrame(time, data) {
      if (!this.audio) return;
      const at = Math.round(time * this.audio.rate / 1000);
      if (this.audioNext === null || Math.abs(at - this.audioNext) > this.audio.rate / 10) {
        this.flush(true); // first frame, or the stream jumped: start again from its time
        this.audioNext = at;
      }
      if (!this.audioRun.length) this.audioBase = this.audioNext;
      this.audioRun.push({ data: data.slice(), duration: 1024, cts: 0, key: true });
      this.audioNext += 1024;
    }

    // Turn what was gathered into one fragment (force: also before a jump or a new init).
    flush(force) {
      if (!this.avcC || !this.asc) return;
      const runs = [];
      if (this.videoRun.length) runs.push({ id: 1, baseTime: this.videoBase, samples: this.videoRun });
      if (this.audioRun.length) runs.push({ id: 2, baseTime: this.audioBase, samples: this.audioRun });
      if (!runs.length || (!force && this.videoRun.length === 0 && this.audioRun.length < 4)) return;
      this.queue.push(fragment(runs));
      this.videoRun = [];
      this.audioRun = [];
      this.pump();
    }

    pump() {
      const sb = this.sourceBuffer;
      if (!sb || sb.updating || this.source.readyState !== 'open') return;
      if (!this.started && sb.buffered.length) this.start();
      if (!this.queue.length) return;
      try {
        sb.appendBuffer(this.queue.shift());
      } catch (e) {
        if (e.name === 'QuotaExceededError') this.trim(5);
        else throw e;
      }
    }

    start() {
      const ranges = this.sourceBuffer.buffered;
      const last = ranges.length - 1;
      this.started = true;
      video.currentTime = Math.max(ranges.start(last), ranges.end(last) - TARGET_LATENCY_S);
      startPlayback();
    }

    // Called twice a second: bounded latency, bounded memory.
    tend() {
      const sb = this.sourceBuffer;
      if (!sb) return;
      if (!this.started && sb.buffered.length && !sb.updating) this.start();
      const ranges = video.buffered;
      if (!ranges.length) return;
      const end = ranges.end(ranges.length - 1);
      if (end - video.currentTime > MAX_LATENCY_S || video.currentTime < ranges.start(ranges.length - 1) - 0.5) {
        video.currentTime = Math.max(ranges.start(ranges.length - 1), end - TARGET_LATENCY_S);
      }
      if (video.paused && this.started && video.readyState > 2) startPlayback();
      this.trim(KEEP_BEHIND_S);
    }

    trim(keep) {
      const sb = this.sourceBuffer;
      if (!sb || sb.updating || !sb.buffered.length) return;
      const cut = video.currentTime - keep;
      if (cut - sb.buffered.start(0) > 5) sb.remove(0, cut);
    }

    async run() {
      const response = await fetch(this.url, { cache: 'no-store' });
      if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
      const reader = response.body.getReader();
      const timer = setInterval(() => { try { this.tend(); } catch (e) { /* next time */ } }, 500);
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error('the stream ended');
          this.push(value);
        }
      } finally {
        clearInterval(timer);
        reader.cancel().catch(() => {});
      }
    }
  }

  async function playFlv() {
    mode.textContent = 'HTTP-FLV';
    if (!window.MediaSource) {
      fail('mse', '此浏览器不支持 Media Source，无法播放直播流');
      return;
    }
    // A live CDN drops viewers now and then: reconnect, as real players do.
    for (;;) {
      try {
        await new FlvPlayer(video.dataset.flv).run();
      } catch (e) {
        if (video.dataset.playerError) return;
      }
      await sleep(2000);
    }
  }

  function playHls() {
    mode.textContent = 'HLS';
    if (!video.canPlayType('application/vnd.apple.mpegurl')) {
      fail('hls', '此浏览器不支持原生 HLS 播放（请打开默认的 FLV 直播）');
      return;
    }
    video.src = video.dataset.playlist;
    startPlayback();
  }

  video.addEventListener('error', () => {
    const error = video.error;
    if (error && error.code === error.MEDIA_ERR_SRC_NOT_SUPPORTED) {
      fail('codecs', '此浏览器无法播放 H.264/AAC 直播流');
    }
  });
  unmute.addEventListener('click', () => { video.muted = false; unmute.hidden = true; });
  if (new URLSearchParams(location.search).get('stream') === 'hls') playHls();
  else playFlv();

  // Chat over the WebSocket; reconnects if the connection drops.
  const list = document.getElementById('chat-list');
  function connect() {
    const socket = new WebSocket(config.chat);
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type !== 'chat') return;
      const item = document.createElement('li');
      item.className = message.kind;
      item.dataset.seq = String(message.seq);
      const user = document.createElement('span');
      user.className = 'user';
      user.textContent = message.user;
      item.append(user, document.createTextNode(message.text));
      list.appendChild(item);
      while (list.children.length > 200) list.firstChild.remove();
      list.scrollTop = list.scrollHeight;
    });
    socket.addEventListener('close', () => setTimeout(connect, 2000));
  }
  connect();
})();
