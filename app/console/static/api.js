// The console speaks only to Kizuna's control plane and, for figures only the LINE API
// answers (quota), to the LINE API with a long-lived token the control plane issues.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const control = {
  get: (path) => call('GET', `/_kizuna${path}`),
  post: (path, body) => call('POST', `/_kizuna${path}`, body),
  put: (path, body) => call('PUT', `/_kizuna${path}`, body),
  delete: (path) => call('DELETE', `/_kizuna${path}`),
};

// LINE's error body as a person reads it: the message, then each offending property.
export function errorText(error) {
  if (!(error instanceof ApiError)) return String(error);
  const details = (error.body && error.body.details) || [];
  return [error.message, ...details.map((d) => `${d.property}: ${d.message}`)].join('\n');
}

const tokens = new Map();

export async function line(channelId, path) {
  let token = tokens.get(channelId) || sessionStorage.getItem(`kizuna-token-${channelId}`);
  if (!token) {
    token = (await control.post(`/channels/${channelId}/access-tokens`)).accessToken;
    sessionStorage.setItem(`kizuna-token-${channelId}`, token);
  }
  tokens.set(channelId, token);
  return call('GET', path, undefined, { Authorization: `Bearer ${token}` });
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function toast(text) {
  const note = el('div', 'toast', text);
  document.body.append(note);
  setTimeout(() => note.remove(), 3500);
}

export function clock(at) {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
