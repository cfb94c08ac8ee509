// The Official Account Manager's pages: auto-response, step messages, sends, campaigns, plan
// and billing, shop card, surveys and lotteries. Every form posts to the control plane's own
// routes (`/_kizuna/channels/{channelId}/manager/…`, `…/plan`, …) and shows LINE's error body.
import { control, el, errorText, line } from './api.js';
import { chatsPage } from './chats.js';
import { previewText } from './render.js';
import { actionButton, button, dateTime, field, form, input, percent, section, select, table, textarea } from './ui.js';

const manager = (channelId) => `/channels/${channelId}/manager`;

function pageError() {
  const box = el('div', 'form-error page-error');
  box.dataset.testid = 'page-error';
  box.hidden = true;
  return { box, show: (message) => { box.textContent = message; box.hidden = false; } };
}

function switchControl(name, checked, label) {
  const wrap = el('label', 'switch');
  const box = input(name, { type: 'checkbox' });
  box.checked = checked;
  wrap.append(box, el('span', 'switch-track'), el('span', 'switch-label', label));
  return { wrap, box };
}

function messagesPreview(messages) {
  return (messages || []).map(previewText).join(' / ');
}

// Text messages edit as text; any other message object as its JSON, so nothing is lost.
function messageEditor(name, messages, { max = 5, min = 0 } = {}) {
  const holder = el('div', 'message-editor');
  const list = el('div', 'message-list');
  const add = button('+ Add message', 'small');
  const addRow = (message) => {
    const row = el('div', 'message-row');
    const isText = !message || message.type === 'text';
    const area = textarea(name, isText ? (message ? message.text : '') : JSON.stringify(message, null, 1), isText ? 'Text message' : 'Message object (JSON)');
    area.dataset.kind = isText ? 'text' : 'json';
    const remove = button('Remove', 'link-button');
    remove.addEventListener('click', () => { row.remove(); sync(); });
    row.append(area, remove);
    list.append(row);
    sync();
  };
  const sync = () => { add.disabled = list.childElementCount >= max; };
  add.addEventListener('click', () => addRow(null));
  (messages || []).forEach(addRow);
  while (list.childElementCount < min) addRow(null);
  holder.append(list, add);
  holder.read = () => [...list.querySelectorAll('textarea')].map((area) => {
    if (area.dataset.kind === 'text') return { type: 'text', text: area.value };
    try {
      return JSON.parse(area.value);
    } catch (failure) {
      throw new Error(`Not JSON: ${area.value.slice(0, 40)}`);
    }
  });
  return holder;
}

