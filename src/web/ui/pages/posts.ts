// Post detail (history, errors, links, retry, resolve, reschedule), editing a post by hand, and
// the calendar (week and month, by channel and status) with its ICS subscription.
import type { Ctx } from '../context';
import { str } from '../context';
import { actionButton, csrfInput, errorSummary, esc, field, statusBadge, type FieldErrors } from '../html';
import { card, channelLabel, type Post, type PostContent, type PostDetail, type Release } from '../render';
import { addDays, dayStart, formatDateTime, formatDay, formatMonth, formatTime, localDay, localToUtc, utcToLocalInput, weekday } from '../time';
import type { Router } from '../index';
import type { PostSummary } from '../../../http/present';
import { ARTICLE_CHANNELS, type ChannelType } from '../../../domain/types';

const id = (ctx: Ctx) => (ctx.req.params as { id: string }).id;

function accountOf(ctx: Ctx, p: Pick<Post, 'channelId' | 'channelType'>) {
  return ctx.channels.find((c) => c.id === p.channelId)?.name ?? channelLabel(ctx.t, p.channelType);
}

function rescheduleForm(ctx: Ctx, p: Post, errors: FieldErrors = {}, value?: string): string {
  const { t } = ctx;
  return `<form method="post" action="/app/posts/${esc(p.id)}/reschedule" class="form" data-progress novalidate>
${csrfInput(ctx.me.csrfToken)}
<p class="notice" id="reschedule-warning">${esc(t('post.rescheduleWarn'))}</p>
${field({ t, name: 'publishAt', id: `reschedule-${p.id}`, label: t('post.rescheduleField'), type: 'datetime-local', value: value ?? utcToLocalInput(p.publishAt ?? p.dueAt, ctx.tz), hint: t('common.timezone', { tz: ctx.tz }), errors, required: true })}
<button type="submit" class="button">${esc(t('post.reschedule'))}</button></form>`;
}

