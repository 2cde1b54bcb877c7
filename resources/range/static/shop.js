// Practice range shop pages: lazy images, content fetched from api.range.test, the flash
// price, the bot-check slider. No inline script (the pages' CSP forbids it); settings come
// from the JSON block #range-config. Text is inserted with textContent, never innerHTML.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('range-config').textContent);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'text') node.textContent = value; else node.setAttribute(key, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  // Lazy images: <img data-src> gets its real src when it nears the viewport.
  const observer = 'IntersectionObserver' in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) { load(entry.target); observer.unobserve(entry.target); }
    }
  }, { rootMargin: '300px 0px' }) : null;
  function load(img) { img.src = img.dataset.src; img.removeAttribute('data-src'); }
  function lazy(root) {
    for (const img of root.querySelectorAll('img[data-src]')) {
      if (observer) observer.observe(img); else load(img);
    }
  }

  function card(p) {
    return el('a', { class: 'card', href: p.url, 'data-product-id': p.product_id }, [
      el('img', { 'data-src': p.image, src: 'data:,', loading: 'lazy', width: '220', height: '220', alt: p.title }),
      el('div', { class: 'title', text: p.title }),
      el('div', { class: 'price' }, [el('b', { text: '¥' + p.price }), el('s', { text: '¥' + p.original_price })]),
      el('div', { class: 'sales', text: p.sales_text }),
    ]);
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: 'include', cache: 'no-store' });
    if (!response.ok) throw new Error(url + ': ' + response.status);
    return response.json();
  }

  const hot = document.getElementById('hot-list');
  if (hot) {
    getJSON(hot.dataset.url).then((data) => {
      hot.replaceChildren(...data.items.map(card));
      lazy(hot);
    }).catch((err) => { hot.textContent = '加载失败 ' + err.message; });
  }

  const reviews = document.getElementById('reviews');
  if (reviews) {
    getJSON(reviews.dataset.url).then((data) => {
      reviews.replaceChildren(...data.reviews.map((r) => el('div', { class: 'review' }, [
        el('div', { class: 'meta', text: r.user + ' · ' + r.date + ' · ' + r.sku }),
        el('div', { class: 'stars', text: '★'.repeat(r.stars) + '☆'.repeat(5 - r.stars) }),
        el('p', { text: r.text }),
      ])));
    }).catch((err) => { reviews.textContent = '评价加载失败 ' + err.message; });
  }

  const flash = document.getElementById('flash');
  if (flash) {
    const price = document.getElementById('flash-price');
    const next = document.getElementById('next-change');
    const tick = () => getJSON(flash.dataset.url).then((data) => {
      price.textContent = '¥' + data.price;
      next.textContent = String(data.next_change_s);
    }).catch(() => {});
    setInterval(tick, 1000);
  }

  const knob = document.getElementById('knob');
  if (knob) {
    // The challenge never passes: the range shows what a capture looks like when blocked.
    knob.addEventListener('pointerup', () => { knob.textContent = '×'; });
  }

  lazy(document);
  void config;
})();