// ---- Auto-response: response settings, greeting, keyword rules, the default reply ----
async function autoResponsePage(root, channelId) {
  const m = manager(channelId);
  const [settings, greeting, rules] = await Promise.all([
    control.get(`${m}/response-settings`), control.get(`${m}/greeting`), control.get(`${m}/responses`),
  ]);
  const reload = () => autoResponsePage(root, channelId);

  const mode = select('mode', [['bot', 'Bot (webhook)'], ['chat', 'Chat (operators)'], ['both', 'Chat and bot']], settings.mode === 'off' ? 'bot' : settings.mode);
  const greetingSwitch = switchControl('greeting', settings.greeting, 'Greeting message');
  const autoSwitch = switchControl('autoResponse', settings.autoResponse, 'Auto-response messages');
  const settingsForm = form('settings-form', [
    field('Response mode', mode, settings.mode === 'off' ? 'The webhook is switched off by hand: neither answers now.' : 'Chat: operators answer by hand; the bot gets no events.'),
    greetingSwitch.wrap, autoSwitch.wrap,
  ], async () => {
    await control.put(`${m}/response-settings`, { mode: mode.value, greeting: greetingSwitch.box.checked, autoResponse: autoSwitch.box.checked });
    await reload();
  });
  settingsForm.dataset.testid = 'response-settings';

  const editor = messageEditor('greeting', greeting.messages, { max: 5 });
  const greetingForm = form('greeting-form', [
    el('p', 'hint', 'Sent when a user adds the account as a friend or unblocks it (0–5 messages). {displayName} and {accountName} are replaced.'),
    editor,
  ], async () => {
    await control.put(`${m}/greeting`, { messages: editor.read(), campaignId: greeting.campaignId ?? null });
    await reload();
  });
  greetingForm.dataset.testid = 'greeting-form';

  const errors = pageError();
  const keywordRules = rules.filter((r) => !r.default);
  const ruleRows = keywordRules.map((r) => {
    const status = el('span', r.enabled ? 'status ok' : 'status off', r.enabled ? 'On' : 'Off');
    const remove = actionButton('Delete', 'small danger', async () => { await control.delete(`${m}/responses/${r.ruleId}`); await reload(); }, errors.show);
    const keywords = el('div', 'keywords');
    r.keywords.forEach((k) => keywords.append(el('span', 'tag', k)));
    return [r.name, keywords, r.replies.map(messagesPreview).join(' | '), status, dateTime(r.createdAt), remove];
  });
  const name = input('name', { placeholder: 'Rule name', required: true });
  const keywords = input('keywords', { placeholder: 'Keywords, comma separated', required: true });
  const reply = textarea('reply', '', 'Reply text');
  const ruleForm = form('rule-form', [field('Name', name), field('Keywords', keywords, 'Matched exactly against the friend’s text'), field('Reply', reply)], async () => {
    await control.post(`${m}/responses`, {
      name: name.value, keywords: keywords.value.split(',').map((k) => k.trim()).filter(Boolean),
      replies: [[{ type: 'text', text: reply.value }]],
    });
    await reload();
  }, 'Create rule');
  ruleForm.dataset.testid = 'rule-form';

  const fallback = rules.find((r) => r.default);
  const defaultEditor = messageEditor('defaultReply', fallback ? fallback.replies[0] : [], { max: 5, min: 1 });
  const defaultForm = form('default-form', [
    el('p', 'hint', 'Answers any message no keyword matched, while auto-response is on.'), defaultEditor,
  ], async () => {
    const body = { name: fallback ? fallback.name : 'Default reply', default: true, replies: [defaultEditor.read()], enabled: true };
    if (fallback) await control.put(`${m}/responses/${fallback.ruleId}`, { ...body, campaignId: fallback.campaignId ?? null });
    else await control.post(`${m}/responses`, body);
    await reload();
  }, fallback ? 'Save default reply' : 'Set default reply');
  defaultForm.dataset.testid = 'default-form';
  const defaultBox = section('Default reply', defaultForm);
  if (fallback) {
    defaultBox.append(actionButton('Remove default reply', 'small danger', async () => { await control.delete(`${m}/responses/${fallback.ruleId}`); await reload(); }, errors.show));
  }

  const rulesBox = section(`Keyword responses (${keywordRules.length})`, errors.box, table(['Name', 'Keywords', 'Reply', 'Status', 'Created', ''], ruleRows), ruleForm);
  rulesBox.dataset.testid = 'rules';
  root.replaceChildren(
    el('div', 'columns', ),
    rulesBox, defaultBox,
  );
  root.firstChild.append(section('Response settings', settingsForm), section('Greeting message', greetingForm));
}

