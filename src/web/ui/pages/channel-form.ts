// The channel form, one set of labelled fields per network instead of raw JSON. What each
// network takes is src/channels/schemas.ts (SETTINGS, CREDENTIALS); the API validates again.
// Credentials are write-only: never shown, never refilled; on an edit, empty fields keep them.
import type { Channel, Ctx } from '../context';
import { str } from '../context';
import { esc, field, type FieldErrors } from '../html';
import type { MessageKey } from '../i18n';
import { channelLabel } from '../render';

type Part = 'settings' | 'credentials';
type AuthGroup = 'oauth1' | 'oauth2';

interface NetField {
  /** The key in the API's settings or credentials object. */
  key: string;
  part: Part;
  label: MessageKey;
  hint?: MessageKey;
  type?: 'text' | 'url' | 'number';
  required?: boolean;
  /** X only: which sign-in method the credential belongs to. */
  group?: AuthGroup;
  /** Distinguishes two form fields for the same API key (X's accessToken in both methods). */
  suffix?: string;
}

const s = (key: string, label: MessageKey, more: Partial<NetField> = {}): NetField => ({ key, part: 'settings', label, ...more });
const c = (key: string, label: MessageKey, more: Partial<NetField> = {}): NetField => ({ key, part: 'credentials', label, required: true, ...more });

export const NETWORK_FIELDS: Record<string, NetField[]> = {
  blog: [s('title', 'cf.blogTitle', { hint: 'cf.blogTitleHint' })],
  facebook: [
    s('pageId', 'cf.pageId', { hint: 'cf.pageIdHint', required: true }),
    s('graphVersion', 'cf.graphVersion', { hint: 'cf.graphVersionHint' }),
    c('pageAccessToken', 'cf.pageAccessToken'),
  ],
  twitter: [
    s('username', 'cf.xUsername', { hint: 'cf.xUsernameHint' }),
    c('appKey', 'cf.appKey', { group: 'oauth1' }),
    c('appSecret', 'cf.appSecret', { group: 'oauth1' }),
    c('accessToken', 'cf.accessToken1', { group: 'oauth1' }),
    c('accessSecret', 'cf.accessSecret', { group: 'oauth1' }),
    c('accessToken', 'cf.accessToken2', { group: 'oauth2', suffix: '2' }),
    c('refreshToken', 'cf.refreshToken', { group: 'oauth2', required: false }),
    c('clientId', 'cf.clientId', { group: 'oauth2', required: false }),
    c('clientSecret', 'cf.clientSecret', { group: 'oauth2', required: false }),
  ],
  mastodon: [
    s('instanceUrl', 'cf.instanceUrl', { hint: 'cf.instanceUrlHint', type: 'url', required: true }),
    s('maxChars', 'cf.maxChars', { hint: 'cf.maxCharsHint', type: 'number' }),
    c('accessToken', 'cf.mastodonToken', { hint: 'cf.mastodonTokenHint' }),
  ],
  bluesky: [
    s('service', 'cf.service', { hint: 'cf.serviceHint', type: 'url' }),
    c('identifier', 'cf.identifier', { hint: 'cf.identifierHint' }),
    c('appPassword', 'cf.appPassword', { hint: 'cf.appPasswordHint' }),
  ],
  wordpress: [
    s('siteUrl', 'cf.siteUrl', { hint: 'cf.siteUrlHint', type: 'url', required: true }),
    c('username', 'cf.wpUsername'),
    c('applicationPassword', 'cf.applicationPassword', { hint: 'cf.applicationPasswordHint' }),
  ],
};

/** Settings every network takes (schemas.ts `base`); rateLimit is {max, perSeconds}. */
const ADVANCED: NetField[] = [
  s('apiBaseUrl', 'cf.apiBaseUrl', { hint: 'cf.apiBaseUrlHint', type: 'url' }),
  s('timeoutMs', 'cf.timeoutMs', { type: 'number' }),
  s('rateLimitMax', 'cf.rateLimitMax', { type: 'number' }),
  s('rateLimitPerSeconds', 'cf.rateLimitPerSeconds', { type: 'number', hint: 'cf.rateLimitHint' }),
];

export const CHANNEL_TYPES = Object.keys(NETWORK_FIELDS);

