// Building blocks shared by the console's pages: cards, tables, forms that show LINE's error body.
import { el, errorText } from './api.js';

export function section(title, ...children) {
  const box = el('section', 'card');
  box.append(el('h2', null, title), ...children);
  return box;
}

export function table(headings, rows) {
  const t = el('table', 'grid-table');
  const head = el('tr');
  headings.forEach((h) => head.append(el('th', null, h)));
  t.append(head);
  rows.forEach((cells) => {
    const tr = el('tr');
    cells.forEach((cell) => {
      const td = el('td');
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell ?? '';
      tr.append(td);
    });
    t.append(tr);
  });
  if (!rows.length) {
    const tr = el('tr');
    const td = el('td', 'empty', 'Nothing yet');
    td.colSpan = headings.length;
    tr.append(td);
    t.append(tr);
  }
  return t;
}

export function percent(rate) {
  return `${(100 * (rate || 0)).toFixed(1)}%`;
}

// A labelled field: `input` is any form control (built by the caller).
export function field(label, input, hint) {
  const row = el('label', 'field');
  row.append(el('span', 'field-label', label), input);
  if (hint) row.append(el('span', 'field-hint', hint));
  return row;
}

export function input(name, { type = 'text', value = '', placeholder = '', required = false } = {}) {
  const node = el('input');
  node.name = name;
  node.type = type;
  if (value !== undefined && value !== null) node.value = value;
  node.placeholder = placeholder;
  node.required = required;
  return node;
}

export function textarea(name, value = '', placeholder = '') {
  const node = el('textarea');
  node.name = name;
  node.value = value;
  node.placeholder = placeholder;
  node.rows = 3;
  return node;
}

export function select(name, options, value) {
  const node = el('select');
  node.name = name;
  for (const [key, label] of options) {
    const option = el('option', null, label);
    option.value = key;
    node.append(option);
  }
  if (value !== undefined && value !== null) node.value = String(value);
  return node;
}

export function button(text, className = '', type = 'button') {
  const node = el('button', className, text);
  node.type = type;
  return node;
}

// A form that submits to the control plane: `run` does the call; a refusal shows LINE's
// error body (message and offending properties) in the form instead of losing the input.
export function form(className, children, run, submitText = 'Save') {
  const node = el('form', `form ${className || ''}`.trim());
  const error = el('div', 'form-error');
  error.dataset.testid = 'form-error';
  error.hidden = true;
  const actions = el('div', 'form-actions');
  const submit = button(submitText, 'primary', 'submit');
  actions.append(submit);
  node.append(...children, error, actions);
  node.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await run(node);
    } catch (failure) {
      error.textContent = errorText(failure);
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return node;
}

// A button whose action's refusal shows as a toast-like line next to it.
export function actionButton(text, className, run, onError) {
  const node = button(text, className);
  node.addEventListener('click', async () => {
    node.disabled = true;
    try {
      await run();
    } catch (failure) {
      onError(errorText(failure));
    } finally {
      node.disabled = false;
    }
  });
  return node;
}

export function dateTime(at) {
  return at ? new Date(at).toLocaleString() : '—';
}
