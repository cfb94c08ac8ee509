// One-to-one chat as the Official Account Manager shows it to operators: the chats on the
// left (filtered by chat tag), the thread in the middle from the account's side (the user's
// bubbles on the left, the account's on the right), tags and notes on the right. An answer is
// posted to `…/chats/{userId}/messages` and reaches the user with `via: chat`.
import { clock, control, el, errorText } from './api.js';
import { renderMessage } from './render.js';
import { button, form, select, textarea } from './ui.js';

const POLL_MS = 1000;
const filters = new Map(); // channel id -> the tag id the chat list is filtered by

const VIA = { chat: 'Operator', auto_reply: 'Auto-response', greeting: 'Greeting', reply: 'Bot reply', push: 'Bot push', step: 'Step message', test: 'Test send' };

export async function chatsPage(root, channelId, rest) {
  const base = `/channels/${channelId}`;
  const state = { tags: [], chats: [], thread: null, listSignature: '', threadSignature: '' };
  let userId = rest[0] || null;

  const list = el('aside', 'op-list');
  const filter = el('div', 'op-filter');
  const items = el('div', 'op-items');
  items.dataset.testid = 'chat-list';
  list.append(el('div', 'op-pane-title', 'Chats'), filter, items);

  const pane = el('div', 'op-thread');
  const head = el('div', 'op-thread-head');
  const log = el('div', 'op-log');
  log.dataset.testid = 'thread';
  const composer = el('form', 'op-composer');
  const text = textarea('text', '', 'Enter a message (Enter sends, Shift+Enter: new line)');
  text.rows = 3;
  const send = button('Send', 'primary', 'submit');
  const composerError = el('div', 'form-error');
  composerError.dataset.testid = 'composer-error';
  composerError.hidden = true;
  composer.append(text, send);
  pane.append(head, log, composerError, composer);

  const side = el('aside', 'op-side');
  const layout = el('div', 'op-chats');
  layout.append(list, pane, side);
  root.replaceChildren(layout);

  const threadPath = () => `${base}/chats/${userId}`;

  composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = text.value.trim();
    if (!body || !userId) return;
    composerError.hidden = true;
    send.disabled = true;
    try {
      await control.post(`${threadPath()}/messages`, { messages: [{ type: 'text', text: body }] });
      text.value = '';
      await refreshThread();
    } catch (failure) {
      composerError.textContent = errorText(failure);
      composerError.hidden = false;
    } finally {
      send.disabled = false;
      text.focus();
    }
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  function drawFilter() {
    const chosen = filters.get(channelId) || '';
    const pick = select('tag', [['', 'All chats'], ...state.tags.map((t) => [String(t.tagId), `${t.name} (${t.chats ?? 0})`])], chosen);
    pick.dataset.testid = 'tag-filter';
    pick.addEventListener('change', async () => {
      filters.set(channelId, pick.value);
      await refreshList();
    });
    filter.replaceChildren(pick);
  }

  function drawList() {
    items.replaceChildren();
    if (!state.chats.length) items.append(el('div', 'empty op-none', 'No chats'));
    for (const chat of state.chats) {
      const a = el('a', `op-item${chat.userId === userId ? ' active' : ''}`);
      a.href = `#/c/${channelId}/chats/${chat.userId}`;
      a.dataset.userId = chat.userId;
      const icon = el('div', 'op-avatar', chat.displayName.slice(0, 1));
      const body = el('div', 'op-item-body');
      body.append(el('div', 'op-item-name', chat.displayName));
      const tags = el('div', 'op-item-tags');
      chat.tags.forEach((t) => tags.append(el('span', 'tag', t.name)));
      body.append(tags);
      a.append(icon, body);
      items.append(a);
    }
  }

  function drawThread() {
    const thread = state.thread;
    if (!thread) {
      head.replaceChildren(el('div', 'op-thread-name', 'Choose a chat'));
      log.replaceChildren();
      composer.hidden = true;
      side.replaceChildren();
      return;
    }
    composer.hidden = false;
    // The simulated user's own phone, to write as them.
    const phone = el('a', 'op-thread-phone', 'Open their LINE chat');
    phone.href = `#/c/${channelId}/chat/${thread.userId}`;
    head.replaceChildren(el('div', 'op-thread-name', thread.displayName), el('div', 'op-thread-id', thread.userId), phone);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const first = !log.childElementCount;
    log.replaceChildren();
    let lastDay = '';
    for (const item of thread.messages) {
      const day = new Date(item.sentAt).toDateString();
      if (day !== lastDay) {
        log.append(el('div', 'day-mark', new Date(item.sentAt).toLocaleDateString(undefined, { weekday: 'short', month: 'numeric', day: 'numeric' })));
        lastDay = day;
      }
      const fromUser = item.from === 'user';
      // The account's side: what the user wrote sits on the left, what the account sent on the right.
      const row = el('div', `row ${fromUser ? 'from-bot op-customer' : 'from-user op-account'}`);
      row.dataset.messageId = item.messageId;
      const contentUrl = fromUser ? `/_kizuna/console/channels/${channelId}/messages/${item.messageId}/content` : null;
      const drawn = item.unsent ? el('div', 'unsent', 'Unsent message') : renderMessage(item.message, { fromUser, contentUrl, width: 260 });
      const meta = el('div', 'meta');
      if (!fromUser && item.via) meta.append(el('div', `via via-${item.via}`, VIA[item.via] || item.via));
      meta.append(el('div', 'time', clock(item.sentAt)));
      if (fromUser) {
        const column = el('div', 'bot-column');
        const line = el('div', 'bot-line');
        line.append(drawn, meta);
        column.append(line);
        row.append(el('div', 'avatar op-user-avatar', thread.displayName.slice(0, 1)), column);
      } else {
        row.append(meta, drawn);
      }
      log.append(row);
    }
    if (!thread.messages.length) log.append(el('div', 'empty op-none', 'No messages yet'));
    if (atBottom || first) log.scrollTop = log.scrollHeight;
  }

  function drawSide() {
    const thread = state.thread;
    if (!thread) return;
    const fail = el('div', 'form-error');
    fail.hidden = true;
    const onError = (message) => { fail.textContent = message; fail.hidden = false; };

    const tags = el('section', 'op-box');
    tags.dataset.testid = 'chat-tags';
    const chips = el('div', 'op-tags');
    for (const tag of thread.tags) {
      const chip = el('span', 'tag removable', tag.name);
      const remove = button('×', 'tag-remove');
      remove.title = `Remove ${tag.name}`;
      remove.addEventListener('click', () => run(() => control.delete(`${threadPath()}/tags/${tag.tagId}`), onError));
      chip.append(remove);
      chips.append(chip);
    }
    if (!thread.tags.length) chips.append(el('span', 'empty', 'No tags'));
    const held = new Set(thread.tags.map((t) => t.tagId));
    const others = state.tags.filter((t) => !held.has(t.tagId));
    const add = el('div', 'op-row');
    if (others.length) {
      const pick = select('addTag', others.map((t) => [String(t.tagId), t.name]));
      const go = button('Add', 'small');
      go.addEventListener('click', () => run(() => control.put(`${threadPath()}/tags/${pick.value}`), onError));
      add.append(pick, go);
    }
    const name = el('input');
    name.name = 'newTag';
    name.placeholder = 'New tag';
    name.maxLength = 40;
    const create = form('op-row', [name], async () => {
      const tag = await control.post(`${base}/chat-tags`, { name: name.value });
      await control.put(`${threadPath()}/tags/${tag.tagId}`);
      name.value = '';
      await refreshAll();
    }, 'Create');
    tags.append(el('h3', null, 'Tags'), chips, add, create);

    const notes = el('section', 'op-box');
    notes.dataset.testid = 'chat-notes';
    const noteList = el('div', 'op-notes');
    for (const note of thread.notes.slice().reverse()) {
      const card = el('div', 'op-note');
      const remove = button('Delete', 'link-button');
      remove.addEventListener('click', () => run(() => control.delete(`${threadPath()}/notes/${note.noteId}`), onError));
      const foot = el('div', 'op-note-foot');
      foot.append(el('span', null, new Date(note.createdAt).toLocaleString()), remove);
      card.append(el('div', 'op-note-text', note.text), foot);
      noteList.append(card);
    }
    if (!thread.notes.length) noteList.append(el('span', 'empty', 'No notes'));
    const noteText = textarea('note', '', 'Add a note (up to 300 characters)');
    noteText.rows = 2;
    const addNote = form('op-note-form', [noteText], async () => {
      await control.post(`${threadPath()}/notes`, { text: noteText.value });
      noteText.value = '';
      await refreshThread();
    }, 'Add note');
    notes.append(el('h3', null, 'Notes'), addNote, noteList);
    side.replaceChildren(tags, fail, notes);
  }

  async function run(action, onError) {
    try {
      await action();
      await refreshAll();
    } catch (failure) {
      onError(errorText(failure));
    }
  }

  async function refreshList() {
    const tag = filters.get(channelId);
    const [tags, chats] = await Promise.all([
      control.get(`${base}/chat-tags`),
      control.get(`${base}/chats${tag ? `?tag=${tag}` : ''}`),
    ]);
    if (tag && !tags.some((t) => String(t.tagId) === tag)) filters.delete(channelId);
    const signature = JSON.stringify([tags, chats, userId]);
    if (signature === state.listSignature) return;
    state.listSignature = signature;
    state.tags = tags;
    state.chats = chats;
    drawFilter();
    drawList();
  }

  async function refreshThread() {
    if (!userId) {
      state.thread = null;
      drawThread();
      return;
    }
    const thread = await control.get(threadPath());
    const signature = JSON.stringify(thread);
    if (signature === state.threadSignature) return;
    const sideChanged = JSON.stringify([thread.tags, thread.notes]) !== JSON.stringify(state.thread && [state.thread.tags, state.thread.notes]);
    state.threadSignature = signature;
    state.thread = thread;
    drawThread();
    if (sideChanged) drawSide();
  }

  async function refreshAll() {
    await refreshList();
    await refreshThread();
    drawSide();
  }

  await refreshList();
  if (!userId && state.chats.length) userId = state.chats[0].userId;
  state.listSignature = '';
  await refreshList();
  await refreshThread();
  drawSide();

  const timer = setInterval(async () => {
    if (!document.body.contains(layout)) { clearInterval(timer); return; }
    if (document.hidden) return;
    try {
      await refreshList();
      await refreshThread();
    } catch (failure) {
      // The server may be restarting; the next tick tries again.
    }
  }, POLL_MS);
}