async function postPage(ctx: Ctx, postId: string, problem?: { general: string; errors?: FieldErrors; value?: string; status?: number }) {
  const { t } = ctx;
  const p = await ctx.api.get<PostDetail>(`/api/v1/posts/${postId}`);
  const csrf = ctx.me.csrfToken;
  const channel = channelLabel(t, p.channelType);
  const actions: string[] = [];
  if (ctx.is('approver') && ['failed', 'unconfirmed', 'held'].includes(p.status)) actions.push(actionButton(`/app/posts/${p.id}/retry`, csrf, t('post.retry'), { cls: 'button button-primary' }));
  const canEdit = (ctx.is('editor') || ctx.is('approver')) && ['draft', 'scheduled', 'held'].includes(p.status);
  if (canEdit) actions.push(`<a class="button" href="/app/posts/${esc(p.id)}/edit">${esc(t('post.edit'))}</a>`);
  const resolve =
    ctx.is('approver') && p.status === 'unconfirmed'
      ? `<section class="panel" aria-labelledby="resolve-title"><h2 id="resolve-title">${esc(t('post.resolveTitle'))}</h2><p>${esc(t('post.resolveHint'))}</p>${ARTICLE_CHANNELS.includes(p.channelType as ChannelType) ? `<p>${esc(t('post.resolveArticleHint'))}</p>` : ''}
<form method="post" action="/app/posts/${esc(p.id)}/resolve" class="form" data-progress>${csrfInput(csrf)}
${field({ t, name: 'externalUrl', label: t('post.resolveUrl'), type: 'url' })}
<div class="actions"><button type="submit" name="published" value="yes" class="button button-primary">${esc(t('post.resolvePublished'))}</button>
<button type="submit" name="published" value="no" class="button">${esc(t('post.resolveNotPublished'))}</button></div></form></section>`
      : '';
  const history = p.history.length
    ? `<div class="table-wrap" role="region" aria-label="${esc(t('post.history'))}" tabindex="0"><table><caption class="sr-only">${esc(t('post.history'))}</caption><thead><tr><th scope="col">${esc(t('post.attempt'))}</th><th scope="col">${esc(t('post.started'))}</th><th scope="col">${esc(t('post.finished'))}</th><th scope="col">${esc(t('post.outcome'))}</th><th scope="col">${esc(t('post.error'))}</th></tr></thead><tbody>
${p.history.map((a) => `<tr><td>${a.number}</td><td>${esc(formatDateTime(a.startedAt, ctx.tz, ctx.lang))}</td><td>${esc(formatDateTime(a.finishedAt, ctx.tz, ctx.lang))}</td><td>${esc(a.outcome)}</td><td>${a.error ? esc(a.error.message) : ''}</td></tr>`).join('')}
</tbody></table></div>`
    : `<p class="empty">${esc(t('post.noAttempts'))}</p>`;
  const body = `<h1>${esc(t('post.title', { channel }))}</h1>
${problem ? errorSummary(t, problem.general, problem.errors ?? {}, { publishAt: `reschedule-${p.id}` }) : ''}
<dl class="meta-list">
<dt>${esc(t('post.status'))}</dt><dd>${statusBadge(t, p.status)}</dd>
<dt>${esc(t('post.publishAt'))}</dt><dd>${esc(p.publishAt || p.dueAt ? formatDateTime(p.publishAt ?? p.dueAt, ctx.tz, ctx.lang) : t('common.asap'))}</dd>
${p.publishedAt ? `<dt>${esc(t('post.publishedAt'))}</dt><dd>${esc(formatDateTime(p.publishedAt, ctx.tz, ctx.lang))}</dd>` : ''}
${p.heldReason ? `<dt>${esc(t('status.held'))}</dt><dd>${esc(p.heldReason)}</dd>` : ''}
${p.error ? `<dt>${esc(t('post.error'))}</dt><dd class="error-text">${esc(p.error.message)}</dd>` : ''}
</dl>
${p.externalUrl ? `<p><a href="${esc(p.externalUrl)}" class="external" rel="noopener noreferrer">${esc(t('post.externalLink'))}</a> <span class="meta">${esc(p.externalUrl)}</span></p>` : ''}
<p><a href="/app/releases/${esc(p.releaseId)}">${esc(t('post.release'))}</a></p>
${actions.length ? `<div class="actions">${actions.join(' ')}</div>` : ''}
${resolve}
${card(t, p, accountOf(ctx, p))}
<section aria-labelledby="history-title"><h2 id="history-title">${esc(t('post.history'))}</h2>${history}</section>
${canEdit ? `<section id="reschedule" class="panel" aria-labelledby="reschedule-title"><h2 id="reschedule-title">${esc(t('post.reschedule'))}</h2>${rescheduleForm(ctx, p, problem?.errors, problem?.value)}</section>` : ''}`;
  if (problem) ctx.reply.status(problem.status ?? (problem.errors && Object.keys(problem.errors).length ? 400 : 409));
  return ctx.render(t('post.title', { channel }), body, { current: 'calendar' });
}

function editForm(ctx: Ctx, p: Post, values: PostContent & { threadText?: string }, problem?: { general: string; errors: FieldErrors }) {
  const { t } = ctx;
  const errors = problem?.errors ?? {};
  const fields: string[] = [];
  if (values.title !== undefined) fields.push(field({ t, name: 'title', label: t('post.fieldTitle'), value: values.title, errors }));
  if (values.html !== undefined) fields.push(field({ t, name: 'html', label: t('post.fieldHtml'), type: 'textarea', rows: 14, value: values.html, errors }));
  if (values.text !== undefined) fields.push(field({ t, name: 'text', label: t('post.fieldText'), type: 'textarea', rows: 8, value: values.text, errors, attrs: `data-count="${esc(p.channelType)}"` }));
  if (values.thread !== undefined) fields.push(field({ t, name: 'thread', label: t('post.fieldThread'), type: 'textarea', rows: 10, value: values.threadText ?? values.thread.join('\n---\n'), hint: t('post.fieldThreadHint'), errors }));
  if (values.link !== undefined) fields.push(field({ t, name: 'link', label: t('post.fieldLink'), type: 'url', value: values.link, errors }));
  return `${problem ? errorSummary(t, problem.general, errors) : ''}
<form method="post" action="/app/posts/${esc(p.id)}/edit" class="form" data-progress novalidate>${csrfInput(ctx.me.csrfToken)}
${fields.join('\n')}
<div class="actions"><button type="submit" class="button button-primary">${esc(t('common.save'))}</button> <a class="button" href="/app/releases/${esc(p.releaseId)}">${esc(t('common.cancel'))}</a></div></form>
<section aria-labelledby="current-title"><h2 id="current-title">${esc(t('editor.previews'))}</h2>${card(t, p, accountOf(ctx, p))}</section>`;
}

