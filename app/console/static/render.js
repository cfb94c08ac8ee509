// Every LINE message type drawn as the LINE app draws it. Tappable parts carry `data-path`,
// the action's place in the message as the control plane's taps name it.
import { renderFlex } from './flex.js';

const STICKER = (id) => `https://stickershop.line-scdn.net/stickershop/v1/sticker/${id}/android/sticker.png`;
const EMOJI = (product, emoji) => `https://stickershop.line-scdn.net/sticonshop/v1/sticon/${product}/iPhone/${emoji}.png`;
const LINK = /https?:\/\/[^\s<>"']+/g;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function image(src, className, onFail) {
  const img = el('img', className);
  img.src = src;
  img.alt = '';
  img.draggable = false;
  if (onFail) img.addEventListener('error', () => onFail(img), { once: true });
  return img;
}

function emojiGlyph(product, emoji) {
  return image(EMOJI(product, emoji), 'line-emoji', (img) => {
    img.replaceWith(el('span', 'line-emoji missing', '☺'));
  });
}

// Text with links made tappable; `emojis` replace their `$` (bot) or their span (user).
function richText(text, emojis, fromUser) {
  const holder = el('span', 'text-body');
  const marks = (emojis || []).slice().sort((a, b) => a.index - b.index);
  let at = 0;
  const plain = (chunk) => {
    let last = 0;
    for (const match of chunk.matchAll(LINK)) {
      holder.append(chunk.slice(last, match.index));
      const a = el('a', 'text-link', match[0]);
      a.href = match[0];
      a.dataset.uri = match[0];
      a.dataset.link = 'text';
      holder.append(a);
      last = match.index + match[0].length;
    }
    holder.append(chunk.slice(last));
  };
  for (const mark of marks) {
    const length = fromUser ? (mark.length || 1) : 1;
    if (mark.index < at) continue;
    plain(text.slice(at, mark.index));
    holder.append(emojiGlyph(mark.productId, mark.emojiId));
    at = mark.index + length;
  }
  plain(text.slice(at));
  return holder;
}

function stickerNode(message) {
  const box = el('div', 'sticker');
  box.append(image(STICKER(message.stickerId), 'sticker-img', (img) => {
    const drawn = el('div', 'sticker-drawn');
    drawn.append(el('div', 'sticker-face', '(^_^)'), el('div', 'sticker-id', `${message.packageId}/${message.stickerId}`));
    img.replaceWith(drawn);
  }));
  return box;
}

