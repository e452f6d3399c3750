// Crisis stop (approvers), channels and users (admins), audit log (approvers and admins).
import { AppError } from '../../../domain/errors';
import { describeWindows, windowsFromPolicy } from '../../../domain/publication-window';
import { authenticate } from '../../../http/auth';
import { errorBody } from '../../../http/errors';
import { exportEvents, exportHeaders } from '../../../services/audit';
import type { Channel, Ctx } from '../context';
import { ApiFailure, str, strs } from '../context';
import { actionButton, checkbox, csrfInput, errorSummary, esc, field, statusBadge, type FieldErrors } from '../html';
import { channelLabel, type Post, type Release } from '../render';
import { formatDateTime, localToUtc } from '../time';
import type { Router } from '../index';
import { apiErrorsToFields, CHANNEL_TYPES, fieldIds, networkFieldsets, postedValues, readNetworkFields, settingsValues } from './channel-form';

const id = (ctx: Ctx) => (ctx.req.params as { id: string }).id;
const ROLES = ['editor', 'approver', 'admin'] as const;

function table(caption: string, head: string[], rows: string[][]): string {
  return `<div class="table-wrap" role="region" aria-label="${esc(caption)}" tabindex="0"><table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

// ---- crisis stop ----

/**
 * The organisation's publication windows, read-only: there is no settings page for the policy
 * yet (admins set it with PATCH /api/v1/org). Shown here because crisis releases skip them.
 */
function windowsSummary(ctx: Ctx, policy: unknown): string {
  const { t } = ctx;
  const windows = windowsFromPolicy(policy);
  const text = windows.length ? t('windows.set', { windows: describeWindows(windows, ctx.lang), tz: ctx.tz }) : t('windows.none');
  return `<section aria-labelledby="windows-title"><h2 id="windows-title">${esc(t('windows.title'))}</h2>
<p>${esc(text)}</p><p class="hint">${esc(t('windows.howToChange'))}</p></section>`;
}

async function crisisPage(ctx: Ctx, problem?: { general: string; errors?: FieldErrors }) {
  const { t } = ctx;
  const csrf = ctx.me.csrfToken;
  const org = await ctx.api.get<{ paused: boolean; pausedReason?: string; pausedAt?: string; policy?: unknown }>('/api/v1/org');
  let main: string;
  if (!ctx.is('approver')) {
    main = `<p class="notice">${esc(t('crisis.notApprover'))}</p>`;
  } else if (org.paused) {
    main = `<div class="panel panel-paused"><p><strong>${esc(t('crisis.paused'))}</strong></p>
<p>${esc(t('banner.pausedReason', { reason: org.pausedReason ?? '' }))}</p><p>${esc(t('crisis.since', { time: formatDateTime(org.pausedAt, ctx.tz, ctx.lang) }))}</p>
${actionButton('/app/crisis/resume', csrf, t('crisis.resume'), { cls: 'button button-primary' })}</div>`;
  } else {
    main = `<form method="post" action="/app/crisis/pause" class="form panel panel-danger" data-progress novalidate>${csrfInput(csrf)}
<p>${esc(t('crisis.intro'))}</p>
${field({ t, name: 'reason', label: t('crisis.reason'), type: 'textarea', rows: 3, required: true, errors: problem?.errors })}
<button type="submit" class="button button-danger button-large">${esc(t('crisis.pause'))}</button></form>`;
  }
  // Held posts whose time has passed: after a resume they wait for an approver.
  let overdue = '';
  if (ctx.is('approver')) {
    const [held, releases] = await Promise.all([ctx.api.get<Post[]>('/api/v1/posts?status=held'), ctx.api.get<Release[]>('/api/v1/releases')]);
    const now = Date.now();
    const late = held.filter((p) => {
      const when = p.dueAt ?? p.publishAt;
      return when && new Date(when).getTime() <= now;
    });
    const titles = new Map(releases.map((r) => [r.id, r.title]));
    if (late.length || ctx.query.msg === 'crisis.resumed') {
      overdue = `<section aria-labelledby="overdue-title"><h2 id="overdue-title">${esc(t('crisis.overdue'))}</h2><p class="hint">${esc(t('crisis.overdueHint'))}</p>
${late.length ? `<ul class="list">${late
        .map((p) => {
          const title = titles.get(p.releaseId) ?? '';
          return `<li class="item"><a href="/app/posts/${esc(p.id)}">${esc(title)} – ${esc(channelLabel(t, p.channelType))}</a> <span class="meta">${esc(formatDateTime(p.dueAt ?? p.publishAt, ctx.tz, ctx.lang))}</span>
<div class="actions">${actionButton(`/app/posts/${p.id}/retry`, csrf, `${t('post.retry')}`, { cls: 'button button-small' })}
<a class="button button-small" href="/app/posts/${esc(p.id)}#reschedule">${esc(t('post.reschedule'))}<span class="sr-only">: ${esc(title)}</span></a>
${actionButton(`/app/releases/${p.releaseId}/cancel`, csrf, t('release.cancel'), { cls: 'button button-small button-danger' })}</div></li>`;
        })
        .join('')}</ul>` : `<p class="empty">${esc(t('dash.nothing'))}</p>`}</section>`;
    }
  }
  if (problem) ctx.reply.status(400);
  return ctx.render(t('crisis.title'), `<h1>${esc(t('crisis.title'))}</h1>${problem ? errorSummary(t, problem.general, problem.errors ?? {}) : ''}${main}${overdue}${windowsSummary(ctx, org.policy)}`, { current: 'crisis' });
}

// ---- channels ----

function channelForm(ctx: Ctx, c: Channel | null, type: string, values: Record<string, string>, problem?: { general: string; errors: FieldErrors }) {
  const { t } = ctx;
  const errors = problem?.errors ?? {};
  return `${problem ? errorSummary(t, problem.general, errors, fieldIds(type)) : ''}
<form method="post" action="${c ? `/app/channels/${esc(c.id)}` : '/app/channels'}" class="form" data-progress novalidate>${csrfInput(ctx.me.csrfToken)}
${c ? '' : `<input type="hidden" name="type" value="${esc(type)}">`}
${field({ t, name: 'name', label: t('channels.name'), hint: t('cf.nameHint'), value: values.name, required: true, errors })}
${networkFieldsets(ctx, type, values, errors, { edit: Boolean(c), retype: Boolean(problem) })}
${c ? checkbox({ id: 'f-enabled', name: 'enabled', value: 'on', label: t('channels.enabled'), checked: values.enabled === 'on' }) : ''}
<div class="actions"><button type="submit" class="button button-primary">${esc(c ? t('common.save') : t('channels.add'))}</button> <a class="button" href="/app/channels">${esc(t('common.cancel'))}</a></div></form>`;
}

async function channelsPage(ctx: Ctx, extra = '') {
  const { t } = ctx;
  const channels = await ctx.api.get<Channel[]>('/api/v1/channels');
  const rows = channels.map((c) => [
    `<a href="/app/channels/${esc(c.id)}">${esc(c.name)}</a>`,
    esc(channelLabel(t, c.type)),
    `${statusBadge(t, c.status)}${c.status === 'needs_reauth' ? `<p class="error-text">${esc(t('channels.needsReauth'))}</p>` : ''}`,
    c.hasCredentials ? esc(t('common.yes')) : esc(t('common.no')),
    actionButton(`/app/channels/${c.id}/check`, ctx.me.csrfToken, t('channels.check'), { cls: 'button button-small', srSuffix: c.name }),
  ]);
  const choose = `<form method="get" action="/app/channels/new" class="form filters">
<div class="field"><label for="f-type">${esc(t('channels.type'))}</label><select id="f-type" name="type">${CHANNEL_TYPES.map((ty) => `<option value="${ty}">${esc(channelLabel(t, ty))}</option>`).join('')}</select></div>
<div class="actions"><button type="submit" class="button button-primary">${esc(t('cf.next'))}</button></div></form>`;
  const body = `<h1>${esc(t('channels.title'))}</h1>${extra}
${table(t('channels.title'), [t('channels.name'), t('channels.type'), t('channels.status'), t('channels.hasCredentials'), t('channels.check')], rows)}
<section class="panel" aria-labelledby="add-title"><h2 id="add-title">${esc(t('channels.add'))}</h2><p class="hint">${esc(t('cf.chooseHint'))}</p>${choose}</section>`;
  return ctx.render(t('channels.title'), body, { current: 'channels' });
}

function newChannelPage(ctx: Ctx, type: string, problem?: { general: string; errors: FieldErrors }) {
  const { t } = ctx;
  const title = t('cf.newTitle', { network: channelLabel(t, type) });
  const values = problem ? { ...postedValues(ctx), name: str(ctx.body, 'name') } : { name: channelLabel(t, type) };
  if (problem) ctx.reply.status(400);
  return ctx.render(title, `<h1>${esc(title)}</h1>${channelForm(ctx, null, type, values, problem)}`, { current: 'channels' });
}

function channelBody(ctx: Ctx, type: string, existing: Channel | null): { body?: Record<string, unknown>; errors: FieldErrors } {
  const name = str(ctx.body, 'name').trim();
  const { payload, errors } = readNetworkFields(ctx, type, existing);
  if (!name) errors.name = ctx.t('field.missing', { label: ctx.t('channels.name') });
  if (!payload || errors.name) return { errors };
  const body: Record<string, unknown> = { name, settings: payload.settings };
  if (!existing) body.type = type;
  if (payload.credentials) body.credentials = payload.credentials;
  if (existing) body.enabled = str(ctx.body, 'enabled') === 'on';
  return { body, errors };
}

function apiFieldErrors(details: { path: string; message: string }[] | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const d of details ?? []) out[d.path.split('.')[0]!] ??= d.message;
  return out;
}

// ---- users ----

interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  disabled: boolean;
  language: string;
}

function userForm(ctx: Ctx, u: User | null, values: { name?: string; email?: string; roles?: string[]; disabled?: boolean; language?: string }, problem?: { general: string; errors: FieldErrors }) {
  const { t } = ctx;
  const errors = problem?.errors ?? {};
  const prefix = u ? `u-${u.id}` : 'new';
  return `${problem ? errorSummary(t, problem.general, errors, { roles: `${prefix}-role-editor` }) : ''}
<form method="post" action="${u ? `/app/users/${esc(u.id)}` : '/app/users'}" class="form" data-progress novalidate>${csrfInput(ctx.me.csrfToken)}
${field({ t, name: 'name', label: t('users.name'), value: values.name, required: true, errors, autocomplete: 'off' })}
${field({ t, name: 'email', label: t('users.email'), type: 'email', value: values.email, required: true, errors, autocomplete: 'off' })}
<fieldset${errors.roles ? ' class="field-error"' : ''}><legend>${esc(t('users.roles'))}</legend>${errors.roles ? `<p class="error-text" id="roles-error">${esc(errors.roles)}</p>` : ''}
${ROLES.map((r) => checkbox({ id: `${prefix}-role-${r}`, name: 'roles', value: r, label: t(`role.${r}`), checked: values.roles?.includes(r), attrs: errors.roles ? 'aria-describedby="roles-error"' : '' })).join('')}</fieldset>
${field({ t, name: 'password', label: u ? t('users.passwordEdit') : t('users.password'), type: 'password', errors, autocomplete: 'new-password', required: !u })}
${u ? checkbox({ id: `${prefix}-disabled`, name: 'disabled', value: 'on', label: t('users.disabled'), checked: values.disabled }) : ''}
${u ? `<div class="field"><label for="f-language">${esc(t('users.language'))}</label><select id="f-language" name="language"><option value="de"${values.language !== 'en' ? ' selected' : ''}>Deutsch</option><option value="en"${values.language === 'en' ? ' selected' : ''} lang="en">English</option></select></div>` : ''}
<div class="actions"><button type="submit" class="button button-primary">${esc(u ? t('common.save') : t('users.add'))}</button></div></form>`;
}

async function usersPage(ctx: Ctx, problem?: { general: string; errors: FieldErrors }, values: Parameters<typeof userForm>[2] = { roles: ['editor'] }) {
  const { t } = ctx;
  const users = await ctx.api.get<User[]>('/api/v1/users');
  const rows = users.map((u) => [
    `<a href="/app/users/${esc(u.id)}">${esc(u.name)}</a>`,
    esc(u.email),
    esc(u.roles.map((r) => t(`role.${r}` as 'role.editor')).join(', ')),
    u.disabled ? esc(t('common.yes')) : esc(t('common.no')),
  ]);
  if (problem) ctx.reply.status(400);
  return ctx.render(
    t('users.title'),
    `<h1>${esc(t('users.title'))}</h1>${table(t('users.title'), [t('users.name'), t('users.email'), t('users.roles'), t('users.disabled')], rows)}
<section class="panel" aria-labelledby="add-user"><h2 id="add-user">${esc(t('users.add'))}</h2>${userForm(ctx, null, values, problem)}</section>`,
    { current: 'users' },
  );
}

function userValues(ctx: Ctx) {
  return {
    name: str(ctx.body, 'name').trim(),
    email: str(ctx.body, 'email').trim(),
    roles: strs(ctx.body, 'roles'),
    disabled: str(ctx.body, 'disabled') === 'on',
    language: str(ctx.body, 'language') === 'en' ? 'en' : 'de',
    password: str(ctx.body, 'password'),
  };
}

function userErrors(ctx: Ctx, v: ReturnType<typeof userValues>, isNew: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (!v.name) errors.name = ctx.t('field.missing', { label: ctx.t('users.name') });
  if (!v.email) errors.email = ctx.t('field.missing', { label: ctx.t('users.email') });
  if (!v.roles.length) errors.roles = ctx.t('users.rolesMissing');
  if (isNew && !v.password) errors.password = ctx.t('field.missing', { label: ctx.t('users.password') });
  return errors;
}

// ---- audit ----

interface AuditEvent {
  seq: number;
  at: string;
  actorId: string | null;
  actorType: string;
  action: string;
  entityType: string;
  entityId: string;
  data: unknown;
  hash: string;
  prevHash: string;
}

function auditQuery(ctx: Ctx): { params: URLSearchParams; values: Record<string, string>; errors: FieldErrors } {
  const params = new URLSearchParams();
  const values: Record<string, string> = { from: ctx.query.from ?? '', to: ctx.query.to ?? '', entityId: ctx.query.entityId ?? '' };
  const errors: FieldErrors = {};
  for (const name of ['from', 'to'] as const) {
    if (!values[name]) continue;
    const d = localToUtc(values[name]!, ctx.tz);
    if (d) params.set(name, d.toISOString());
    else errors[name] = ctx.t('field.invalidTime');
  }
  if (values.entityId) params.set('entityId', values.entityId.trim());
  return { params, values, errors };
}

async function auditPage(ctx: Ctx) {
  const { t } = ctx;
  const q = auditQuery(ctx);
  const events = await ctx.api.get<AuditEvent[]>(`/api/v1/audit?${q.params.toString()}`);
  let verify = '';
  if (ctx.query.verify === '1') {
    const r = await ctx.api.get<{ ok: boolean; events: number; firstBrokenId?: string }>('/api/v1/audit/verify');
    verify = `<p class="${r.ok ? 'flash' : 'notice notice-error'}" role="status">${esc(r.ok ? t('audit.verifyOk', { count: r.events }) : t('audit.verifyBad', { detail: r.firstBrokenId ?? '' }))}</p>`;
  }
  const filters = `${errorSummary(t, undefined, q.errors)}<form method="get" action="/app/audit" class="form filters" novalidate>
${field({ t, name: 'from', label: t('audit.from'), type: 'datetime-local', value: q.values.from, errors: q.errors })}
${field({ t, name: 'to', label: t('audit.to'), type: 'datetime-local', value: q.values.to, errors: q.errors })}
${field({ t, name: 'entityId', label: t('audit.entity'), value: q.values.entityId })}
<div class="actions"><button type="submit" class="button">${esc(t('common.filter'))}</button></div></form>
<div class="actions"><a class="button" href="/app/audit?verify=1">${esc(t('audit.verify'))}</a> <a class="button" href="/app/audit/export.jsonl" download aria-describedby="audit-export-hint">${esc(t('audit.export'))}</a></div>
<p id="audit-export-hint" class="hint">${esc(t('audit.exportHint'))}</p>`;
  const rows = events.map((e) => [
    esc(formatDateTime(e.at, ctx.tz, ctx.lang)),
    esc(`${e.actorType}${e.actorId ? ` ${e.actorId.slice(0, 8)}` : ''}`),
    `<code>${esc(e.action)}</code>`,
    esc(`${e.entityType} ${e.entityId.slice(0, 8)}`),
  ]);
  return ctx.render(t('audit.title'), `<h1>${esc(t('audit.title'))}</h1>${verify}${filters}${table(t('audit.title'), [t('audit.time'), t('audit.actor'), t('audit.action'), t('audit.object')], rows)}`, { current: 'audit' });
}

export function registerAdminPages(router: Router) {
  router.get('/app/crisis', (ctx) => crisisPage(ctx));
  router.post('/app/crisis/pause', async (ctx) => {
    const reason = str(ctx.body, 'reason').trim();
    if (!reason) return crisisPage(ctx, { general: ctx.t('crisis.reasonMissing'), errors: { reason: ctx.t('crisis.reasonMissing') } });
    const res = await ctx.api.call('POST', '/api/v1/org/pause', { reason });
    if (res.error) return crisisPage(ctx, { general: res.error.message });
    return ctx.reply.redirect('/app/crisis?msg=crisis.paused', 303);
  });
  router.post('/app/crisis/resume', async (ctx) => {
    const res = await ctx.api.call('POST', '/api/v1/org/resume');
    if (res.error) return crisisPage(ctx, { general: res.error.message });
    return ctx.reply.redirect('/app/crisis?msg=crisis.resumed', 303);
  });

  router.get('/app/channels', (ctx) => channelsPage(ctx));
  router.get('/app/channels/new', async (ctx) => newChannelPage(ctx, CHANNEL_TYPES.includes(ctx.query.type ?? '') ? ctx.query.type! : 'blog'));
  router.post('/app/channels', async (ctx) => {
    const type = str(ctx.body, 'type');
    if (!CHANNEL_TYPES.includes(type)) return ctx.reply.redirect('/app/channels', 303);
    const { body, errors } = channelBody(ctx, type, null);
    if (!body) return newChannelPage(ctx, type, { general: ctx.t('error.title'), errors });
    const res = await ctx.api.call<Channel>('POST', '/api/v1/channels', body);
    if (res.error) return newChannelPage(ctx, type, { general: res.error.message, errors: apiErrorsToFields(ctx, type, res.error.details) });
    return ctx.reply.redirect(`/app/channels?msg=channels.saved`, 303);
  });
  router.post('/app/channels/:id/check', async (ctx) => {
    const channel = ctx.channels.find((c) => c.id === id(ctx));
    const res = await ctx.api.must<{ ok: boolean; account?: unknown; error?: { message: string } }>('POST', `/api/v1/channels/${id(ctx)}/check`);
    const account = typeof res.account === 'string' ? res.account : JSON.stringify(res.account ?? '');
    const text = res.ok ? `✓ ${ctx.t('cf.checkOk', { account })}` : `✗ ${res.error?.message ?? ''}`;
    return channelsPage(ctx, `<div class="${res.ok ? 'flash' : 'notice notice-error'}" role="status"><p><strong>${esc(ctx.t('channels.checkResult', { name: channel?.name ?? '' }))}</strong></p><p>${esc(text)}</p></div>`);
  });
  const channelEdit = async (ctx: Ctx, problem?: { general: string; errors: FieldErrors }) => {
    const c = ctx.channels.find((x) => x.id === id(ctx));
    if (!c) {
      ctx.reply.status(404);
      return ctx.render(ctx.t('error.page'), `<h1>${esc(ctx.t('error.page'))}</h1><p>404</p>`);
    }
    const values = problem
      ? { ...postedValues(ctx), name: str(ctx.body, 'name'), enabled: str(ctx.body, 'enabled') }
      : { ...settingsValues(c.settings), name: c.name, enabled: c.enabled ? 'on' : '' };
    if (problem) ctx.reply.status(400);
    const title = ctx.t('channels.edit', { name: c.name });
    return ctx.render(
      title,
      `<h1>${esc(title)}</h1>${c.status === 'needs_reauth' ? `<p class="notice notice-error"><strong>${esc(ctx.t('channels.needsReauth'))}</strong></p>` : ''}
<p>${esc(channelLabel(ctx.t, c.type))} · ${statusBadge(ctx.t, c.status)} · ${esc(c.hasCredentials ? ctx.t('cf.hasCredentials') : ctx.t('cf.noCredentials'))}</p>
${channelForm(ctx, c, c.type, values, problem)}
<section class="panel" aria-labelledby="check-title"><h2 id="check-title">${esc(ctx.t('channels.check'))}</h2><p class="hint">${esc(ctx.t('cf.checkHint'))}</p>
${actionButton(`/app/channels/${c.id}/check`, ctx.me.csrfToken, ctx.t('channels.check'))}</section>`,
      { current: 'channels' },
    );
  };
  router.get('/app/channels/:id', (ctx) => channelEdit(ctx));
  router.post('/app/channels/:id', async (ctx) => {
    const c = ctx.channels.find((x) => x.id === id(ctx));
    if (!c) return channelEdit(ctx);
    const { body, errors } = channelBody(ctx, c.type, c);
    if (!body) return channelEdit(ctx, { general: ctx.t('error.title'), errors });
    const res = await ctx.api.call('PATCH', `/api/v1/channels/${id(ctx)}`, body);
    if (res.error) return channelEdit(ctx, { general: res.error.message, errors: apiErrorsToFields(ctx, c.type, res.error.details) });
    return ctx.reply.redirect('/app/channels?msg=channels.saved', 303);
  });

  router.get('/app/users', (ctx) => usersPage(ctx));
  router.post('/app/users', async (ctx) => {
    const v = userValues(ctx);
    const errors = userErrors(ctx, v, true);
    if (Object.keys(errors).length) return usersPage(ctx, { general: ctx.t('error.title'), errors }, v);
    const res = await ctx.api.call('POST', '/api/v1/users', { name: v.name, email: v.email, roles: v.roles, password: v.password });
    if (res.error) return usersPage(ctx, { general: res.error.message, errors: apiFieldErrors(res.error.details) }, v);
    return ctx.reply.redirect('/app/users?msg=users.saved', 303);
  });
  const userEdit = async (ctx: Ctx, problem?: { general: string; errors: FieldErrors }) => {
    const users = await ctx.api.get<User[]>('/api/v1/users');
    const u = users.find((x) => x.id === id(ctx));
    if (!u) {
      ctx.reply.status(404);
      return ctx.render(ctx.t('error.page'), `<h1>${esc(ctx.t('error.page'))}</h1><p>404</p>`);
    }
    if (problem) ctx.reply.status(400);
    const title = ctx.t('users.edit', { name: u.name });
    return ctx.render(title, `<h1>${esc(title)}</h1>${userForm(ctx, u, problem ? userValues(ctx) : u, problem)}`, { current: 'users' });
  };
  router.get('/app/users/:id', (ctx) => userEdit(ctx));
  router.post('/app/users/:id', async (ctx) => {
    const v = userValues(ctx);
    const errors = userErrors(ctx, v, false);
    if (Object.keys(errors).length) return userEdit(ctx, { general: ctx.t('error.title'), errors });
    const res = await ctx.api.call('PATCH', `/api/v1/users/${id(ctx)}`, {
      name: v.name,
      email: v.email,
      roles: v.roles,
      disabled: v.disabled,
      language: v.language,
      ...(v.password ? { password: v.password } : {}),
    });
    if (res.error) return userEdit(ctx, { general: res.error.message, errors: apiFieldErrors(res.error.details) });
    return ctx.reply.redirect('/app/users?msg=users.saved', 303);
  });

  router.get('/app/audit', auditPage);
  // The same export as GET /api/v1/audit/export, by the same service function. Not through
  // ctx.api like the other pages: app.inject would collect the whole chain in memory first.
  router.get('/app/audit/export.jsonl', async (ctx) => {
    const auth = await authenticate(router.deps, ctx.req);
    if (!auth) return ctx.reply.redirect('/app/login', 303);
    try {
      const exp = await exportEvents(router.deps, auth.actor);
      return ctx.reply.headers(exportHeaders(exp)).send(exp.lines);
    } catch (err) {
      if (err instanceof AppError) throw new ApiFailure(err.status, errorBody(err, ctx.lang).error);
      throw err;
    }
  });
}
