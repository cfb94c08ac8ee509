// The console speaks only to Kizuna's control plane and, for figures only the LINE API
// answers (quota), to the LINE API with a long-lived token the control plane issues.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// A response's JSON; a body that is not JSON (a proxy's error page) becomes its message.
async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
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
  const parsed = await readBody(response);
  // Exposed, the control plane wants the admin token: sign in, then ask again.
  if (response.status === 401 && path.startsWith('/_kizuna/')) {
    await signIn();
    return call(method, path, body, headers);
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

// Where the console keeps whether it signed in: the session cookie itself is HttpOnly.
const SIGNED_IN = 'kizuna-signed-in';
let signingIn = null;

// One form for every call that answered 401 at once; they all resume once it is signed in.
function signIn() {
  localStorage.removeItem(SIGNED_IN);
  showSignOut();
  if (!signingIn) {
    signingIn = new Promise((resolve) => {
      const form = el('form', 'sign-in card');
      const token = el('input');
      token.type = 'password';
      token.name = 'adminToken';
      token.required = true;
      token.autocomplete = 'current-password';
      token.placeholder = 'KIZUNA_ADMIN_TOKEN';
      const error = el('pre', 'sign-in-error');
      error.hidden = true;
      form.append(
        el('h2', null, 'Sign in'),
        el('p', null, 'This Kizuna is exposed: the console needs its admin token.'),
        token, el('button', null, 'Sign in'), error,
      );
      const overlay = el('div', 'sign-in-overlay');
      overlay.append(form);
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        let refused = null;
        try {
          const response = await fetch('/_kizuna/console/session', {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: token.value }),
          });
          if (!response.ok) refused = errorText(new ApiError(response.status, await readBody(response)));
        } catch (failure) {
          refused = String(failure);
        }
        if (refused) {
          error.textContent = refused;
          error.hidden = false;
          token.select();
          return;
        }
        localStorage.setItem(SIGNED_IN, 'yes');
        showSignOut();
        overlay.remove();
        signingIn = null;
        resolve();
      });
      document.body.append(overlay);
      token.focus();
    });
  }
  return signingIn;
}

function showSignOut() {
  const button = document.getElementById('sign-out');
  if (button) button.hidden = !localStorage.getItem(SIGNED_IN);
}

export async function signOut() {
  await fetch('/_kizuna/console/session', { method: 'DELETE' });
  localStorage.removeItem(SIGNED_IN);
  location.reload();
}

export function setUpSignOut() {
  const button = document.getElementById('sign-out');
  button.addEventListener('click', signOut);
  showSignOut();
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