// ---- calendar ----

interface CalQuery {
  view: 'week' | 'month';
  start: string;
  channelId: string;
  status: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar's view from a query string or the hidden fields of the reschedule form. */
function calQuery(ctx: Ctx, source: Record<string, string | string[] | undefined> = ctx.query): CalQuery {
  const get = (name: string) => {
    const v = source[name];
    return (Array.isArray(v) ? v[0] : v) ?? '';
  };
  const view = get('view') === 'month' ? 'month' : 'week';
  const day = DAY.test(get('date')) ? get('date') : localDay(new Date(), ctx.tz);
  const start = view === 'week' ? addDays(day, 1 - weekday(day)) : `${day.slice(0, 7)}-01`;
  return { view, start, channelId: get('channelId'), status: get('status') };
}

/** The reschedule panel: for the post in ?move=, prefilled from ?to= (a drop) or its own time. */
interface MoveState {
  postId: string;
  value?: string;
  general?: string;
  errors?: FieldErrors;
  /** The API's status for a refused time (422 OUTSIDE_PUBLICATION_WINDOW), else 400/409. */
  status?: number;
}

/** Approved content: a new time voids the approval (services/releases.ts newRevision). */
const isApproved = (release: { status: string } | undefined) => release?.status === 'scheduled';

/** What the calendar and its reschedule panel show of a post: a PostSummary, or a whole Post. */
type CalPost = Pick<PostSummary, 'id' | 'releaseId' | 'channelId' | 'channelType' | 'status'> & {
  publishAt?: string | null;
  dueAt?: string | null;
  publishedAt?: string | null;
};

function movePanel(ctx: Ctx, q: CalQuery, p: CalPost, release: { title: string; status: string } | undefined, state: MoveState): string {
  const { t } = ctx;
  const title = release?.title ?? '';
  const approved = isApproved(release);
  const warnId = 'move-warning';
  const value = state.value ?? utcToLocalInput(p.publishAt ?? p.dueAt, ctx.tz);
  const errors = state.errors ?? {};
  const hidden = { postId: p.id, view: q.view, date: q.start, channelId: q.channelId, status: q.status };
  return `<section id="move" class="panel move-panel${approved ? ' panel-warn' : ''}" aria-labelledby="move-title">
<h2 id="move-title">${esc(t('cal.moveTitle', { title, channel: accountOf(ctx, p) }))}</h2>
${errorSummary(t, state.general, errors, { publishAt: 'move-publishAt' })}
<p class="meta">${esc(t('cal.moveCurrent', { time: formatDateTime(p.publishedAt ?? p.dueAt ?? p.publishAt, ctx.tz, ctx.lang) }))} · ${statusBadge(t, p.status)}</p>
${approved ? `<p class="notice notice-warn" id="${warnId}"><strong>${esc(t('cal.moveWarnApproved'))}</strong></p>` : `<p class="hint" id="${warnId}">${esc(release?.status === 'in_review' ? t('cal.moveNoteReview') : t('cal.moveNoteDraft'))}</p>`}
<form method="post" action="/app/calendar/reschedule" class="form" data-progress novalidate>${csrfInput(ctx.me.csrfToken)}
${Object.entries(hidden).map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v)}">`).join('')}
${field({ t, name: 'publishAt', id: 'move-publishAt', label: t('post.rescheduleField'), type: 'datetime-local', value, hint: t('common.timezone', { tz: ctx.tz }), errors, required: true, describedBy: warnId, attrs: 'data-autofocus' })}
<div class="actions"><button type="submit" class="button ${approved ? 'button-danger' : 'button-primary'}">${esc(approved ? t('cal.moveSubmitApproved') : t('post.reschedule'))}</button>
<a class="button" href="${esc(calLink(q, {}))}">${esc(t('common.cancel'))}</a></div></form></section>`;
}

function calLink(q: CalQuery, change: Partial<CalQuery> & { date?: string }): string {
  const next = { ...q, ...change };
  const params = new URLSearchParams({ view: next.view, date: change.date ?? next.start });
  if (next.channelId) params.set('channelId', next.channelId);
  if (next.status) params.set('status', next.status);
  return `/app/calendar?${params.toString()}`;
}

const STATUSES = ['draft', 'scheduled', 'held', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled'];

async function calendarPage(ctx: Ctx, opts: { feedUrl?: string; q?: CalQuery; move?: MoveState } = {}) {
  const { t } = ctx;
  const feedUrl = opts.feedUrl;
  const q = opts.q ?? calQuery(ctx);
  const canMove = ctx.is('editor') || ctx.is('approver');
  const end = q.view === 'week' ? addDays(q.start, 7) : (() => {
    const d = new Date(`${q.start}T12:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + 1);
    return d.toISOString().slice(0, 10);
  })();
  const from = dayStart(q.start, ctx.tz);
  const to = new Date(dayStart(end, ctx.tz).getTime() - 1);
  const params = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  if (q.channelId) params.set('channelId', q.channelId);
  if (q.status) params.set('status', q.status);
  // The summary carries each post's release title and status: no list of releases is needed.
  params.set('view', 'summary');
  const posts = await ctx.api.get<PostSummary[]>(`/api/v1/posts?${params.toString()}`);
  const releaseOf = (p: PostSummary) => ({ title: p.releaseTitle, status: p.releaseStatus });
  const movable = (p: CalPost) => canMove && ['draft', 'scheduled', 'held'].includes(p.status);
  const moveId = opts.move?.postId ?? (ctx.query.move && /^[0-9a-f-]{36}$/i.test(ctx.query.move) ? ctx.query.move : '');
  let panel = '';
  if (moveId && canMove) {
    // The post may lie outside the shown range (a failed form from another week): ask for it.
    const shown = posts.find((x) => x.id === moveId);
    const p: CalPost = shown ?? (await ctx.api.get<Post>(`/api/v1/posts/${moveId}`));
    const release = shown ? releaseOf(shown) : await ctx.api.get<Release>(`/api/v1/releases/${p.releaseId}`);
    const to = ctx.query.to ?? '';
    const dropped = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(to) ? to : undefined;
    panel = movable(p)
      ? movePanel(ctx, q, p, release, { value: dropped, ...opts.move, postId: p.id })
      : `<p class="notice" role="status">${esc(t('cal.moveNotPossible', { status: t(`status.${p.status}` as 'status.draft') }))}</p>`;
    if (opts.move?.errors || opts.move?.general) ctx.reply.status(opts.move.status ?? (opts.move.errors && Object.keys(opts.move.errors).length ? 400 : 409));
  }
  const byDay = new Map<string, PostSummary[]>();
  for (const p of posts) {
    const when = p.publishedAt ?? p.dueAt ?? p.publishAt;
    if (!when) continue;
    const day = localDay(new Date(when), ctx.tz);
    byDay.set(day, [...(byDay.get(day) ?? []), p]);
  }
  const item = (p: PostSummary) => {
    const when = p.publishedAt ?? p.dueAt ?? p.publishAt!;
    const title = p.releaseTitle;
    // No #fragment: Chromium clears focus on a fragment target after load, and app.js focuses the
    // panel's field; the panel comes right after the heading, so nothing needs scrolling to.
    const moveHref = `${calLink(q, {})}&move=${encodeURIComponent(p.id)}`;
    // Drag and drop (app.js) only fills in the reschedule panel: the person still confirms there.
    const drag = movable(p)
      ? ` data-move-url="${esc(calLink(q, {}))}&amp;move=${esc(p.id)}" data-time="${esc(utcToLocalInput(when, ctx.tz).slice(11))}"`
      : '';
    const approvedHint = isApproved(releaseOf(p)) ? t('cal.rescheduleHint') : t('cal.rescheduleHintDraft');
    return `<li class="cal-item cal-${esc(p.status)}${p.id === ctx.query.moved ? ' cal-moved' : ''}" data-post="${esc(p.id)}"${drag}><span class="cal-time">${esc(formatTime(when, ctx.tz, ctx.lang))}</span>
<a href="/app/posts/${esc(p.id)}">${esc(title)}</a>
<span class="cal-channel">${esc(accountOf(ctx, p))}</span> ${statusBadge(t, p.status)}
${movable(p) ? `<a class="cal-move" href="${esc(moveHref)}">${esc(t('post.reschedule'))}<span class="sr-only">: ${esc(title)}, ${esc(accountOf(ctx, p))} (${esc(approvedHint)})</span></a>` : ''}</li>`;
  };
  const dayBlock = (day: string, compact: boolean) => {
    const list = (byDay.get(day) ?? []).sort((a, b) => String(a.publishedAt ?? a.dueAt ?? a.publishAt).localeCompare(String(b.publishedAt ?? b.dueAt ?? b.publishAt)));
    return `<h3 class="cal-day-title">${esc(formatDay(day, ctx.lang, compact ? 'short' : 'long'))}</h3>${list.length ? `<ul class="cal-list">${list.map(item).join('')}</ul>` : compact ? '' : `<p class="empty">${esc(t('cal.empty'))}</p>`}`;
  };
  let grid: string;
  let heading: string;
  if (q.view === 'week') {
    heading = t('cal.weekOf', { from: formatDay(q.start, ctx.lang, 'short'), to: formatDay(addDays(q.start, 6), ctx.lang, 'short') });
    grid = `<div class="cal-week">${[0, 1, 2, 3, 4, 5, 6].map((i) => `<section class="cal-day" data-day="${addDays(q.start, i)}">${dayBlock(addDays(q.start, i), false)}</section>`).join('')}</div>`;
  } else {
    heading = formatMonth(q.start, ctx.lang);
    const days: string[] = [];
    for (let d = q.start; d < end; d = addDays(d, 1)) days.push(d);
    const lead = weekday(q.start) - 1;
    grid = `<div class="cal-month">${Array.from({ length: lead }, () => '<div class="cal-pad" aria-hidden="true"></div>').join('')}${days
      .map((d) => `<section class="cal-day${byDay.has(d) ? ' cal-has' : ' cal-none'}" data-day="${d}">${dayBlock(d, true)}</section>`)
      .join('')}</div>`;
  }
  const step = (dir: 1 | -1) => {
    if (q.view === 'week') return calLink(q, { date: addDays(q.start, 7 * dir) });
    const d = new Date(`${q.start}T12:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + dir);
    return calLink(q, { date: d.toISOString().slice(0, 10) });
  };
  const filters = `<form method="get" action="/app/calendar" class="form filters">
<div class="field"><label for="cal-view">${esc(t('cal.view'))}</label><select id="cal-view" name="view"><option value="week"${q.view === 'week' ? ' selected' : ''}>${esc(t('cal.week'))}</option><option value="month"${q.view === 'month' ? ' selected' : ''}>${esc(t('cal.month'))}</option></select></div>
<input type="hidden" name="date" value="${esc(q.start)}">
<div class="field"><label for="cal-channel">${esc(t('cal.channel'))}</label><select id="cal-channel" name="channelId"><option value="">${esc(t('common.all'))}</option>${ctx.channels.map((c) => `<option value="${esc(c.id)}"${q.channelId === c.id ? ' selected' : ''}>${esc(c.name)}</option>`).join('')}</select></div>
<div class="field"><label for="cal-status">${esc(t('cal.status'))}</label><select id="cal-status" name="status"><option value="">${esc(t('common.all'))}</option>${STATUSES.map((s) => `<option value="${s}"${q.status === s ? ' selected' : ''}>${esc(t(`status.${s}` as 'status.draft'))}</option>`).join('')}</select></div>
<div class="actions"><button type="submit" class="button">${esc(t('common.filter'))}</button></div></form>`;
  const feed = `<section class="panel" aria-labelledby="feed-title"><h2 id="feed-title">${esc(t('cal.feed'))}</h2><p class="hint">${esc(t('cal.feedHint'))}</p>
${feedUrl ? `<div class="field"><label for="feed-url">${esc(t('cal.feedUrl'))}</label><input id="feed-url" type="text" readonly value="${esc(feedUrl)}" data-select-all></div>` : actionButton('/app/calendar/feed', ctx.me.csrfToken, t('cal.feedCreate'))}</section>`;
  const body = `<h1>${esc(t('cal.title'))}</h1>
${panel}
${filters}
<nav class="cal-nav" aria-label="${esc(t('cal.title'))}"><a class="button" href="${esc(step(-1))}">← ${esc(t('cal.prev'))}</a> <a class="button" href="${esc(calLink(q, { date: localDay(new Date(), ctx.tz) }))}">${esc(t('cal.today'))}</a> <a class="button" href="${esc(step(1))}">${esc(t('cal.next'))} →</a></nav>
<h2 class="cal-heading">${esc(heading)}</h2>
<p class="meta">${esc(t('common.timezone', { tz: ctx.tz }))}${canMove ? ` · ${esc(t('cal.rescheduleHelp'))}` : ''}</p>
<p id="drop-status" class="sr-only" role="status" aria-live="polite" data-drop-text="${esc(t('cal.dropped'))}"></p>
${grid}
${feed}`;
  return ctx.render(t('cal.title'), body, { current: 'calendar' });
}

export function registerPostPages(router: Router) {
  router.get('/app/posts/:id', (ctx) => postPage(ctx, id(ctx)));
  router.post('/app/posts/:id/retry', async (ctx) => {
    const res = await ctx.api.call('POST', `/api/v1/posts/${id(ctx)}/retry`);
    if (res.error) return postPage(ctx, id(ctx), { general: res.error.message });
    return ctx.reply.redirect(`/app/posts/${id(ctx)}?msg=post.retried`, 303);
  });
  router.post('/app/posts/:id/resolve', async (ctx) => {
    const url = str(ctx.body, 'externalUrl').trim();
    const published = str(ctx.body, 'published') === 'yes';
    const res = await ctx.api.call('POST', `/api/v1/posts/${id(ctx)}/resolve`, { published, ...(published && url ? { externalUrl: url } : {}) });
    if (res.error) return postPage(ctx, id(ctx), { general: res.error.message });
    return ctx.reply.redirect(`/app/posts/${id(ctx)}?msg=post.resolved`, 303);
  });
  router.post('/app/posts/:id/reschedule', async (ctx) => {
    const value = str(ctx.body, 'publishAt');
    const when = localToUtc(value, ctx.tz);
    if (!when) return postPage(ctx, id(ctx), { general: ctx.t('field.invalidTime'), errors: { publishAt: ctx.t('field.invalidTime') }, value });
    const res = await ctx.api.call('PATCH', `/api/v1/posts/${id(ctx)}`, { publishAt: when.toISOString() });
    // The message of a refused time (e.g. outside the publication windows) belongs at the field.
    if (res.error) return postPage(ctx, id(ctx), { general: res.error.message, errors: { publishAt: res.error.message }, value, status: res.status });
    return ctx.reply.redirect(`/app/posts/${id(ctx)}?msg=post.rescheduled`, 303);
  });
  router.get('/app/posts/:id/edit', async (ctx) => {
    const p = await ctx.api.get<Post>(`/api/v1/posts/${id(ctx)}`);
    const title = ctx.t('post.edit');
    return ctx.render(title, `<h1>${esc(title)}: ${esc(channelLabel(ctx.t, p.channelType))}</h1>${editForm(ctx, p, { ...p.content })}`, { current: 'releases' });
  });
  router.post('/app/posts/:id/edit', async (ctx) => {
    const p = await ctx.api.get<Post>(`/api/v1/posts/${id(ctx)}`);
    const b = ctx.body;
    const content: PostContent = { ...p.content };
    if (p.content.title !== undefined) content.title = str(b, 'title');
    if (p.content.html !== undefined) content.html = str(b, 'html');
    if (p.content.text !== undefined) content.text = str(b, 'text').replace(/\r\n/g, '\n');
    const threadText = str(b, 'thread').replace(/\r\n/g, '\n');
    if (p.content.thread !== undefined) content.thread = threadText.split(/\n\s*---\s*\n/).map((s) => s.trim()).filter(Boolean);
    if (p.content.link !== undefined) content.link = str(b, 'link').trim() || undefined;
    const res = await ctx.api.call('PATCH', `/api/v1/posts/${p.id}`, { content });
    if (res.error) {
      const errors: FieldErrors = {};
      // This form has no time field: a refused time (publication windows) stays a general error.
      for (const d of res.error.code === 'OUTSIDE_PUBLICATION_WINDOW' ? [] : (res.error.details ?? [])) {
        const name = d.path.replace(/^content\./, '').split('.')[0]!;
        errors[name] ??= d.message;
      }
      ctx.reply.status(res.status);
      const title = ctx.t('post.edit');
      return ctx.render(title, `<h1>${esc(title)}: ${esc(channelLabel(ctx.t, p.channelType))}</h1>${editForm(ctx, p, { ...content, threadText }, { general: res.error.message, errors })}`, { current: 'releases' });
    }
    return ctx.reply.redirect(`/app/releases/${p.releaseId}?msg=post.saved`, 303);
  });

  router.get('/app/calendar', (ctx) => calendarPage(ctx));
  // Reschedule from the calendar: the same API call as the post page (PATCH /api/v1/posts/:id);
  // back in the calendar at the new date, with the post marked and the outcome said.
  router.post('/app/calendar/reschedule', async (ctx) => {
    const q = calQuery(ctx, ctx.body);
    const postId = str(ctx.body, 'postId');
    if (!/^[0-9a-f-]{36}$/i.test(postId)) return calendarPage(ctx, { q });
    const value = str(ctx.body, 'publishAt');
    const when = localToUtc(value, ctx.tz);
    const fail = (general: string, status?: number) => calendarPage(ctx, { q, move: { postId, value, general, errors: { publishAt: general }, status } });
    if (!when) return fail(ctx.t('field.invalidTime'));
    const before = await ctx.api.get<Post>(`/api/v1/posts/${postId}`);
    const release = await ctx.api.get<Release>(`/api/v1/releases/${before.releaseId}`);
    const res = await ctx.api.call('PATCH', `/api/v1/posts/${postId}`, { publishAt: when.toISOString() });
    if (res.error) return fail(res.error.message, res.status);
    const day = localDay(when, ctx.tz);
    const params = new URLSearchParams({ view: q.view, date: day, msg: isApproved(release) ? 'cal.movedVoided' : 'cal.moved', moved: postId });
    if (q.channelId) params.set('channelId', q.channelId);
    if (q.status) params.set('status', q.status);
    return ctx.reply.redirect(`/app/calendar?${params.toString()}#main`, 303);
  });
  router.post('/app/calendar/feed', async (ctx) => {
    const res = await ctx.api.must<{ token: string }>('POST', '/api/v1/tokens', { name: ctx.t('cal.feedTokenName') });
    const host = ctx.req.headers.host ?? 'localhost';
    const url = `${ctx.req.protocol}://${host}/api/v1/calendar.ics?token=${encodeURIComponent(res.token)}`;
    return calendarPage(ctx, { feedUrl: url });
  });
}