// ---- Step messages ----
async function stepsPage(root, channelId) {
  const m = manager(channelId);
  const scenarios = await control.get(`${m}/steps`);
  const reload = () => stepsPage(root, channelId);
  const errors = pageError();
  const rows = scenarios.map((s) => {
    const steps = el('div', 'steps');
    s.steps.forEach((step) => steps.append(el('div', null, `Day ${step.days}: ${messagesPreview(step.messages)} — sent ${step.sent}, passed over ${step.passedOver}`)));
    const remove = actionButton('Delete', 'small danger', async () => { await control.delete(`${m}/steps/${s.scenarioId}`); await reload(); }, errors.show);
    return [s.name, s.friendPath || 'Any', s.enabled ? 'On' : 'Off', s.entries, steps, dateTime(s.createdAt), remove];
  });
  const name = input('name', { placeholder: 'Scenario name', required: true });
  const path = input('friendPath', { placeholder: 'Any friend path' });
  const stepList = el('div', 'step-list');
  const addStep = () => {
    const row = el('div', 'step-row');
    const days = input('days', { type: 'number', value: String(stepList.childElementCount ? 7 : 1) });
    days.min = '1';
    days.max = '365';
    const remove = button('Remove', 'link-button');
    remove.addEventListener('click', () => row.remove());
    row.append(el('span', null, 'Day'), days, textarea('stepText', '', 'Message text'), remove);
    stepList.append(row);
  };
  addStep();
  const more = button('+ Add step', 'small');
  more.addEventListener('click', addStep);
  const create = form('steps-form', [field('Name', name), field('Friend path', path, 'Only friends who added the account by this path enter'), stepList, more], async () => {
    const steps = [...stepList.querySelectorAll('.step-row')].map((row) => ({
      days: Number(row.querySelector('[name=days]').value), messages: [{ type: 'text', text: row.querySelector('textarea').value }],
    }));
    await control.post(`${m}/steps`, { name: name.value, friendPath: path.value || null, steps });
    await reload();
  }, 'Create scenario');
  root.replaceChildren(
    section(`Step messages (${scenarios.length})`, errors.box, table(['Name', 'Friend path', 'Status', 'Entries', 'Steps', 'Created', ''], rows)),
    section('New scenario', el('p', 'hint', 'Friends who add the account from now on enter the scenario; each step goes out the given number of days after they followed.'), create),
  );
}

// ---- Sends ----
async function sendsPage(root, channelId) {
  const m = manager(channelId);
  const campaigns = await control.get(`${m}/campaigns`);
  const errors = pageError();
  const listBox = section('Sent and scheduled', errors.box);
  const holder = el('div');
  listBox.append(holder);
  let signature = '';
  // The list follows fan-outs and scheduled sends as they happen; the form is left alone.
  const refreshList = async () => {
    const sends = await control.get(`${m}/sends`);
    const next = JSON.stringify(sends);
    if (next === signature) return;
    signature = next;
    listBox.querySelector('h2').textContent = `Sent and scheduled (${sends.length})`;
    const rows = sends.map((s) => {
      const status = el('span', `status send-${s.status}`, s.status);
      const cancel = s.status === 'scheduled'
        ? actionButton('Cancel', 'small danger', async () => { await control.delete(`${m}/sends/${s.sendId}`); await refreshList(); }, errors.show)
        : '';
      const campaign = campaigns.find((c) => c.campaignId === s.campaignId);
      const to = `${s.target ? 'Target' : 'All friends'}${s.maxRecipients ? ` (max ${s.maxRecipients})` : ''}`;
      const what = messagesPreview(s.messages || []) || (s.variants ? `A/B test (${s.variants.length} variants)` : '');
      return [status, what, to, campaign ? campaign.label : '—', s.sentAt ? dateTime(s.sentAt) : `Scheduled ${dateTime(s.scheduledAt)}`,
        s.statistics.delivered, `${s.statistics.openCount} (${percent(s.statistics.openRate)})`, `${s.statistics.uniqueClicks} (${percent(s.statistics.clickRate)})`, s.error || '', cancel];
    });
    holder.replaceChildren(table(['Status', 'Messages', 'To', 'Campaign', 'When', 'Delivered', 'Opened', 'Clicked', 'Error', ''], rows));
  };
  const editor = messageEditor('message', [], { max: 5, min: 1 });
  const when = select('when', [['now', 'Send now'], ['scheduled', 'Schedule']], 'now');
  const at = input('scheduledAt', { type: 'datetime-local' });
  at.hidden = true;
  when.addEventListener('change', () => { at.hidden = when.value !== 'scheduled'; });
  const max = input('maxRecipients', { type: 'number', placeholder: 'No maximum' });
  max.min = '1';
  const campaign = select('campaign', [['', 'No campaign'], ...campaigns.map((c) => [String(c.campaignId), c.label])]);
  const create = form('send-form', [
    field('Messages', editor), field('When', when), at, field('Maximum recipients', max, 'A maximum sends a narrowcast to that many friends'), field('Campaign', campaign),
  ], async () => {
    const body = { messages: editor.read() };
    if (when.value === 'scheduled') body.scheduledAt = at.value ? new Date(at.value).toISOString() : null;
    if (max.value) body.maxRecipients = Number(max.value);
    if (campaign.value) body.campaignId = Number(campaign.value);
    await control.post(`${m}/sends`, body);
    // Sent: a second click must not send it again.
    editor.querySelectorAll('textarea').forEach((area) => { area.value = ''; });
    await refreshList();
  }, 'Send');
  create.dataset.testid = 'send-form';
  const testResult = el('div', 'hint');
  const test = actionButton('Test send to operators', 'small', async () => {
    const sent = await control.post(`${m}/test-sends`, { messages: editor.read() });
    testResult.textContent = `Test sent to ${sent.recipients.filter((r) => r.requestId).length} of ${sent.recipients.length} operators`;
  }, (message) => { testResult.textContent = message; });
  create.querySelector('.form-actions').append(test, testResult);
  await refreshList();
  root.replaceChildren(section('New message', create), listBox, await operatorsBox(channelId));
  const timer = setInterval(() => {
    if (!document.body.contains(listBox)) { clearInterval(timer); return; }
    if (!document.hidden) refreshList().catch(() => {});
  }, 2000);
}

