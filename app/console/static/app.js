// The console's pages, chosen by the location hash:
//   #/                      channels (create one, open its users)
//   #/c/{channel}           the channel's dashboard
//   #/c/{channel}/users     its users and their attributes
//   #/c/{channel}/chat/{user}  the LINE chat of one user
//   #/c/{channel}/{page}/...   an Official Account Manager page (MANAGER_PAGES)
import { ApiError, clock, control, el, line, setUpSignOut, toast } from './api.js';
import { bars, lineChart, progress, stackedBars } from './charts.js';
import { chatPage } from './chat.js';
import { PAGES, campaignTable } from './manager.js';
import { section, table } from './ui.js';

const KINDS = [
  { key: 'reply', color: '#06c755' }, { key: 'push', color: '#3c8dde' }, { key: 'multicast', color: '#9a67d8' },
  { key: 'broadcast', color: '#f5a623' }, { key: 'narrowcast', color: '#e8505b' }, { key: 'pnp', color: '#7f8c9d' },
];

// Pages of the Official Account Manager features register here as they land: {title, path, render}.
export const MANAGER_PAGES = [...PAGES];

const main = () => document.getElementById('main');
let refreshTimer = null;

function nav(channel, active) {
  const bar = el('nav', 'tabs');
  const links = [['Dashboard', `#/c/${channel.channelId}`], ['Users', `#/c/${channel.channelId}/users`],
    ...MANAGER_PAGES.map((p) => [p.title, `#/c/${channel.channelId}/${p.path}`])];
  for (const [title, href] of links) {
    const a = el('a', title === active ? 'active' : '', title);
    a.href = href;
    bar.append(a);
  }
  return bar;
}

async function channelsPage() {
  const channels = await control.get('/channels');
  const form = el('form', 'inline-form');
  const name = el('input');
  name.placeholder = 'New channel name';
  name.required = true;
  form.append(name, el('button', null, 'Create channel'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const created = await control.post('/channels', { name: name.value });
    location.hash = `#/c/${created.channelId}/users`;
  });
  const rows = channels.map((c) => {
    const a = el('a', null, c.name);
    a.href = `#/c/${c.channelId}`;
    return [a, c.channelId, c.basicId, c.webhookUrl || '—'];
  });
  main().replaceChildren(section('Channels', table(['Name', 'Channel id', 'Basic id', 'Webhook'], rows), form));
}

async function usersPage(channelId) {
  const channel = await control.get(`/channels/${channelId}`);
  const page = await control.get(`/console/channels/${channelId}/users?limit=200`);
  const form = el('form', 'inline-form');
  const name = el('input');
  name.placeholder = 'Display name';
  name.required = true;
  name.name = 'displayName';
  form.append(name, el('button', null, 'Create user and follow'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const user = await control.post('/users', { displayName: name.value });
      await control.post(`/channels/${channelId}/users/${user.userId}/follow`);
      location.hash = `#/c/${channelId}/chat/${user.userId}`;
    } catch (error) {
      toast(error.message);
    }
  });
  const rows = page.users.map((u) => {
    const chat = el('a', 'button-link', 'Chat');
    chat.href = `#/c/${channelId}/chat/${u.userId}`;
    const toggle = el('button', 'small', u.status === 'following' ? 'Block' : 'Follow');
    toggle.addEventListener('click', async () => {
      await control.post(`/channels/${channelId}/users/${u.userId}/${u.status === 'following' ? 'unfollow' : 'follow'}`);
      usersPage(channelId);
    });
    return [u.displayName, u.userId, u.status, u.gender ?? '—', u.age ?? '—', u.area ?? '—', u.appType ?? '—', u.language ?? '—', new Date(u.followedAt).toLocaleString(), chat, toggle];
  });
  main().replaceChildren(
    el('h1', null, channel.name), nav(channel, 'Users'),
    section(`Users (${page.total})`, form, table(['Name', 'User id', 'Status', 'Gender', 'Age', 'Area', 'App', 'Language', 'Added', '', ''], rows)),
  );
}