function duration(ms) {
  const total = Math.round((ms || 0) / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function location(message) {
  const card = el('div', 'location-card');
  const map = el('div', 'location-map');
  map.append(el('div', 'location-pin'));
  const info = el('div', 'location-info');
  info.append(el('div', 'location-title', message.title || 'Location'), el('div', 'location-address', message.address || `${message.latitude}, ${message.longitude}`));
  card.append(map, info);
  return card;
}

function imagemap(message, width) {
  const base = message.baseSize || { width: 1040, height: 1040 };
  const scale = width / 1040;
  const node = el('div', 'imagemap');
  node.style.width = `${width}px`;
  node.style.height = `${Math.round(base.height * scale)}px`;
  node.append(image(`${message.baseUrl}/${width >= 700 ? 1040 : 700}`, 'imagemap-img'));
  const video = message.video;
  if (video && video.area) {
    const v = el('div', 'imagemap-video');
    place(v, video.area, scale);
    v.append(image(video.previewImageUrl, 'imagemap-video-img'), el('div', 'play-icon'));
    if (video.externalLink) {
      const link = el('div', 'imagemap-link tappable', video.externalLink.label || '');
      link.dataset.path = 'video.externalLink';
      link.dataset.uri = video.externalLink.linkUri;
      v.append(link);
    }
    node.append(v);
  }
  (message.actions || []).forEach((area, i) => {
    const hit = el('div', 'imagemap-area tappable');
    place(hit, area.area, scale);
    hit.dataset.path = `actions[${i}]`;
    if (area.type === 'uri') hit.dataset.uri = area.linkUri;
    hit.title = area.label || area.text || area.linkUri || '';
    node.append(hit);
  });
  return node;
}

function place(node, area, scale) {
  Object.assign(node.style, {
    left: `${area.x * scale}px`, top: `${area.y * scale}px`,
    width: `${area.width * scale}px`, height: `${area.height * scale}px`,
  });
}

function actionRows(actions, prefix) {
  const rows = el('div', 'tpl-actions');
  (actions || []).forEach((action, i) => {
    const row = el('div', 'tpl-action tappable', action.label || '');
    row.dataset.path = `${prefix}.actions[${i}]`;
    if (action.type === 'uri') row.dataset.uri = action.uri;
    rows.append(row);
  });
  return rows;
}

function thumbnail(src, ratioName, sizeName, background) {
  const frame = el('div', `tpl-thumb ${ratioName === 'square' ? 'square' : 'rectangle'}`);
  if (background) frame.style.backgroundColor = background;
  const img = image(src, '');
  img.style.objectFit = sizeName === 'contain' ? 'contain' : 'cover';
  frame.append(img);
  return frame;
}

function buttonsColumn(column, prefix, template) {
  const card = el('div', 'tpl-card');
  if (column.defaultAction) {
    card.classList.add('tappable');
    card.dataset.path = `${prefix}.defaultAction`;
  }
  const image = column.thumbnailImageUrl;
  if (image) card.append(thumbnail(image, template.imageAspectRatio, template.imageSize, column.imageBackgroundColor));
  const body = el('div', 'tpl-body');
  if (column.title) body.append(el('div', 'tpl-title', column.title));
  body.append(el('div', column.title ? 'tpl-text' : 'tpl-text solo', column.text || ''));
  card.append(body, actionRows(column.actions, prefix));
  return card;
}

function template(message) {
  const t = message.template || {};
  if (t.type === 'buttons') {
    const card = buttonsColumn(t, 'template', t);
    card.classList.add('tpl-buttons');
    return card;
  }
  if (t.type === 'confirm') {
    const card = el('div', 'tpl-card tpl-confirm');
    card.append(el('div', 'tpl-confirm-text', t.text || ''));
    const row = actionRows(t.actions, 'template');
    row.classList.add('tpl-confirm-actions');
    card.append(row);
    return card;
  }
  if (t.type === 'carousel') {
    const strip = el('div', 'tpl-carousel');
    (t.columns || []).forEach((column, i) => strip.append(buttonsColumn(column, `template.columns[${i}]`, t)));
    return strip;
  }
  if (t.type === 'image_carousel') {
    const strip = el('div', 'tpl-carousel');
    (t.columns || []).forEach((column, i) => {
      const cell = el('div', 'tpl-image-column tappable');
      cell.dataset.path = `template.columns[${i}].action`;
      if (column.action && column.action.type === 'uri') cell.dataset.uri = column.action.uri;
      cell.append(image(column.imageUrl, ''));
      if (column.action && column.action.label) cell.append(el('div', 'tpl-image-label', column.action.label));
      strip.append(cell);
    });
    return strip;
  }
  return el('div', 'bubble', message.altText || 'Template message');
}

// The drawn message and whether it sits in a chat bubble (text, audio, files) or stands alone.
export function renderMessage(message, { fromUser = false, contentUrl = null, width = 260 } = {}) {
  switch (message.type) {
    case 'text': {
      const bubble = el('div', 'bubble');
      bubble.append(richText(message.text || '', message.emojis, fromUser));
      return bubble;
    }
    case 'textV2': {
      const bubble = el('div', 'bubble');
      const shown = (message.text || '').replace(/\{(\w+)\}/g, (_, key) => {
        const sub = (message.substitution || {})[key];
        if (!sub) return `{${key}}`;
        if (sub.type === 'mention') return sub.mentionee?.type === 'all' ? '@All' : '@user';
        return '☺';
      });
      bubble.append(richText(shown, [], fromUser));
      return bubble;
    }
    case 'sticker':
      return stickerNode(message);
    case 'image': {
      const src = fromUser ? contentUrl : (message.previewImageUrl || message.originalContentUrl);
      const holder = el('div', 'media');
      if (src) holder.append(image(src, 'media-img'));
      else holder.append(el('div', 'media-missing', 'Photo'));
      return holder;
    }
    case 'video': {
      const holder = el('div', 'media video');
      const poster = fromUser ? null : message.previewImageUrl;
      if (poster) holder.append(image(poster, 'media-img'));
      else holder.append(el('div', 'media-missing', 'Video'));
      holder.append(el('div', 'play-icon'));
      return holder;
    }
    case 'audio': {
      const bubble = el('div', 'bubble audio');
      bubble.append(el('span', 'audio-play', '▶'), el('span', 'audio-bar'), el('span', 'audio-time', duration(message.duration)));
      return bubble;
    }
    case 'file': {
      const bubble = el('div', 'bubble file');
      bubble.append(el('div', 'file-name', message.fileName || 'File'), el('div', 'file-size', `${Math.ceil((message.fileSize || 0) / 1024)} KB`));
      return bubble;
    }
    case 'location':
      return location(message);
    case 'imagemap':
      return imagemap(message, width);
    case 'template':
      return template(message);
    case 'flex':
      return renderFlex(message.contents || {}, 'contents');
    case 'coupon': {
      const bubble = el('div', 'bubble coupon');
      bubble.append(el('div', 'coupon-title', 'Coupon'), el('div', 'coupon-id', message.couponId || ''));
      return bubble;
    }
    default:
      return el('div', 'bubble unknown', message.altText || `${message.type} message`);
  }
}

export function quickReplyChips(message) {
  const items = (message.quickReply && message.quickReply.items) || [];
  return items.map((entry, i) => {
    const chip = el('button', 'chip tappable');
    chip.type = 'button';
    chip.dataset.path = `quickReply.items[${i}].action`;
    if (entry.imageUrl) chip.append(image(entry.imageUrl, 'chip-icon'));
    const action = entry.action || {};
    const fallback = { camera: 'Camera', cameraRoll: 'Camera roll', location: 'Location' }[action.type] || '';
    chip.append(el('span', null, action.label || fallback));
    return chip;
  });
}

export function previewText(message) {
  if (message.type === 'text') return message.text;
  return message.altText || `[${message.type}]`;
}