// The account's operators (the manager's administrators): who test sends reach.
async function operatorsBox(channelId) {
  const m = manager(channelId);
  const [operators, page] = await Promise.all([control.get(`${m}/operators`), control.get(`/console/channels/${channelId}/users?limit=200`)]);
  const chosen = new Set(operators.map((o) => o.userId));
  const people = new Map(page.users.map((u) => [u.userId, u.displayName]));
  operators.forEach((o) => people.set(o.userId, o.displayName));
  const boxes = el('div', 'operator-list');
  for (const [userId, name] of people) {
    const pick = el('label', 'operator');
    const box = input('operator', { type: 'checkbox' });
    box.value = userId;
    box.checked = chosen.has(userId);
    pick.append(box, el('span', null, name));
    boxes.append(pick);
  }
  if (!people.size) boxes.append(el('span', 'empty', 'No users yet'));
  const saved = el('span', 'hint');
  const edit = form('operators-form', [boxes], async () => {
    const userIds = [...boxes.querySelectorAll('input:checked')].map((b) => b.value);
    const stored = await control.put(`${m}/operators`, { userIds });
    saved.textContent = `${stored.length} operators (${stored.filter((o) => o.following).length} following)`;
  }, 'Save operators');
  edit.dataset.testid = 'operators-form';
  edit.querySelector('.form-actions').append(saved);
  return section('Operators (test sends reach them)', edit);
}

// ---- Campaigns ----
// `compact`: the dashboard's card, with the figures the manager's campaign list leads with.
export function campaignTable(campaigns, { compact = false } = {}) {
  const rows = campaigns.map((c) => {
    const s = c.statistics;
    if (compact) return [c.label, s.delivered, s.openCount, s.uniqueOpens, percent(s.openRate), percent(s.clickRate)];
    return [c.label, s.requests, s.delivered, s.openCount, s.uniqueOpens, percent(s.openRate), s.clickCount, s.uniqueClicks, percent(s.clickRate), dateTime(s.lastSentAt)];
  });
  const headings = compact ? ['Campaign', 'Delivered', 'Opens', 'Unique opens', 'Open rate', 'Click rate']
    : ['Campaign', 'Sends', 'Delivered', 'Opens', 'Unique opens', 'Open rate', 'Clicks', 'Unique clicks', 'Click rate', 'Last sent'];
  const t = table(headings, rows);
  t.dataset.testid = 'campaign-table';
  return t;
}

async function campaignsPage(root, channelId) {
  const m = manager(channelId);
  const campaigns = await control.get(`${m}/campaigns`);
  const label = input('label', { placeholder: 'Campaign label', required: true });
  const create = form('inline', [label], async () => {
    await control.post(`${m}/campaigns`, { label: label.value });
    await campaignsPage(root, channelId);
  }, 'Create campaign');
  root.replaceChildren(section(`Campaigns (${campaigns.length})`, el('p', 'hint', 'Sends, greetings, responses and step messages put under a campaign count here. Open rate is opens per delivered message, click rate unique clicks per delivered message.'), campaignTable(campaigns), create));
}