async function dashboardPage(channelId) {
  const channel = await control.get(`/channels/${channelId}`);
  const [followers, deliveries, campaigns, progressView, attempts, managerCampaigns] = await Promise.all([
    control.get(`/console/channels/${channelId}/followers?days=14`),
    control.get(`/console/channels/${channelId}/deliveries?days=14`),
    control.get(`/console/channels/${channelId}/campaigns`),
    control.get(`/console/channels/${channelId}/progress`),
    control.get(`/channels/${channelId}/webhook/deliveries?limit=50`),
    control.get(`/channels/${channelId}/manager/campaigns`),
  ]);
  let quota = null;
  try {
    const [plan, used] = await Promise.all([line(channelId, '/v2/bot/message/quota'), line(channelId, '/v2/bot/message/quota/consumption')]);
    quota = { plan, used: used.totalUsage };
  } catch (error) {
    quota = { error: error.message };
  }
  const today = followers.days[followers.days.length - 1];
  const figures = el('div', 'figures');
  const figure = (title, value) => {
    const f = el('div', 'figure');
    f.append(el('div', 'figure-value', String(value)), el('div', 'figure-title', title));
    return f;
  };
  const deliveredToday = deliveries.days[deliveries.days.length - 1].total;
  const ok = attempts.filter((a) => a.success).length;
  figures.append(
    figure('Friends', today.followers), figure('Blocks today', today.blocks),
    figure('Delivered today', deliveredToday),
    figure('Webhook success', attempts.length ? `${Math.round((100 * ok) / attempts.length)}%` : '—'),
  );

  const quotaBox = el('div', 'quota');
  if (quota.error) quotaBox.append(el('div', 'empty', quota.error));
  else if (quota.plan.type === 'limited') {
    quotaBox.append(el('div', null, `${quota.used} of ${quota.plan.value} messages this month`), progress(quota.used, quota.plan.value));
  } else quotaBox.append(el('div', null, `${quota.used} messages this month (no limit)`));

  const legend = el('div', 'legend');
  KINDS.forEach((k) => {
    const item = el('span', null, k.key);
    item.style.setProperty('--swatch', k.color);
    legend.append(item);
  });

  const campaignRows = campaigns.map((c) => [
    c.kind, clock(c.acceptedAt), c.phase, c.messageTypes.join(', '), c.delivered,
    rate(c.opens, c.delivered), rate(c.clicks, c.delivered),
  ]);

  const attemptsChart = bars(attempts.slice().reverse().map((a) => ({ value: a.latencyMs, ok: a.success, a })), {
    color: (v) => (v.ok ? '#06c755' : '#e8505b'), labelOf: (v) => `${v.a.statusCode || v.a.reason} ${v.a.latencyMs} ms`,
  });
  const attemptRows = attempts.map((a) => {
    const status = el('span', a.success ? 'status ok' : 'status failed', a.statusCode ? String(a.statusCode) : (a.reason || 'failed'));
    return [new Date(a.startedAt).toLocaleTimeString(), status, `${a.latencyMs} ms`, a.eventIds.length, a.isRedelivery ? 'yes' : '', a.reason || '', a.url];
  });

  const narrowRows = progressView.narrowcasts.map((n) => [
    clock(n.acceptedAt), n.phase, progress(n.successCount, n.targetCount || 0, n.failureCount),
    `${n.successCount}/${n.targetCount ?? '—'}`, n.errorCode ? `${n.errorCode}: ${n.failedDescription || ''}` : '',
  ]);
  const batchRows = progressView.richMenuBatches.map((b) => [
    clock(b.acceptedAt), b.phase, progress(b.phase === 'ongoing' ? 0 : b.operations, b.operations, b.phase === 'failed' ? b.operations : 0), `${b.operations} operations`,
  ]);
  const uploadRows = progressView.audienceUploads.map((u) => [
    u.description, u.status, progress(u.status === 'FINISHED' ? 1 : 0, 1, u.status === 'FAILED' ? 1 : 0), u.audienceCount, u.audienceStatus,
  ]);

  main().replaceChildren(
    el('h1', null, channel.name), nav(channel, 'Dashboard'), figures,
    el('div', 'columns',),
  );
  const columns = main().querySelector('.columns');
  columns.append(
    section('Friends over 14 days', lineChart(followers.days.map((d) => ({ date: d.date, value: d.followers })))),
    section('Deliveries per day', stackedBars(deliveries.days.map((d) => ({ date: d.date, values: d.byKind })), KINDS), legend),
    engagement(managerCampaigns, campaignRows),
    section('Quota', quotaBox),
  );
  const webhook = section('Webhook attempts', attemptsChart, table(['At', 'Status', 'Latency', 'Events', 'Redelivery', 'Reason', 'URL'], attemptRows));
  webhook.dataset.testid = 'webhook-attempts';
  main().append(
    webhook,
    section('Narrowcasts', table(['Accepted', 'Phase', 'Progress', 'Delivered', 'Error'], narrowRows)),
    section('Rich menu batch operations', table(['Accepted', 'Phase', 'Progress', 'Size'], batchRows)),
    section('Audience uploads', table(['Audience', 'Status', 'Progress', 'Users', 'Audience status'], uploadRows)),
  );
}