const nameOf = (f: NetField) => `${f.part}.${f.key}${f.suffix ?? ''}`;
const idOf = (f: NetField) => `f-${f.part}-${f.key}${f.suffix ?? ''}`;
const fieldsOf = (type: string) => NETWORK_FIELDS[type] ?? [];

/** Form values of a stored channel's settings; credentials stay empty. */
export function settingsValues(settings: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings ?? {})) {
    if (k === 'rateLimit' && v && typeof v === 'object') {
      const limit = v as { max?: number; perSeconds?: number };
      out['settings.rateLimitMax'] = String(limit.max ?? '');
      out['settings.rateLimitPerSeconds'] = String(limit.perSeconds ?? '');
    } else if (typeof v === 'string' || typeof v === 'number') out[`settings.${k}`] = String(v);
  }
  return out;
}

/** Only settings come back into a form after an error; credentials must be typed again. */
export function postedValues(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.body)) if (k.startsWith('settings.') || k === 'twitterAuth') out[k] = Array.isArray(v) ? v[0]! : v;
  return out;
}

function input(ctx: Ctx, f: NetField, values: Record<string, string>, errors: FieldErrors): string {
  const secret = f.part === 'credentials';
  return field({
    t: ctx.t,
    name: nameOf(f),
    id: idOf(f),
    label: ctx.t(f.label),
    hint: f.hint ? ctx.t(f.hint) : undefined,
    type: secret ? 'password' : f.type === 'number' ? 'text' : (f.type ?? 'text'),
    value: secret ? '' : values[nameOf(f)],
    required: f.required,
    errors,
    autocomplete: 'off',
    attrs: [secret || f.type === 'url' ? 'spellcheck="false"' : '', f.type === 'number' ? 'inputmode="numeric"' : '', secret ? 'data-credential' : ''].filter(Boolean).join(' '),
  });
}

/** The fieldsets of one network: its settings, its credentials (X: two methods), advanced settings. */
export function networkFieldsets(ctx: Ctx, type: string, values: Record<string, string>, errors: FieldErrors, opts: { edit: boolean; retype: boolean }): string {
  const { t } = ctx;
  const network = channelLabel(t, type);
  const all = fieldsOf(type);
  const settings = all.filter((f) => f.part === 'settings');
  const credentials = all.filter((f) => f.part === 'credentials');
  const out: string[] = [];
  if (settings.length) {
    out.push(`<fieldset><legend>${esc(t('cf.settingsLegend', { network }))}</legend>${settings.map((f) => input(ctx, f, values, errors)).join('\n')}</fieldset>`);
  }
  if (credentials.length) {
    const hint = `<p class="hint" id="cred-hint">${esc(opts.edit ? t('cf.credentialsEditHint') : t('cf.credentialsNewHint'))}</p>${
      opts.retype ? `<p class="notice">${esc(t('cf.credentialsRetype'))}</p>` : ''
    }`;
    let inner: string;
    if (type === 'twitter') {
      const chosen: AuthGroup = values.twitterAuth === 'oauth2' ? 'oauth2' : 'oauth1';
      const radio = (g: AuthGroup) =>
        `<div class="check"><input type="radio" id="f-twitterAuth-${g}" name="twitterAuth" value="${g}" data-auth-choice${chosen === g ? ' checked' : ''}><label for="f-twitterAuth-${g}">${esc(t(g === 'oauth1' ? 'cf.oauth1' : 'cf.oauth2'))}</label></div>`;
      const group = (g: AuthGroup) =>
        `<fieldset data-auth-group="${g}"><legend>${esc(t(g === 'oauth1' ? 'cf.oauth1' : 'cf.oauth2'))}</legend>${credentials
          .filter((f) => f.group === g)
          .map((f) => input(ctx, f, values, errors))
          .join('\n')}</fieldset>`;
      inner = `<fieldset><legend>${esc(t('cf.twitterAuth'))}</legend>${radio('oauth1')}${radio('oauth2')}</fieldset>${group('oauth1')}${group('oauth2')}`;
    } else {
      inner = credentials.map((f) => input(ctx, f, values, errors)).join('\n');
    }
    out.push(`<fieldset aria-describedby="cred-hint"><legend>${esc(t('cf.credentialsLegend', { network }))}</legend>${hint}${inner}</fieldset>`);
  }
  const advancedError = ADVANCED.some((f) => errors[nameOf(f)]);
  out.push(`<details class="advanced"${advancedError ? ' open' : ''}><summary>${esc(t('cf.advanced'))}</summary>
<fieldset><legend>${esc(t('cf.advanced'))}</legend>${ADVANCED.map((f) => input(ctx, f, values, errors)).join('\n')}</fieldset></details>`);
  return out.join('\n');
}