// ---- Plan & billing ----
function money(amount, currency) {
  const [whole, fraction] = String(amount).split('.');
  return `${currency} ${Number(whole).toLocaleString('en-US')}${fraction ? `.${fraction}` : ''}`;
}

// Plan changes fall on Japan days: show them as the platform's calendar has them.
function japanDay(at) {
  return `${new Date(at).toLocaleDateString('en-US', { timeZone: 'Asia/Tokyo' })} (Japan time)`;
}

function rank(plan) {
  return [Number(plan.monthlyFee), plan.freeMessages];
}

function above(a, b) {
  const [x, y] = [rank(a), rank(b)];
  return x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]);
}

async function planPage(root, channelId, rest) {
  const base = `/channels/${channelId}`;
  const month = new URLSearchParams(location.hash.split('?')[1] || '').get('month');
  const [current, planSet, statement] = await Promise.all([
    control.get(`${base}/plan`), control.get('/plans'),
    // No plan in that month: no statement (404), the page says so.
    control.get(`${base}/statement${month ? `?month=${month}` : ''}`).catch((failure) => {
      if (failure.status === 404) return { missing: errorText(failure) };
      throw failure;
    }),
  ]);
  const reload = () => planPage(root, channelId, rest);
  const errors = pageError();

  const summary = el('div', 'plan-summary');
  summary.dataset.testid = 'current-plan';
  if (current.plan) {
    summary.append(el('div', 'plan-name', `${current.plan.name} (${current.plan.code})`),
      el('div', null, `${money(current.plan.monthlyFee, current.plan.currency)} a month · ${current.plan.freeMessages.toLocaleString('en-US')} free messages · ${current.plan.additionalMessages ? 'additional messages billed' : 'sending stops at the free messages'}`),
      el('div', null, `Since ${dateTime(current.since)}`));
  } else summary.append(el('div', 'plan-name', 'No plan chosen'));
  summary.append(el('div', null, `${current.messagesThisMonth.toLocaleString('en-US')} messages this month · quota ${current.quota.type === 'limited' ? current.quota.value.toLocaleString('en-US') : 'none'}`));
  if (current.nextPlan) {
    summary.append(el('div', 'plan-next', `Changes to ${current.nextPlan.name} (${current.nextPlan.code}) from ${japanDay(current.nextFrom)}`));
  }

  const cards = el('div', 'plan-cards');
  for (const plan of planSet.plans) {
    const card = el('div', 'plan-card');
    card.dataset.plan = plan.code;
    const isCurrent = current.plan && current.plan.code === plan.code;
    const isNext = current.nextPlan && current.nextPlan.code === plan.code;
    if (isCurrent) card.classList.add('current');
    card.append(el('div', 'plan-name', plan.name), el('div', 'plan-fee', money(plan.monthlyFee, plan.currency)), el('div', 'hint', `${plan.freeMessages.toLocaleString('en-US')} free messages${plan.additionalMessages ? ', then billed per message' : ''}`));
    let text = 'Choose';
    if (isCurrent) text = current.nextPlan ? 'Keep this plan' : 'Current plan';
    else if (isNext) text = `From ${new Date(current.nextFrom).toLocaleDateString('en-US', { timeZone: 'Asia/Tokyo' })}`;
    else if (current.plan) text = above(plan, current.plan) ? 'Upgrade now' : 'Downgrade next month';
    const choose = actionButton(text, isCurrent && !current.nextPlan ? 'small' : '', async () => {
      await control.put(`${base}/plan`, { plan: plan.code });
      await reload();
    }, errors.show);
    choose.disabled = (isCurrent && !current.nextPlan) || isNext;
    card.append(choose);
    cards.append(card);
  }

  const picker = input('month', { type: 'month', value: statement.month || month || '' });
  picker.addEventListener('change', () => { location.hash = `#/c/${channelId}/plan?month=${picker.value}`; });
  const head = el('div', 'statement-head');
  head.append(picker);
  const heading = section(`Statement ${statement.month || month || ''}`.trim(), head);
  root.replaceChildren(
    section('Current plan', summary),
    section('Change plan', el('p', 'hint', 'An upgrade applies at once; a downgrade from the first of next month (Japan time).'), errors.box, cards),
    heading,
  );
  if (statement.missing) {
    heading.append(el('p', 'empty', statement.missing));
    return;
  }
  head.append(el('span', statement.final ? 'status ok' : 'status off', statement.final ? 'Final' : 'Running month'));
  const lines = [
    ['Monthly fee', `${statement.plan.name} (${statement.plan.code})`, money(statement.monthlyFee, statement.currency)],
    ['Messages', `${statement.messages.toLocaleString('en-US')} sent`, ''],
    ['Free messages', `${statement.freeMessagesUsed.toLocaleString('en-US')} of ${statement.freeMessages.toLocaleString('en-US')}`, money(0, statement.currency)],
    ...statement.additional.map((c) => [
      'Additional messages', `${c.first.toLocaleString('en-US')}${c.last === null || c.last === undefined ? ' and up' : ` to ${c.last.toLocaleString('en-US')}`}: ${c.messages.toLocaleString('en-US')} at ${c.unitPrice}`, money(c.amount, statement.currency),
    ]),
    ['Additional total', `${statement.additionalMessages.toLocaleString('en-US')} messages`, money(statement.additionalTotal, statement.currency)],
  ];
  const bill = table(['Item', 'Detail', 'Amount'], lines);
  bill.classList.add('statement');
  const total = el('tr', 'total-row');
  total.append(el('td', null, 'Total'), el('td'), el('td', 'amount', money(statement.total, statement.currency)));
  bill.append(total);
  bill.dataset.testid = 'statement';
  const changes = statement.changes.map((c) => `${c.plan} from ${dateTime(c.effectiveFrom)}`).join(', ');
  if (changes) heading.append(el('p', 'hint', `Plan changes: ${changes}`));
  heading.append(bill);
}

