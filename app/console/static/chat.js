// A LINE chat for one simulated user: the bot's messages on the left, the user's on the
// right, quick replies and the rich menu at the bottom. Every tap is a real control-plane
// action; the chat polls for the bot's answers.
import { ApiError, clock, control, el, toast } from './api.js';
import { quickReplyChips, renderMessage } from './render.js';

const POLL_MS = 800;
const svg = (body) => `<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
const ICONS = {
  plus: svg('<path d="M12 5v14M5 12h14"/>'),
  photo: svg('<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="10" r="1.6"/><path d="M4 17l5-4 4 3 3-2 4 3"/>'),
  send: svg('<path d="M4 12l16-7-6 16-2.5-6.5z" fill="currentColor"/>'),
  keyboard: svg('<rect x="2.5" y="6" width="19" height="12" rx="2"/><path d="M6 10h1M9 10h1M12 10h1M15 10h1M18 10h0.5M7 14h10"/>'),
  menu: svg('<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 12h18M12 4v16"/>'),
};
const STICKERS = [[446, 1988], [446, 1989], [446, 1990], [446, 1991], [446, 1992], [446, 1993], [789, 10855], [789, 10856]];

export async function chatPage(root, channelId, userId) {
  const channel = await control.get(`/channels/${channelId}`);
  const user = await control.get(`/users/${userId}`);
  const base = `/channels/${channelId}/users/${userId}`;
  const state = { items: [], signature: '', opened: new Set(), actions: new Map(), menu: null, menuOpen: true, stopped: false };

  const phone = el('div', 'phone');
  const header = el('div', 'chat-header');
  const back = el('a', 'chat-back', '‹');
  back.href = `#/c/${channelId}`;
  header.append(back, el('div', 'chat-title', channel.name), el('div', 'chat-as', `as ${user.displayName}`));
  const log = el('div', 'chat-log');
  log.dataset.testid = 'chat-log';
  const chips = el('div', 'quick-replies');
  const composer = el('form', 'composer');
  const plus = el('button', 'composer-icon');
  plus.innerHTML = ICONS.plus;
  plus.type = 'button';
  plus.title = 'Stickers and location';
  const photo = el('label', 'composer-icon');
  photo.innerHTML = ICONS.photo;
  photo.title = 'Send a photo';
  const file = el('input');
  file.type = 'file';
  file.accept = 'image/*';
  file.hidden = true;
  photo.append(file);
  const input = el('input', 'composer-input');
  input.placeholder = 'Aa';
  input.name = 'text';
  const send = el('button', 'composer-send');
  send.innerHTML = ICONS.send;
  send.type = 'submit';
  const toMenu = el('button', 'composer-icon composer-menu');
  toMenu.innerHTML = ICONS.menu;
  toMenu.type = 'button';
  toMenu.title = 'Rich menu';
  toMenu.hidden = true;
  composer.append(toMenu, plus, photo, input, send);
  const drawer = el('div', 'drawer');
  drawer.hidden = true;
  const menuBar = el('div', 'menu-bar');
  menuBar.hidden = true;
  const menu = el('div', 'rich-menu');
  phone.append(header, log, chips, composer, drawer, menuBar, menu);
  root.replaceChildren(phone);

  const fail = (error) => toast(error instanceof ApiError ? error.message : String(error));

  // Stickers and a location, like the "+" drawer of the app.
  STICKERS.forEach(([packageId, stickerId]) => {
    const pick = el('button', 'drawer-sticker');
    pick.type = 'button';
    pick.append(renderMessage({ type: 'sticker', packageId: String(packageId), stickerId: String(stickerId) }));
    pick.addEventListener('click', () => act(() => control.post(`${base}/messages`, { type: 'sticker', packageId: String(packageId), stickerId: String(stickerId) })));
    drawer.append(pick);
  });
  const where = el('button', 'drawer-location', 'Send location');
  where.type = 'button';
  where.addEventListener('click', () => act(() => control.post(`${base}/messages`, {
    type: 'location', title: 'Tokyo Station', address: '1 Chome Marunouchi, Chiyoda City, Tokyo', latitude: 35.681236, longitude: 139.767125,
  })));
  drawer.append(where);
  plus.addEventListener('click', () => { drawer.hidden = !drawer.hidden; });

  async function act(run) {
    try {
      const result = await run();
      drawer.hidden = true;
      await refresh();
      return result;
    } catch (error) {
      fail(error);
      return null;
    }
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    act(() => control.post(`${base}/messages`, { type: 'text', text }));
  });
  file.addEventListener('change', () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append('type', 'image');
    form.append('file', file.files[0]);
    file.value = '';
    act(() => control.post(`${base}/messages`, form));
  });

  // As in the app: with a rich menu the bar shows it (the keyboard icon brings the input
  // back), and the chat bar text opens and closes the menu.
  menuBar.addEventListener('click', (event) => {
    if (event.target.closest('.menu-keyboard')) state.keyboard = true;
    else state.menuOpen = !state.menuOpen;
    drawMenu();
  });
  toMenu.addEventListener('click', () => {
    state.keyboard = false;
    state.menuOpen = true;
    drawMenu();
  });

  // A tap anywhere on a message finds its action by path, as the control plane lists them.
  async function tapMessage(messageId, path, uri) {
    let actions = state.actions.get(messageId);
    if (!actions || path.startsWith('quickReply')) {
      actions = await control.get(`${base}/inbox/${messageId}/actions`);
      state.actions.set(messageId, actions);
    }
    const found = actions.find((a) => a.path === path);
    if (!found) {
      if (uri) return openLink(messageId, uri);
      return toast('Nothing to tap here');
    }
    const body = { index: found.index };
    if (found.action.type === 'datetimepicker') {
      const value = await pickDateTime(found.action);
      if (value === null) return undefined;
      body.value = value;
    }
    const result = await act(() => control.post(`${base}/inbox/${messageId}/tap`, body));
    if (result) report(result);
    return result;
  }

  function report(result) {
    if (result.uri) toast(`Opened ${result.uri}`);
    else if (result.copied !== undefined) toast(`Copied “${result.copied}”`);
  }

  async function openLink(messageId, url) {
    try {
      await control.post(`${base}/inbox/${messageId}/click`, { url });
      toast(`Opened ${url}`);
    } catch (error) {
      fail(error);
    }
  }

  function pickDateTime(action) {
    return new Promise((resolve) => {
      const dialog = el('form', 'picker');
      const field = el('input');
      field.type = { date: 'date', time: 'time', datetime: 'datetime-local' }[action.mode] || 'date';
      if (action.initial) field.value = action.initial.replace('t', 'T');
      const ok = el('button', null, 'OK');
      const cancel = el('button', null, 'Cancel');
      cancel.type = 'button';
      dialog.append(el('div', 'picker-title', action.label || 'Pick'), field, ok, cancel);
      dialog.addEventListener('submit', (event) => { event.preventDefault(); dialog.remove(); resolve(field.value || null); });
      cancel.addEventListener('click', () => { dialog.remove(); resolve(null); });
      phone.append(dialog);
    });
  }

  log.addEventListener('click', (event) => {
    const target = event.target.closest('[data-path], a[data-link]');
    const row = event.target.closest('[data-message-id]');
    if (!target || !row) return;
    event.preventDefault();
    if (target.dataset.link === 'text') openLink(row.dataset.messageId, target.dataset.uri);
    else tapMessage(row.dataset.messageId, target.dataset.path, target.dataset.uri);
  });
  chips.addEventListener('click', (event) => {
    const chip = event.target.closest('[data-path]');
    if (chip && chips.dataset.messageId) tapMessage(chips.dataset.messageId, chip.dataset.path);
  });

  // Viewing a message records an open, once per message, as the app reports impressions.
  const watcher = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const id = entry.target.dataset.messageId;
      if (!entry.isIntersecting || state.opened.has(id)) continue;
      state.opened.add(id);
      control.post(`${base}/inbox/${id}/open`).catch(() => state.opened.delete(id));
    }
  }, { root: log, threshold: 0.5 });

  function avatar() {
    const icon = el('div', 'avatar');
    if (channel.pictureUrl) {
      const img = el('img');
      img.src = channel.pictureUrl;
      img.addEventListener('error', () => { img.remove(); icon.textContent = channel.name.slice(0, 1); }, { once: true });
      icon.append(img);
    } else icon.textContent = channel.name.slice(0, 1);
    return icon;
  }

  function drawItems() {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.replaceChildren();
    let lastDay = '';
    let previous = null;
    const width = Math.min(260, log.clientWidth * 0.7 || 260);
    for (const item of state.items) {
      const day = new Date(item.sentAt).toDateString();
      if (day !== lastDay) {
        log.append(el('div', 'day-mark', new Date(item.sentAt).toLocaleDateString(undefined, { weekday: 'short', month: 'numeric', day: 'numeric' })));
        lastDay = day;
        previous = null;
      }
      // As in the app, a run of the bot's messages shows its icon and name once.
      const continued = previous === 'bot' && item.sender === 'bot';
      previous = item.sender;
      const fromUser = item.sender === 'user';
      const row = el('div', `row ${fromUser ? 'from-user' : 'from-bot'}`);
      row.dataset.messageId = item.messageId;
      row.dataset.type = item.message.type;
      const contentUrl = item.hasContent ? `/_kizuna/console/channels/${channelId}/messages/${item.messageId}/content` : null;
      const drawn = item.unsent ? el('div', 'unsent', 'You unsent a message') : renderMessage(item.message, { fromUser, contentUrl, width });
      const meta = el('div', 'meta');
      if (fromUser && item.read) meta.append(el('div', 'read', 'Read'));
      meta.append(el('div', 'time', clock(item.sentAt)));
      if (fromUser) {
        row.append(meta, drawn);
      } else {
        const column = el('div', 'bot-column');
        if (!continued) column.append(el('div', 'bot-name', channel.name));
        const line = el('div', 'bot-line');
        if (drawn.classList.contains('fx-carousel') || drawn.classList.contains('tpl-carousel')) line.classList.add('wide');
        line.append(drawn, meta);
        column.append(line);
        row.append(continued ? el('div', 'avatar-space') : avatar(), column);
        watcher.observe(row);
      }
      log.append(row);
    }
    if (state.loading) {
      const row = el('div', 'row from-bot');
      const column = el('div', 'bot-column');
      const dots = el('div', 'bubble loading');
      dots.append(el('span'), el('span'), el('span'));
      column.append(el('div', 'bot-name', channel.name), dots);
      row.append(avatar(), column);
      log.append(row);
    }
    const last = state.items[state.items.length - 1];
    chips.replaceChildren();
    delete chips.dataset.messageId;
    if (last && last.sender === 'bot' && last.message.quickReply) {
      chips.dataset.messageId = last.messageId;
      chips.append(...quickReplyChips(last.message));
    }
    if (atBottom || state.firstDraw) log.scrollTop = log.scrollHeight;
    state.firstDraw = false;
  }

  function drawMenu() {
    const shown = state.menu;
    const keyboard = !shown || state.keyboard;
    menuBar.hidden = keyboard;
    composer.hidden = !keyboard;
    toMenu.hidden = !shown;
    menu.replaceChildren();
    menu.hidden = keyboard || !state.menuOpen;
    if (!shown) return;
    const key = el('span', 'menu-keyboard');
    key.innerHTML = ICONS.keyboard;
    key.title = 'Keyboard';
    menuBar.replaceChildren(key, el('span', 'menu-text', `${shown.chatBarText} ${state.menuOpen ? '▾' : '▴'}`));
    const width = phone.clientWidth || 390;
    const scale = width / shown.size.width;
    menu.style.height = `${Math.round(shown.size.height * scale)}px`;
    if (shown.hasImage) {
      const img = el('img', 'rich-menu-img');
      img.src = `/_kizuna/console/channels/${channelId}/richmenus/${shown.richMenuId}/image`;
      img.alt = shown.name;
      menu.append(img);
    }
    for (const area of shown.areas) {
      const hit = el('div', 'rich-menu-area tappable');
      hit.dataset.index = area.index;
      Object.assign(hit.style, {
        left: `${area.bounds.x * scale}px`, top: `${area.bounds.y * scale}px`,
        width: `${area.bounds.width * scale}px`, height: `${area.bounds.height * scale}px`,
      });
      hit.title = area.action.label || area.action.text || area.action.data || '';
      hit.addEventListener('click', async () => {
        const body = { index: area.index };
        if (area.action.type === 'datetimepicker') {
          const value = await pickDateTime(area.action);
          if (value === null) return;
          body.value = value;
        }
        const result = await act(() => control.post(`${base}/richmenu/tap`, body));
        if (result) report(result);
        await loadMenu();
      });
      menu.append(hit);
    }
  }

  async function loadMenu() {
    let shown = null;
    try {
      shown = await control.get(`${base}/richmenu`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const changed = JSON.stringify(shown) !== JSON.stringify(state.menu);
    if (changed && shown && (!state.menu || state.menu.richMenuId !== shown.richMenuId)) state.menuOpen = shown.selected;
    state.menu = shown;
    if (changed) drawMenu();
  }

  async function refresh() {
    const [items, chat] = await Promise.all([
      control.get(`/console/channels/${channelId}/users/${userId}/timeline`),
      control.get(`${base}/chat`).catch(() => ({ loading: false })),
    ]);
    const signature = JSON.stringify([items.map((i) => [i.messageId, i.read, i.unsent]), chat.loading]);
    if (signature === state.signature) return;
    state.signature = signature;
    state.items = items;
    state.loading = chat.loading;
    state.actions.clear();
    drawItems();
  }

  state.firstDraw = true;
  await Promise.all([refresh(), loadMenu()]);
  let ticks = 0;
  const timer = setInterval(async () => {
    if (!document.body.contains(phone)) { clearInterval(timer); watcher.disconnect(); return; }
    try {
      await refresh();
      ticks += 1;
      if (ticks % 4 === 0) await loadMenu();
    } catch (error) {
      // The server may be restarting; the next tick tries again.
    }
  }, POLL_MS);
}