/** The ids of the fields, for the links of the error summary. */
export function fieldIds(type: string): Record<string, string> {
  return Object.fromEntries([...fieldsOf(type), ...ADVANCED].map((f) => [nameOf(f), idOf(f)]));
}

export interface ChannelPayload {
  settings: Record<string, unknown>;
  credentials?: Record<string, string>;
}

/**
 * The API body's settings and credentials from the posted form. Settings start from the stored
 * ones, so keys the form does not show survive an edit. Credentials go only when typed (always
 * for a new channel); then every required field of the chosen method must be there.
 */
export function readNetworkFields(ctx: Ctx, type: string, existing: Channel | null): { payload?: ChannelPayload; errors: FieldErrors } {
  const { t } = ctx;
  const errors: FieldErrors = {};
  const settings: Record<string, unknown> = { ...(existing?.settings ?? {}) };
  const missing = (f: NetField) => t('field.missing', { label: t(f.label) });
  const numberOf = (f: NetField, raw: string) => {
    if (!/^\d{1,9}$/.test(raw)) {
      errors[nameOf(f)] = t('cf.number');
      return undefined;
    }
    return Number(raw);
  };
  for (const f of fieldsOf(type).filter((x) => x.part === 'settings').concat(ADVANCED.slice(0, 2))) {
    const raw = str(ctx.body, nameOf(f)).trim();
    if (!raw) {
      if (f.required) errors[nameOf(f)] = missing(f);
      delete settings[f.key];
      continue;
    }
    settings[f.key] = f.type === 'number' ? numberOf(f, raw) : raw;
  }
  const [maxField, perField] = [ADVANCED[2]!, ADVANCED[3]!];
  const max = str(ctx.body, nameOf(maxField)).trim();
  const per = str(ctx.body, nameOf(perField)).trim();
  if (!max && !per) delete settings.rateLimit;
  else if (!max || !per) errors[nameOf(max ? perField : maxField)] = t('cf.rateLimitBoth');
  else settings.rateLimit = { max: numberOf(maxField, max), perSeconds: numberOf(perField, per) };

  const group: AuthGroup = str(ctx.body, 'twitterAuth') === 'oauth2' ? 'oauth2' : 'oauth1';
  const wanted = fieldsOf(type).filter((f) => f.part === 'credentials' && (!f.group || f.group === group));
  const typed = wanted.filter((f) => str(ctx.body, nameOf(f)) !== '');
  let credentials: Record<string, string> | undefined;
  if (wanted.length && (!existing || typed.length)) {
    credentials = {};
    for (const f of wanted) {
      const value = str(ctx.body, nameOf(f)).trim();
      if (value) credentials[f.key] = value;
      else if (f.required) errors[nameOf(f)] = missing(f);
    }
  }
  if (Object.keys(errors).length) return { errors };
  return { payload: { settings, ...(credentials ? { credentials } : {}) }, errors };
}

/** Ties the API's validation details (settings.pageId, credentials.accessToken, …) to the form's fields. */
export function apiErrorsToFields(ctx: Ctx, type: string, details: { path: string; message: string }[] | undefined): FieldErrors {
  const out: FieldErrors = {};
  const group: AuthGroup = str(ctx.body, 'twitterAuth') === 'oauth2' ? 'oauth2' : 'oauth1';
  const known = [...fieldsOf(type), ...ADVANCED].filter((f) => !f.group || f.group === group);
  for (const d of details ?? []) {
    const [part, key, sub] = d.path.split('.');
    let target: NetField | undefined;
    if (part === 'settings' && key === 'rateLimit') target = ADVANCED[sub === 'perSeconds' ? 3 : 2];
    else if (part === 'settings' || part === 'credentials') {
      // A whole-object complaint (X's two methods) lands on the first field of that part.
      target = known.find((f) => f.part === part && f.key === key) ?? (key ? undefined : known.find((f) => f.part === part));
    }
    const name = target ? nameOf(target) : part === 'name' ? 'name' : undefined;
    if (name) out[name] ??= d.message;
  }
  return out;
}
