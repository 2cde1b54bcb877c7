// Practice range live room: the player and the chat.
//
// No hls.js (no CDN, no internet). The player tries, in order:
//   1. native HLS (video.canPlayType('application/vnd.apple.mpegurl'));
//   2. Media Source with the same segments as WebM (VP9 + Opus): Chromium and Qt WebEngine
//      play these even when built without H.264;
//   3. still frames (/frames/<n>.jpg) five times a second.
// All three follow the same live playlist, so they show the same claims at the same times.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('range-config').textContent);
  const video = document.getElementById('player');
  const still = document.getElementById('still');
  const mode = document.getElementById('player-mode');
  const fps = config.fps || 10;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function playlist() {
    const response = await fetch(video.dataset.playlist, { cache: 'no-store' });
    const text = await response.text();
    return [...text.matchAll(/^seg\/(\d+)\.ts$/gm)].map((m) => Number(m[1]));
  }

  function appendTo(buffer, data) {
    return new Promise((resolve, reject) => {
      buffer.addEventListener('updateend', resolve, { once: true });
      buffer.addEventListener('error', reject, { once: true });
      buffer.appendBuffer(data);
    });
  }

  async function playMediaSource(type) {
    mode.textContent = 'MSE WebM';
    const source = new MediaSource();
    video.src = URL.createObjectURL(source);
    await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
    const buffer = source.addSourceBuffer(type);
    let next = null;
    for (;;) {
      const numbers = await playlist().catch(() => []);
      if (next === null && numbers.length) next = numbers[Math.max(0, numbers.length - 3)];
      for (const n of numbers) {
        if (next === null || n < next) continue;
        const response = await fetch(video.dataset.webm + n + '.webm');
        if (!response.ok) break;
        await appendTo(buffer, await response.arrayBuffer());
        next = n + 1;
        if (video.paused && buffer.buffered.length) {
          video.currentTime = buffer.buffered.start(0);
          video.play().catch(() => {});
        }
      }
      // Keep about a minute behind the playhead, so hours of watching stay within memory.
      if (buffer.buffered.length && video.currentTime - buffer.buffered.start(0) > 90) {
        buffer.remove(buffer.buffered.start(0), video.currentTime - 60);
        await new Promise((resolve) => buffer.addEventListener('updateend', resolve, { once: true }));
      }
      await sleep(1000);
    }
  }

  async function playStills() {
    mode.textContent = '画面快照 stills';
    video.hidden = true;
    still.hidden = false;
    let last = -1;
    for (;;) {
      const numbers = await playlist().catch(() => []);
      if (numbers.length) {
        // Show frames of the newest published segment, stepping at the stream's pace.
        const edgeFrame = (numbers[numbers.length - 1] + 1) * (config.segment_s || 2) * fps - 1;
        const frame = Math.max(last + fps / 5, edgeFrame - (config.segment_s || 2) * fps);
        for (let f = frame; f <= edgeFrame; f += fps / 5) {
          still.src = video.dataset.frames + Math.floor(f) + '.jpg';
          last = f;
          await sleep(200);
        }
      } else {
        await sleep(1000);
      }
    }
  }

  const webm = 'video/webm; codecs="vp9,opus"';
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    mode.textContent = 'HLS';
    video.src = video.dataset.playlist;
    video.play().catch(() => {});
  } else if (window.MediaSource && MediaSource.isTypeSupported(webm)) {
    playMediaSource(webm).catch(playStills);
  } else {
    playStills();
  }
  document.getElementById('unmute').addEventListener('click', () => { video.muted = false; });

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