// ---- Read-only: shop card, surveys, lotteries ----
async function shopCardPage(root, channelId) {
  let card = null;
  try {
    card = await control.get(`/channels/${channelId}/shop-card`);
  } catch (failure) {
    if (failure.status !== 404) throw failure;
  }
  if (!card) {
    root.replaceChildren(section('Shop card', el('p', 'empty', 'No shop card yet (PUT /_kizuna/channels/{channelId}/shop-card makes one).')));
    return;
  }
  const figures = el('div', 'figures');
  for (const [title, value] of [['Cards issued', card.issuedCards], ['Points granted', card.grantedPoints], ['Points expired', card.expiredPoints], ['Rewards earned', card.earnedRewards]]) {
    const f = el('div', 'figure');
    f.append(el('div', 'figure-value', String(value)), el('div', 'figure-title', title));
    figures.append(f);
  }
  const settings = table(['Goal', 'Per visit', 'Per purchase', 'Valid for', 'Updated'], [[`${card.goalPoints} points`, card.pointsPerVisit, card.pointsPerPurchase, `${card.validityDays} days`, dateTime(card.updatedAt)]]);
  const rewards = table(['Points', 'Reward', 'Coupon'], card.rewards.map((r) => [r.threshold, r.description, r.couponId || '—']));
  root.replaceChildren(figures, section(card.name, settings), section('Rewards', rewards));
}

function bar(count, of) {
  const holder = el('div', 'result-bar');
  const fill = el('div', 'result-fill');
  fill.style.width = `${of ? Math.round((100 * count) / of) : 0}%`;
  holder.append(fill);
  return holder;
}

