// HTML building blocks: escaping, the page frame (skip link, landmarks, banners), form fields
// with labels, hints and errors tied to them (aria-describedby).
import type { Lang, MessageKey, T } from './i18n';

export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Marks already-escaped markup. */
export interface Html {
  readonly __html: string;
}
export const raw = (s: string): Html => ({ __html: s });

export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return out;
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (typeof v === 'object' && '__html' in (v as object)) return (v as Html).__html;
  return esc(v);
}

/** Inner markup produced by html`` is trusted: wrap it so it is not escaped twice. */
export const h = (s: string): Html => raw(s);

export interface NavItem {
  href: string;
  label: string;
  key: string;
  emphasis?: boolean;
}

export interface Frame {
  lang: Lang;
  t: T;
  title: string;
  csrf?: string;
  user?: { name: string };
  nav?: NavItem[];
  current?: string;
  banners?: string[];
  flash?: string;
  currentUrl?: string;
}

export function page(frame: Frame, body: string): string {
  const { t } = frame;
  const nav = frame.nav
    ? html`<nav class="nav" aria-label="${t('nav.label')}"><ul>${frame.nav.map(
        (n) =>
          h(html`<li><a href="${n.href}"${h(n.key === frame.current ? ' aria-current="page"' : '')}${h(n.emphasis ? ' class="nav-crisis"' : '')}>${n.label}</a></li>`),
      )}</ul></nav>`
    : '';
  const langForm = html`<form class="lang-form" method="post" action="/app/language">
${frame.csrf ? h(html`<input type="hidden" name="_csrf" value="${frame.csrf}">`) : ''}
<input type="hidden" name="next" value="${frame.currentUrl ?? '/app/'}">
<input type="hidden" name="lang" value="${frame.lang === 'de' ? 'en' : 'de'}">
<button type="submit" class="link-button" lang="${frame.lang === 'de' ? 'en' : 'de'}">${frame.lang === 'de' ? 'English' : 'Deutsch'}</button>
</form>`;
  const userBox = frame.user
    ? html`<div class="userbox"><span>${t('user.signedInAs', { name: frame.user.name })}</span>
<a href="/app/me"${h(frame.current === 'me' ? ' aria-current="page"' : '')}>${t('nav.account')}</a>
<form method="post" action="/app/logout"><input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><button type="submit" class="link-button">${t('user.logout')}</button></form>
${h(langForm)}</div>`
    : html`<div class="userbox">${h(langForm)}</div>`;
  return `<!doctype html>
<html lang="${frame.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(frame.title)} – ${esc(t('app.name'))}</title>
<link rel="icon" href="/app/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app/assets/app.css">
${frame.csrf ? `<meta name="csrf-token" content="${esc(frame.csrf)}">` : ''}
<script src="/app/assets/app.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">${esc(t('skip.main'))}</a>
<header class="site-header">
<div class="brand"><a href="/app/">${esc(t('app.name'))}</a> <span class="tagline">${esc(t('app.tagline'))}</span></div>
${userBox}
${nav}
</header>
${(frame.banners ?? []).join('\n')}
<main id="main" tabindex="-1">
${frame.flash ? `<div class="flash" role="status">${esc(frame.flash)}</div>` : ''}
${body}
</main>
<footer class="site-footer"><p>${esc(t('app.name'))} · ${esc(t('app.tagline'))}</p></footer>
<div id="progress" class="progress" role="status" aria-live="polite" hidden><span class="spinner" aria-hidden="true"></span><span class="progress-text">${esc(t('progress.working'))}</span></div>
</body>
</html>`;
}

export type FieldErrors = Record<string, string>;

export interface FieldOpts {
  name: string;
  label: string;
  id?: string;
  value?: string | null;
  type?: string;
  hint?: string;
  required?: boolean;
  errors?: FieldErrors;
  autocomplete?: string;
  rows?: number;
  attrs?: string;
  /** Further ids that describe the field (e.g. a warning above the form). */
  describedBy?: string;
  t: T;
}

function describe(id: string, hint: string | undefined, error: string | undefined, more?: string) {
  const ids = [more ?? '', hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids ? ` aria-describedby="${ids}"` : '';
}

export function field(o: FieldOpts): string {
  const id = o.id ?? `f-${o.name}`;
  const error = o.errors?.[o.name];
  const common = `id="${esc(id)}" name="${esc(o.name)}"${o.required ? ' required aria-required="true"' : ''}${error ? ' aria-invalid="true"' : ''}${describe(id, o.hint, error, o.describedBy)}${o.autocomplete ? ` autocomplete="${esc(o.autocomplete)}"` : ''}${o.attrs ? ` ${o.attrs}` : ''}`;
  const control =
    o.type === 'textarea'
      ? `<textarea ${common} rows="${o.rows ?? 6}">${esc(o.value ?? '')}</textarea>`
      : `<input ${common} type="${esc(o.type ?? 'text')}" value="${esc(o.value ?? '')}">`;
  return `<div class="field${error ? ' field-error' : ''}">
<label for="${esc(id)}">${esc(o.label)}${o.required ? ` <span class="req">(${esc(o.t('field.required'))})</span>` : ''}</label>
${o.hint ? `<p class="hint" id="${esc(id)}-hint">${esc(o.hint)}</p>` : ''}
${error ? `<p class="error-text" id="${esc(id)}-error">${esc(error)}</p>` : ''}
${control}
</div>`;
}

export function checkbox(o: { name: string; value: string; label: string; checked?: boolean; id: string; attrs?: string; extra?: string }): string {
  return `<div class="check"><input type="checkbox" id="${esc(o.id)}" name="${esc(o.name)}" value="${esc(o.value)}"${o.checked ? ' checked' : ''}${o.attrs ? ` ${o.attrs}` : ''}><label for="${esc(o.id)}">${esc(o.label)}${o.extra ?? ''}</label></div>`;
}

/** The error summary at the top of a form: focused by app.js, each entry links to its field; `more` is trusted markup. */
export function errorSummary(t: T, general: string | undefined, errors: FieldErrors, ids: Record<string, string> = {}, more = ''): string {
  const entries = Object.entries(errors);
  if (!general && entries.length === 0) return '';
  return `<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${esc(t('error.title'))}</h2>
${general ? `<p>${esc(general)}</p>` : ''}
${entries.length ? `<ul>${entries.map(([name, msg]) => `<li><a href="#${esc(ids[name] ?? `f-${name}`)}">${esc(msg)}</a></li>`).join('')}</ul>` : ''}${more}
</div>`;
}

export function csrfInput(csrf: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(csrf)}">`;
}

export function statusBadge(t: T, status: string): string {
  const key = `status.${status}` as MessageKey;
  let label: string;
  try {
    label = t(key);
  } catch {
    label = status;
  }
  return `<span class="badge badge-${esc(status)}">${esc(label)}</span>`;
}

/** A one-button form (POST with CSRF). */
export function actionButton(action: string, csrf: string, label: string, opts: { cls?: string; hidden?: Record<string, string>; srSuffix?: string } = {}): string {
  const hidden = Object.entries(opts.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${esc(action)}" class="inline-form">${csrfInput(csrf)}${hidden}<button type="submit" class="${esc(opts.cls ?? 'button')}">${esc(label)}${opts.srSuffix ? `<span class="sr-only">: ${esc(opts.srSuffix)}</span>` : ''}</button></form>`;
}
