// Flex Message rendering by LINE's layout rules (the Messaging API reference, "Flex Message
// elements" and "Flex Message layout"): every component becomes a flex item whose size,
// margins and grow factor follow the keyword tables below.

export const BUBBLE_WIDTH = { nano: 120, micro: 160, deca: 220, hecto: 241, kilo: 260, mega: 300, giga: 500 };
const SPACE = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const TEXT_SIZE = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, '3xl': 35, '4xl': 48, '5xl': 74 };
const IMAGE_SIZE = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, '3xl': 180, '4xl': 200, '5xl': 240 };
const RADIUS = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const BORDER = { none: 0, light: 0.5, normal: 1, medium: 2, 'semi-bold': 3, bold: 4 };
const BUTTON = { primary: ['#17c950', '#ffffff'], secondary: ['#dcdfe5', '#111111'] };
const SEPARATOR = '#d4d6da';

// Default padding of the header, body and footer boxes, by bubble size.
function blockPadding(size, block, hasFooter) {
  if (block === 'footer') return [10, 10, 10, 10];
  let pad;
  if (size === 'kilo') pad = [13, 13, 13, 13];
  else if (size === 'hecto' || size === 'deca') pad = [11, 14, 13, 14];
  else if (size === 'micro' || size === 'nano') pad = [10, 10, 10, 10];
  else pad = block === 'body' ? [19, 20, 20, 20] : [20, 20, 20, 20];
  if (block === 'body' && hasFooter) {
    if (size === 'mega' || size === 'giga' || !size) pad[2] = 10;
    else if (size === 'kilo' || size === 'hecto' || size === 'deca') pad[2] = 17;
  }
  return pad;
}

// "md" → 8px, "12px" → 12px, "10%" → 10% (keyword tables per property).
function length(value, table) {
  if (value === undefined || value === null) return null;
  if (table && value in table) return `${table[value]}px`;
  if (/^-?\d+(\.\d+)?(px|%)$/.test(String(value))) return String(value);
  return null;
}

function ratio(aspectRatio, fallback = '1:1') {
  const [w, h] = String(aspectRatio || fallback).split(':').map(Number);
  return w > 0 && h > 0 ? `${w} / ${h}` : '1 / 1';
}

function el(tag, className, style = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  Object.assign(node.style, style);
  return node;
}

function tappable(node, component, path) {
  if (component.action && typeof component.action === 'object') {
    node.dataset.path = `${path}.action`;
    node.classList.add('tappable');
    if (component.action.type === 'uri') node.dataset.uri = component.action.uri;
  }
}

export function renderFlex(contents, path = 'contents') {
  if (contents.type === 'carousel') {
    const strip = el('div', 'fx-carousel');
    (contents.contents || []).forEach((bubble, i) => {
      strip.append(renderBubble(bubble, `${path}.contents[${i}]`, true));
    });
    return strip;
  }
  return renderBubble(contents, path, false);
}

function renderBubble(bubble, path, inCarousel) {
  const size = bubble.size || 'mega';
  // A bubble is its size's width, narrower only when the screen is.
  const node = el('div', `fx-bubble fx-${size}`, {
    width: `${BUBBLE_WIDTH[size] || 300}px`,
    direction: bubble.direction === 'rtl' ? 'rtl' : 'ltr',
  });
  const styles = bubble.styles || {};
  const blocks = ['header', 'hero', 'body', 'footer'].filter((b) => bubble[b]);
  blocks.forEach((block, position) => {
    const style = styles[block] || {};
    const wrap = el('div', `fx-block fx-${block}`);
    if (style.backgroundColor) wrap.style.backgroundColor = style.backgroundColor;
    if (style.separator && position > 0) {
      wrap.style.borderTop = `1px solid ${style.separatorColor || SEPARATOR}`;
    }
    const child = bubble[block];
    const childPath = `${path}.${block}`;
    if (block === 'hero' && child.type !== 'box') {
      wrap.append(renderComponent(child, childPath, 'vertical', 0, {}));
    } else {
      const box = renderBox(child, childPath, null);
      const pad = blockPadding(size, block, Boolean(bubble.footer));
      const sides = ['Top', 'Right', 'Bottom', 'Left'];
      sides.forEach((side, i) => {
        if (!box.style[`padding${side}`]) box.style[`padding${side}`] = `${pad[i]}px`;
      });
      wrap.append(box);
    }
    if (block === 'body') wrap.style.flex = '1 0 auto';
    node.append(wrap);
  });
  if (bubble.action) {
    node.dataset.path = `${path}.action`;
    node.classList.add('tappable');
  }
  return node;
}