function resultsCard(title, survey, results) {
  const box = section(title);
  box.append(el('p', 'hint', `${results.respondents} of ${results.recipients} recipients answered${survey && survey.closesAt ? ` · ${survey.open ? 'open until' : 'closed'} ${dateTime(survey.closesAt)}` : ''}${results.nps !== null && results.nps !== undefined ? ` · NPS ${results.nps.toFixed(1)}` : ''}`));
  results.questions.forEach((q, i) => {
    const question = el('div', 'result-question');
    question.append(el('div', 'result-title', `${i + 1}. ${q.text} (${q.answered} answered${q.average !== null && q.average !== undefined ? `, average ${q.average.toFixed(2)}` : ''})`));
    const options = survey ? (survey.questions[i] || {}).options : null;
    if (q.optionCounts) q.optionCounts.forEach((count, j) => question.append(resultLine(options ? options[j] : `Option ${j + 1}`, count, q.answered)));
    if (q.scoreCounts) Object.entries(q.scoreCounts).forEach(([score, count]) => question.append(resultLine(score, count, q.answered)));
    if (q.texts) q.texts.forEach((t) => question.append(el('div', 'result-text', t)));
    box.append(question);
  });
  return box;
}

function resultLine(label, count, of) {
  const row = el('div', 'result-line');
  row.append(el('span', 'result-label', label), bar(count, of), el('span', 'result-count', String(count)));
  return row;
}

async function surveysPage(root, channelId) {
  const base = `/channels/${channelId}`;
  const [surveys, satisfaction] = await Promise.all([control.get(`${base}/surveys`), control.get(`${base}/satisfaction-surveys`)]);
  const results = await Promise.all(surveys.map((s) => control.get(`${base}/surveys/${s.surveyId}/results`)));
  const rows = surveys.map((s, i) => [s.title, s.kind, s.questions.length, dateTime(s.sentAt), s.open ? 'Open' : 'Closed', `${results[i].respondents}/${results[i].recipients}`]);
  const cards = surveys.filter((s) => s.sentAt).map((s) => resultsCard(s.title, s, results[surveys.indexOf(s)]));
  const satisfactionRows = satisfaction.surveys.map((r) => [r.surveyId, `${r.respondents}/${r.recipients}`, r.nps === null || r.nps === undefined ? '—' : r.nps.toFixed(1)]);
  root.replaceChildren(
    section(`Surveys (${surveys.length})`, table(['Title', 'Kind', 'Questions', 'Sent', 'Status', 'Answered'], rows)),
    section('Satisfaction surveys', el('p', 'hint', satisfaction.nextAvailableAt ? `Next one possible from ${dateTime(satisfaction.nextAvailableAt)}` : 'A satisfaction survey can be sent now.'), table(['Survey', 'Answered', 'NPS'], satisfactionRows)),
    ...cards,
  );
}

async function lotteryPage(root, channelId) {
  const coupons = (await line(channelId, '/v2/bot/coupon?limit=100')).items || [];
  const lotteries = [];
  for (const coupon of coupons) {
    try {
      lotteries.push([coupon, await control.get(`/channels/${channelId}/coupons/${coupon.couponId}/lottery`)]);
    } catch (failure) {
      if (failure.status !== 409) lotteries.push([coupon, { error: errorText(failure) }]);
    }
  }
  const rows = lotteries.map(([coupon, f]) => (f.error ? [coupon.title || coupon.couponId, f.error] : [
    coupon.title || coupon.couponId, `${f.lotteryProbability}%`, f.maxWinners === -1 ? 'No limit' : f.maxWinners, f.draws, f.winners, f.losers, f.remainingWinners ?? '—',
  ]));
  root.replaceChildren(section(`Lotteries (${lotteries.length})`, table(['Coupon', 'Chance', 'Max winners', 'Draws', 'Winners', 'Losers', 'Winners left'], rows)));
}

export const PAGES = [
  { title: 'Chats', path: 'chats', render: chatsPage, wide: true },
  { title: 'Auto-response', path: 'auto-response', render: autoResponsePage },
  { title: 'Step messages', path: 'steps', render: stepsPage },
  { title: 'Sends', path: 'sends', render: sendsPage },
  { title: 'Campaigns', path: 'campaigns', render: campaignsPage },
  { title: 'Plan & billing', path: 'plan', render: planPage },
  { title: 'Shop card', path: 'shop-card', render: shopCardPage },
  { title: 'Surveys', path: 'surveys', render: surveysPage },
  { title: 'Lottery', path: 'lottery', render: lotteryPage },
];