// The manager's campaigns, when the account has any, then every broadcast, narrowcast and multicast.
function engagement(managerCampaigns, sendRows) {
  const box = section('Campaigns: opens and clicks');
  box.dataset.testid = 'engagement';
  if (managerCampaigns.length) box.append(el('h3', null, 'Manager campaigns'), campaignTable(managerCampaigns, { compact: true }), el('h3', null, 'Per send'));
  box.append(table(['Kind', 'Sent', 'Phase', 'Messages', 'Delivered', 'Opened', 'Clicked'], sendRows));
  return box;
}

function rate(count, of) {
  const cell = el('span', null, `${count}${of ? ` (${Math.round((100 * count) / of)}%)` : ''}`);
  return cell;
}

// A manager page under the channel's name and tabs: `render(root, channelId, rest)` fills its body.
async function managerPage(page, channelId, rest) {
  const channel = await control.get(`/channels/${channelId}`);
  const body = el('div', `manager-page page-${page.path}`);
  main().replaceChildren(el('h1', null, channel.name), nav(channel, page.title), body);
  await page.render(body, channelId, rest);
}

async function route() {
  clearInterval(refreshTimer);
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
  try {
    if (parts[0] === 'c' && parts[2] === 'chat' && parts[3]) {
      document.body.dataset.page = 'chat';
      await chatPage(main(), parts[1], parts[3]);
    } else if (parts[0] === 'c' && parts[2] === 'users') {
      document.body.dataset.page = 'users';
      await usersPage(parts[1]);
    } else if (parts[0] === 'c' && parts[1] && parts[2] && MANAGER_PAGES.some((p) => p.path === parts[2])) {
      document.body.dataset.page = parts[2];
      await managerPage(MANAGER_PAGES.find((p) => p.path === parts[2]), parts[1], parts.slice(3));
    } else if (parts[0] === 'c' && parts[1]) {
      document.body.dataset.page = 'dashboard';
      await dashboardPage(parts[1]);
      // The dashboard follows what happens while it is open.
      refreshTimer = setInterval(() => { if (!document.hidden) dashboardPage(parts[1]).catch(() => {}); }, 3000);
    } else {
      document.body.dataset.page = 'channels';
      await channelsPage();
    }
  } catch (error) {
    const message = error instanceof ApiError ? `${error.status}: ${error.message}` : String(error);
    main().replaceChildren(section('Something went wrong', el('pre', null, message)));
  }
  document.body.dataset.ready = location.hash;
}

window.addEventListener('hashchange', route);
setUpSignOut();
route();