function renderBox(box, path, parentLayout) {
  const layout = box.layout || 'vertical';
  const node = el('div', `fx-box fx-${layout}`);
  const s = node.style;
  s.display = 'flex';
  s.flexDirection = layout === 'vertical' ? 'column' : 'row';
  if (layout === 'baseline') s.alignItems = 'baseline';
  if (box.backgroundColor) s.backgroundColor = box.backgroundColor;
  if (box.borderColor) s.borderColor = box.borderColor;
  const border = length(box.borderWidth, BORDER);
  if (border) {
    s.borderStyle = 'solid';
    s.borderWidth = border;
    if (!box.borderColor) s.borderColor = '#000000';
  }
  const radius = length(box.cornerRadius, RADIUS);
  if (radius) s.borderRadius = radius;
  for (const [prop, css] of [['width', 'width'], ['maxWidth', 'maxWidth'], ['height', 'height'], ['maxHeight', 'maxHeight']]) {
    const value = length(box[prop]);
    if (value) s[css] = value;
  }
  const padAll = length(box.paddingAll, SPACE);
  for (const [prop, css] of [['paddingTop', 'paddingTop'], ['paddingBottom', 'paddingBottom'], ['paddingStart', 'paddingInlineStart'], ['paddingEnd', 'paddingInlineEnd']]) {
    const value = length(box[prop], SPACE) || padAll;
    if (value) s[css] = value;
  }
  if (padAll && !box.paddingStart) s.paddingLeft = padAll;
  if (padAll && !box.paddingEnd) s.paddingRight = padAll;
  const justify = { 'flex-start': 'flex-start', 'flex-end': 'flex-end', center: 'center', 'space-between': 'space-between', 'space-around': 'space-around', 'space-evenly': 'space-evenly' };
  if (justify[box.justifyContent]) s.justifyContent = justify[box.justifyContent];
  const align = { 'flex-start': 'flex-start', 'flex-end': 'flex-end', center: 'center' };
  if (align[box.alignItems]) s.alignItems = align[box.alignItems];
  const bg = box.background;
  if (bg && bg.type === 'linearGradient') {
    const stops = bg.centerColor
      ? `${bg.startColor}, ${bg.centerColor} ${bg.centerPosition || '50%'}, ${bg.endColor}`
      : `${bg.startColor}, ${bg.endColor}`;
    s.backgroundImage = `linear-gradient(${bg.angle || '0deg'}, ${stops})`;
  }
  const gap = length(box.spacing, SPACE);
  const spacing = gap && gap.endsWith('px') ? parseFloat(gap) : 0;
  let placed = 0;
  (box.contents || []).forEach((child, i) => {
    const childPath = `${path}.contents[${i}]`;
    const rendered = renderComponent(child, childPath, layout, placed > 0 && child.type !== 'filler' && child.position !== 'absolute' ? spacing : 0, box);
    if (child.type !== 'filler' && child.position !== 'absolute') placed += 1;
    node.append(rendered);
  });
  tappable(node, box, path);
  return node;
}

// The flex item every component is: grow factor, margin (spacing or its own), offsets.
function item(node, component, parentLayout, spacing) {
  const s = node.style;
  const horizontal = parentLayout === 'horizontal' || parentLayout === 'baseline';
  const grows = component.flex !== undefined ? Number(component.flex) : (horizontal ? 1 : 0);
  // Icons and separators keep their own size; they never grow.
  if (component.type === 'separator' || component.type === 'icon') s.flex = 'none';
  else if (grows === 0) s.flex = 'none';
  else s.flex = horizontal ? `${grows} 0 0` : `${grows} 0 auto`;
  if (horizontal && grows !== 0) s.minWidth = '0';
  const margin = component.margin !== undefined ? length(component.margin, SPACE) : (spacing ? `${spacing}px` : null);
  if (margin && component.position !== 'absolute') {
    if (horizontal) s.marginInlineStart = margin;
    else s.marginTop = margin;
  }
  if (component.position === 'absolute') s.position = 'absolute';
  else if (['offsetTop', 'offsetBottom', 'offsetStart', 'offsetEnd'].some((k) => component[k] !== undefined)) s.position = 'relative';
  const offsets = { offsetTop: 'top', offsetBottom: 'bottom', offsetStart: 'insetInlineStart', offsetEnd: 'insetInlineEnd' };
  for (const [prop, css] of Object.entries(offsets)) {
    const value = length(component[prop], SPACE);
    if (value) s[css] = value;
  }
  const selfAlign = { top: 'flex-start', bottom: 'flex-end', center: 'center' };
  if (horizontal && component.gravity && component.type !== 'text' && selfAlign[component.gravity]) s.alignSelf = selfAlign[component.gravity];
  return node;
}

function renderComponent(component, path, parentLayout, spacing, parent) {
  const kind = component.type;
  let node;
  if (kind === 'box') node = renderBox(component, path, parentLayout);
  else if (kind === 'text') node = renderText(component, parentLayout);
  else if (kind === 'image') node = renderImage(component, parentLayout);
  else if (kind === 'video') node = renderVideo(component);
  else if (kind === 'icon') node = renderIcon(component);
  else if (kind === 'button') node = renderButton(component);
  else if (kind === 'separator') {
    node = el('div', 'fx-separator');
    const color = component.color || SEPARATOR;
    if (parentLayout === 'vertical') node.style.borderTop = `1px solid ${color}`;
    else Object.assign(node.style, { borderLeft: `1px solid ${color}`, alignSelf: 'stretch' });
  } else if (kind === 'filler') {
    node = el('div', 'fx-filler');
    item(node, { ...component, flex: component.flex ?? 1 }, parentLayout, 0);
    return node;
  } else if (kind === 'span') {
    node = renderSpan(component);
    return node;
  } else {
    node = el('div', 'fx-unknown');
  }
  item(node, component, parentLayout, spacing);
  if (kind !== 'box') tappable(node, component, path);
  return node;
}

function renderText(text, parentLayout) {
  const node = el('div', 'fx-text');
  const size = TEXT_SIZE[text.size] ? `${TEXT_SIZE[text.size]}px` : length(text.size) || '16px';
  const p = el('p', null, { fontSize: size, color: text.color || '#111111', margin: '0' });
  if (text.weight === 'bold') p.style.fontWeight = '700';
  if (text.style === 'italic') p.style.fontStyle = 'italic';
  if (text.decoration === 'underline') p.style.textDecoration = 'underline';
  if (text.decoration === 'line-through') p.style.textDecoration = 'line-through';
  if (text.align) p.style.textAlign = { start: 'start', end: 'end', center: 'center' }[text.align] || 'start';
  const spacing = length(text.lineSpacing);
  if (spacing) p.style.lineHeight = `calc(1.4em + ${spacing})`;
  if (text.wrap) {
    p.style.whiteSpace = 'pre-wrap';
    p.style.overflowWrap = 'anywhere';
    if (text.maxLines > 0) {
      Object.assign(p.style, { display: '-webkit-box', webkitBoxOrient: 'vertical', webkitLineClamp: String(text.maxLines), overflow: 'hidden' });
    }
  } else {
    Object.assign(p.style, { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' });
  }
  if (Array.isArray(text.contents) && text.contents.length) {
    text.contents.forEach((span) => p.append(renderSpan(span)));
  } else {
    p.textContent = text.text ?? '';
  }
  node.append(p);
  node.style.display = 'flex';
  node.style.flexDirection = 'column';
  if (parentLayout !== 'baseline') {
    const gravity = { top: 'flex-start', bottom: 'flex-end', center: 'center' }[text.gravity];
    if (gravity) node.style.justifyContent = gravity;
  }
  return node;
}

function renderSpan(span) {
  const node = el('span', 'fx-span');
  node.textContent = span.text ?? '';
  if (span.size) node.style.fontSize = TEXT_SIZE[span.size] ? `${TEXT_SIZE[span.size]}px` : length(span.size) || '';
  if (span.color) node.style.color = span.color;
  if (span.weight === 'bold') node.style.fontWeight = '700';
  if (span.style === 'italic') node.style.fontStyle = 'italic';
  if (span.decoration && span.decoration !== 'none') node.style.textDecoration = span.decoration;
  return node;
}

function renderImage(image, parentLayout) {
  const node = el('div', 'fx-image');
  const s = node.style;
  s.display = 'flex';
  s.flexDirection = 'column';
  const align = { start: 'flex-start', end: 'flex-end', center: 'center' }[image.align || 'center'];
  s.alignItems = align;
  const gravity = { top: 'flex-start', bottom: 'flex-end', center: 'center' }[image.gravity || 'top'];
  s.justifyContent = gravity;
  const size = image.size || 'md';
  const width = size === 'full' ? '100%' : (IMAGE_SIZE[size] ? `${IMAGE_SIZE[size]}px` : length(size) || '100px');
  const frame = el('div', 'fx-image-frame', { width, maxWidth: '100%', aspectRatio: ratio(image.aspectRatio), overflow: 'hidden', position: 'relative' });
  if (image.backgroundColor) frame.style.backgroundColor = image.backgroundColor;
  const img = el('img', null, { width: '100%', height: '100%', display: 'block', objectFit: image.aspectMode === 'cover' ? 'cover' : 'contain' });
  img.src = image.url;
  img.alt = '';
  img.loading = 'lazy';
  frame.append(img);
  node.append(frame);
  if (size === 'full') s.width = '100%';
  return node;
}

function renderVideo(video) {
  const node = el('div', 'fx-video');
  const frame = el('div', 'fx-image-frame', { width: '100%', aspectRatio: ratio(video.aspectRatio, '16:9'), position: 'relative', background: '#000' });
  const img = el('img', null, { width: '100%', height: '100%', objectFit: 'cover', display: 'block' });
  img.src = video.previewUrl;
  img.alt = '';
  frame.append(img, el('div', 'play-icon'));
  node.append(frame);
  return node;
}

function renderIcon(icon) {
  const node = el('div', 'fx-icon');
  const size = TEXT_SIZE[icon.size] ? `${TEXT_SIZE[icon.size]}px` : length(icon.size) || '16px';
  node.style.fontSize = size;
  node.style.flex = 'none';
  const [w, h] = String(icon.aspectRatio || '1:1').split(':').map(Number);
  const glyph = el('span', null, {
    display: 'inline-block', height: '1em', width: `${(w / h) || 1}em`,
    backgroundImage: `url("${icon.url}")`, backgroundSize: 'contain', backgroundRepeat: 'no-repeat', backgroundPosition: 'center',
  });
  node.append(glyph);
  return node;
}

function renderButton(button) {
  const node = el('div', 'fx-button');
  const style = button.style || 'link';
  const [background, color] = BUTTON[style] || ['transparent', '#42659a'];
  const face = el('div', `fx-button-face fx-button-${style}`, {
    height: button.height === 'sm' ? '40px' : '52px',
    backgroundColor: style === 'link' ? 'transparent' : (button.color || background),
    color: style === 'link' ? (button.color || color) : color,
  });
  const label = el('div', 'fx-button-label');
  label.textContent = (button.action && button.action.label) || '';
  face.append(label);
  node.append(face);
  const gravity = { top: 'flex-start', bottom: 'flex-end', center: 'center' }[button.gravity];
  if (gravity) Object.assign(node.style, { display: 'flex', flexDirection: 'column', justifyContent: gravity });
  return node;
}
