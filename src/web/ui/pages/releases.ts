// Dashboard, releases list, release editor with live previews, release page with review/approval.
import type { Ctx } from '../context';
import { str, strs } from '../context';
import { actionButton, checkbox, csrfInput, errorSummary, esc, field, statusBadge, type FieldErrors } from '../html';
import { card, channelLabel, diffMarkup, postText, type MediaItem, type Post, type PostContent, type Release, type Warning } from '../render';
import { addDays, dayStart, formatDateTime, localDay, localToUtc, utcToLocalInput } from '../time';
import type { Router } from '../index';
import type { Revision } from '../../../services/revisions';
import { describeWindows, windowsFromPolicy } from '../../../domain/publication-window';

const MEDIA_ROWS = 2;

function accountOf(ctx: Ctx, channelId: string | undefined, type: string): string {
  const channel = ctx.channels.find((c) => c.id === channelId) ?? ctx.channels.find((c) => c.type === type);
  return channel?.name ?? ctx.me.org.name;
}

function releaseRow(ctx: Ctx, r: Release, action?: string): string {
  return `<li class="item"><a href="/app/releases/${esc(r.id)}">${esc(r.title)}</a> ${statusBadge(ctx.t, r.status)}
${r.crisis ? `<span class="badge badge-crisis">${esc(ctx.t('release.crisis'))}</span>` : ''}
<span class="meta">${esc(ctx.t('releases.updated'))}: ${esc(formatDateTime(r.updatedAt, ctx.tz, ctx.lang))}</span>${action ?? ''}</li>`;
}

function list(ctx: Ctx, items: string[]): string {
  return items.length ? `<ul class="list">${items.join('')}</ul>` : `<p class="empty">${esc(ctx.t('dash.nothing'))}</p>`;
}

function postRow(ctx: Ctx, p: Post, titles: Map<string, string>): string {
  const when = p.publishedAt ?? p.dueAt ?? p.publishAt;
  return `<li class="item"><a href="/app/posts/${esc(p.id)}">${esc(titles.get(p.releaseId) ?? p.content.title ?? '')} – ${esc(channelLabel(ctx.t, p.channelType))}</a>
${statusBadge(ctx.t, p.status)} <span class="meta">${esc(formatDateTime(when, ctx.tz, ctx.lang))}</span>${p.error ? `<span class="meta error-text">${esc(p.error.message)}</span>` : ''}${p.heldReason ? `<span class="meta">${esc(ctx.t('post.heldReason', { reason: p.heldReason }))}</span>` : ''}</li>`;
}

export function mayApprove(ctx: Ctx, r: Release): 'ok' | 'own' | 'role' {
  if (!ctx.is('approver')) return 'role';
  if (r.authorId === ctx.me.id || r.editorIds.includes(ctx.me.id)) return 'own';
  return 'ok';
}

async function dashboard(ctx: Ctx) {
  const { t, api } = ctx;
  const releases = await api.get<Release[]>('/api/v1/releases');
  const titles = new Map(releases.map((r) => [r.id, r.title]));
  const inReview = releases.filter((r) => r.status === 'in_review');
  const today = localDay(new Date(), ctx.tz);
  const from = dayStart(today, ctx.tz).toISOString();
  const to = new Date(dayStart(addDays(today, 1), ctx.tz).getTime() - 1).toISOString();
  const [todays, failed, unconfirmed, held] = await Promise.all([
    api.get<Post[]>(`/api/v1/posts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    api.get<Post[]>('/api/v1/posts?status=failed'),
    api.get<Post[]>('/api/v1/posts?status=unconfirmed'),
    api.get<Post[]>('/api/v1/posts?status=held'),
  ]);
  const sections: string[] = [];
  if (ctx.is('approver')) {
    const mine = inReview.filter((r) => mayApprove(ctx, r) === 'ok');
    const others = inReview.filter((r) => mayApprove(ctx, r) !== 'ok');
    sections.push(`<section aria-labelledby="s-await"><h2 id="s-await">${esc(t('dash.awaitingMe'))} <span class="count">(${mine.length})</span></h2>
${list(ctx, mine.map((r) => releaseRow(ctx, r, ` <a class="button button-small" href="/app/releases/${esc(r.id)}#review">${esc(t('review.open'))}<span class="sr-only">: ${esc(r.title)}</span></a>`)))}</section>`);
    if (others.length) sections.push(`<section aria-labelledby="s-others"><h2 id="s-others">${esc(t('dash.awaitingOthers'))}</h2>${list(ctx, others.map((r) => releaseRow(ctx, r)))}</section>`);
  } else {
    sections.push(`<section aria-labelledby="s-others"><h2 id="s-others">${esc(t('dash.awaitingOthers'))}</h2>${list(ctx, inReview.map((r) => releaseRow(ctx, r)))}</section>`);
  }
  if (ctx.is('editor') || ctx.is('approver')) {
    const drafts = releases.filter((r) => r.status === 'draft');
    sections.push(`<section aria-labelledby="s-drafts"><h2 id="s-drafts">${esc(t('dash.myDrafts'))}</h2>${list(ctx, drafts.map((r) => releaseRow(ctx, r)))}</section>`);
  }
  sections.push(`<section aria-labelledby="s-today"><h2 id="s-today">${esc(t('dash.today'))}</h2>${list(ctx, todays.filter((p) => p.status !== 'cancelled').map((p) => postRow(ctx, p, titles)))}</section>`);
  const attention = [...failed, ...unconfirmed, ...held];
  sections.push(`<section aria-labelledby="s-att"><h2 id="s-att">${esc(t('dash.attention'))} <span class="count">(${attention.length})</span></h2><p class="hint">${esc(t('dash.attentionHint'))}</p>${list(ctx, attention.map((p) => postRow(ctx, p, titles)))}</section>`);
  return ctx.render(t('dash.title'), `<h1>${esc(t('dash.title'))}</h1><div class="grid">${sections.join('\n')}</div>`, { current: 'dashboard' });
}

async function releasesList(ctx: Ctx) {
  const releases = await ctx.api.get<Release[]>('/api/v1/releases');
  const body = `<h1>${esc(ctx.t('releases.title'))}</h1>
${ctx.is('editor') || ctx.is('approver') ? `<p><a class="button button-primary" href="/app/releases/new">${esc(ctx.t('releases.new'))}</a></p>` : ''}
${list(ctx, releases.map((r) => releaseRow(ctx, r)))}`;
  return ctx.render(ctx.t('releases.title'), body, { current: 'releases' });
}

// ---- editor ----

interface EditorValues {
  title: string;
  subtitle: string;
  dateline: string;
  body: string;
  embargoUntil: string;
  publishAt: string;
  channelIds: string[];
  crisis: boolean;
  media: { url: string; alt: string }[];
  regenerate?: boolean;
}

function valuesFromRelease(ctx: Ctx, r: Release): EditorValues {
  const media = r.posts?.find((p) => p.content.media?.length)?.content.media ?? [];
  return {
    title: r.title,
    subtitle: r.subtitle ?? '',
    dateline: r.dateline ?? '',
    body: r.body ?? '',
    embargoUntil: utcToLocalInput(r.embargoUntil, ctx.tz),
    publishAt: utcToLocalInput(r.publishAt, ctx.tz),
    channelIds: (r.posts ?? []).map((p) => p.channelId),
    crisis: r.crisis,
    media: media.map((m) => ({ url: m.url, alt: m.alt })),
  };
}

function valuesFromBody(ctx: Ctx): EditorValues {
  const b = ctx.body;
  const media: { url: string; alt: string }[] = [];
  for (let i = 0; i < 4; i += 1) {
    if (b[`mediaUrl${i}`] === undefined && b[`mediaAlt${i}`] === undefined) continue;
    media.push({ url: str(b, `mediaUrl${i}`).trim(), alt: str(b, `mediaAlt${i}`).trim() });
  }
  return {
    title: str(b, 'title').trim(),
    subtitle: str(b, 'subtitle').trim(),
    dateline: str(b, 'dateline').trim(),
    body: str(b, 'body').replace(/\r\n/g, '\n'),
    embargoUntil: str(b, 'embargoUntil'),
    publishAt: str(b, 'publishAt'),
    channelIds: strs(b, 'channelIds'),
    crisis: str(b, 'crisis') === 'on',
    media,
    regenerate: str(b, 'regenerate') === 'on',
  };
}

/** Checks what the form can check and builds the API body; errors are keyed by form field name. */
function toApi(ctx: Ctx, v: EditorValues): { body?: Record<string, unknown>; errors: FieldErrors; mediaRows: number[] } {
  const { t } = ctx;
  const errors: FieldErrors = {};
  if (!v.title) errors.title = t('field.missing', { label: t('editor.fieldTitle') });
  if (!v.body.trim()) errors.body = t('field.missing', { label: t('editor.fieldBody') });
  if (!v.channelIds.length) errors.channelIds = t('editor.channelsMissing');
  const times: Record<string, Date | null> = {};
  for (const name of ['embargoUntil', 'publishAt'] as const) {
    times[name] = null;
    if (v[name]) {
      times[name] = localToUtc(v[name], ctx.tz);
      if (!times[name]) errors[name] = t('field.invalidTime');
    }
  }
  const media: MediaItem[] = [];
  const mediaRows: number[] = [];
  v.media.forEach((m, i) => {
    if (!m.url && !m.alt) return;
    if (!m.alt) errors[`mediaAlt${i}`] = t('editor.altMissing');
    if (!m.url) errors[`mediaUrl${i}`] = t('editor.urlMissing');
    media.push(m);
    mediaRows.push(i);
  });
  if (Object.keys(errors).length) return { errors, mediaRows };
  return {
    errors,
    mediaRows,
    body: {
      title: v.title,
      body: v.body,
      subtitle: v.subtitle || null,
      dateline: v.dateline || null,
      embargoUntil: times.embargoUntil ? times.embargoUntil.toISOString() : null,
      publishAt: times.publishAt ? times.publishAt.toISOString() : null,
      channelIds: v.channelIds,
      crisis: v.crisis,
      media,
    },
  };
}

/** The organisation's publication windows for the hint at the time fields; empty when none are set. */
async function windowsText(ctx: Ctx): Promise<string> {
  const org = await ctx.api.get<{ policy?: unknown }>('/api/v1/org');
  const windows = windowsFromPolicy(org.policy);
  return windows.length ? ctx.t('editor.windows', { windows: describeWindows(windows, ctx.lang) }) : '';
}

/**
 * A time outside the publication windows is shown at its field with the API's message (it names
 * the time and the next window); a post's own time has no field here and stays a general error.
 */
function windowErrors(error: { code: string; message: string; details?: { path: string }[] }): FieldErrors | null {
  if (error.code !== 'OUTSIDE_PUBLICATION_WINDOW') return null;
  const fields = (error.details ?? []).map((d) => d.path).filter((path) => path === 'publishAt' || path === 'embargoUntil');
  return fields.length ? Object.fromEntries(fields.map((path) => [path, error.message])) : null;
}

/** API error details (e.g. "media.0.alt") onto the form's field names. */
function detailsToFields(details: { path: string; message: string }[] | undefined, mediaRows: number[]): FieldErrors {
  const out: FieldErrors = {};
  for (const d of details ?? []) {
    const m = /^media\.(\d+)\.(url|alt)/.exec(d.path);
    const name = m ? `media${m[2] === 'url' ? 'Url' : 'Alt'}${mediaRows[Number(m[1])] ?? 0}` : d.path.split('.')[0]!;
    out[name] ??= d.message;
  }
  return out;
}

function editorForm(ctx: Ctx, v: EditorValues, opts: { action: string; edit: boolean; general?: string; errors?: FieldErrors; previews?: string; windows?: string }) {
  const { t } = ctx;
  const errors = opts.errors ?? {};
  const tzHint = t('common.timezone', { tz: ctx.tz });
  const enabled = ctx.channels.filter((c) => c.enabled || v.channelIds.includes(c.id));
  const chErr = errors.channelIds;
  const channelBoxes = enabled
    .map((c, i) =>
      checkbox({
        id: i === 0 ? 'channels-first' : `ch-${c.id}`,
        name: 'channelIds',
        value: c.id,
        label: `${c.name} (${channelLabel(t, c.type)})`,
        checked: v.channelIds.includes(c.id),
        attrs: `data-type="${esc(c.type)}" data-account="${esc(c.name)}"${chErr ? ' aria-describedby="channels-error"' : ''}`,
        extra: c.status === 'needs_reauth' ? ` <strong class="badge badge-needs_reauth">${esc(t('status.needs_reauth'))}</strong>` : '',
      }),
    )
    .join('');
  const rows = Math.max(MEDIA_ROWS, v.media.length + 1);
  const mediaRows: string[] = [];
  for (let i = 0; i < Math.min(rows, 4); i += 1) {
    const m = v.media[i] ?? { url: '', alt: '' };
    mediaRows.push(`<div class="media-row">
${field({ t, name: `mediaUrl${i}`, label: t('editor.imageUrl', { n: i + 1 }), type: 'url', value: m.url, errors, attrs: 'data-media-url inputmode="url"' })}
${field({ t, name: `mediaAlt${i}`, label: t('editor.imageAlt', { n: i + 1 }), value: m.alt, errors, attrs: 'data-media-alt' })}
</div>`);
  }
  return `${errorSummary(t, opts.general, errors, { channelIds: 'channels-first' })}
<form method="post" action="${esc(opts.action)}" class="form editor" id="release-form" data-progress novalidate>
${csrfInput(ctx.me.csrfToken)}
<div class="editor-columns">
<div class="editor-main">
<fieldset><legend>${esc(t('editor.content'))}</legend>
${field({ t, name: 'title', label: t('editor.fieldTitle'), value: v.title, required: true, errors })}
${field({ t, name: 'subtitle', label: t('editor.fieldSubtitle'), value: v.subtitle, errors })}
${field({ t, name: 'dateline', label: t('editor.fieldDateline'), value: v.dateline, hint: t('editor.fieldDatelineHint'), errors })}
${field({ t, name: 'body', label: t('editor.fieldBody'), type: 'textarea', rows: 16, value: v.body, required: true, hint: t('editor.fieldBodyHint'), errors, attrs: 'data-paste-markdown' })}
</fieldset>
<fieldset><legend>${esc(t('editor.timing'))}</legend>
${field({ t, name: 'embargoUntil', label: t('editor.fieldEmbargo'), type: 'datetime-local', value: v.embargoUntil, hint: t('editor.fieldEmbargoHint', { tz: tzHint }), errors })}
${field({ t, name: 'publishAt', label: t('editor.fieldPublishAt'), type: 'datetime-local', value: v.publishAt, hint: [t('editor.fieldPublishAtHint', { tz: tzHint }), opts.windows].filter(Boolean).join(' '), errors })}
${checkbox({ id: 'f-crisis', name: 'crisis', value: 'on', label: t('editor.crisis'), checked: v.crisis })}
</fieldset>
<fieldset class="${chErr ? 'field-error' : ''}"><legend>${esc(t('editor.channels'))} <span class="req">(${esc(t('field.required'))})</span></legend>
${chErr ? `<p class="error-text" id="channels-error">${esc(chErr)}</p>` : ''}
${channelBoxes}
</fieldset>
<fieldset><legend>${esc(t('editor.images'))}</legend><p class="hint">${esc(t('editor.imagesHint'))}</p>${mediaRows.join('')}</fieldset>
${opts.edit ? checkbox({ id: 'f-regenerate', name: 'regenerate', value: 'on', label: t('editor.regenerate'), checked: v.regenerate }) : ''}
<div class="actions">
<button type="submit" name="intent" value="save" class="button button-primary">${esc(t('editor.save'))}</button>
<button type="submit" name="intent" value="preview" class="button" data-preview-button>${esc(t('editor.previewButton'))}</button>
</div>
</div>
<section class="editor-previews" aria-labelledby="previews-title">
<h2 id="previews-title">${esc(t('editor.previews'))}</h2>
<p class="hint">${esc(t('editor.previewHint'))}</p>
<p class="preview-status" id="preview-status" role="status" aria-live="polite" data-loading="${esc(t('editor.previewLoading'))}" data-ready="${esc(t('editor.previewReady'))}"></p>
<div id="previews" data-preview-url="/app/preview">${opts.previews ?? `<p class="empty">${esc(t('editor.previewEmpty'))}</p>`}</div>
</section>
</div>
</form>`;
}

async function renderPreviews(ctx: Ctx, input: { title: string; body: string; subtitle?: string | null; dateline?: string | null; channelIds: string[]; media?: MediaItem[] }): Promise<string> {
  const chosen = ctx.channels.filter((c) => input.channelIds.includes(c.id));
  if (!input.title || !input.body.trim() || !chosen.length) return `<p class="empty">${esc(ctx.t('editor.previewEmpty'))}</p>`;
  const channelTypes = [...new Set(chosen.map((c) => c.type))];
  const res = await ctx.api.call<{ posts: { channelType: string; content: PostContent; length: number; warnings: Warning[] }[] }>('POST', '/api/v1/preview', {
    title: input.title,
    body: input.body,
    subtitle: input.subtitle || null,
    dateline: input.dateline || null,
    channelTypes,
    media: (input.media ?? []).filter((m) => /^https:\/\//.test(m.url) && m.alt),
  });
  if (res.error) return `<p class="error-text">${esc(res.error.message)}</p>`;
  return `<div class="cards">${res.data.posts.map((p) => card(ctx.t, p, accountOf(ctx, undefined, p.channelType))).join('')}</div>`;
}

async function saveRelease(ctx: Ctx, existing?: Release) {
  const v = valuesFromBody(ctx);
  const action = existing ? `/app/releases/${existing.id}/edit` : '/app/releases';
  const title = existing ? ctx.t('editor.titleEdit') : ctx.t('editor.titleNew');
  const windows = await windowsText(ctx);
  const show = (status: number, general: string | undefined, errors: FieldErrors, previews?: string) => {
    ctx.reply.status(status);
    return ctx.render(title, `<h1>${esc(title)}</h1>${editorForm(ctx, v, { action, edit: Boolean(existing), general, errors, previews, windows })}`, { current: existing ? 'releases' : 'new' });
  };
  if (str(ctx.body, 'intent') === 'preview') {
    const previews = await renderPreviews(ctx, { ...v, media: v.media });
    return show(200, undefined, {}, previews);
  }
  const { body, errors, mediaRows } = toApi(ctx, v);
  if (!body) return show(400, undefined, errors);
  const res = existing
    ? await ctx.api.call<Release>('PATCH', `/api/v1/releases/${existing.id}`, { ...body, ...(v.regenerate ? { regenerate: true } : {}) })
    : await ctx.api.call<Release>('POST', '/api/v1/releases', body);
  if (res.error) {
    const atField = windowErrors(res.error);
    return atField ? show(res.status, undefined, atField) : show(res.status, res.error.message, detailsToFields(res.error.details, mediaRows));
  }
  return ctx.reply.redirect(`/app/releases/${res.data.id}?msg=editor.saved`, 303);
}

// ---- release page and review ----

/** The revision before the current one, from the API's revision history. */
async function previousSnapshot(ctx: Ctx, r: Release): Promise<{ revision: number; snapshot: Revision } | null> {
  if (r.revision <= 1) return null;
  const history = await ctx.api.get<Revision[]>(`/api/v1/releases/${r.id}/revisions?since=${r.revision - 1}`);
  const prev = history.filter((s) => s.revision < r.revision).at(-1);
  return prev ? { revision: prev.revision, snapshot: prev } : null;
}

function changesSection(ctx: Ctx, r: Release, prev: { revision: number; snapshot: Revision } | null): string {
  const { t } = ctx;
  const posts = r.posts ?? [];
  if (!prev) {
    return `<section aria-labelledby="changes-title" class="changes"><h3 id="changes-title">${esc(t('review.changes'))}</h3>
<p>${esc(t('review.firstRevision'))}</p></section>`;
  }
  const s = prev.snapshot;
  const parts: string[] = [];
  const block = (label: string, before: string, after: string) => {
    const d = diffMarkup(t, before, after);
    parts.push(`<div class="diff-part"><h4>${esc(label)}</h4>${d ? `<div class="diff">${d}</div>` : `<p class="meta">${esc(t('review.noChanges'))}</p>`}</div>`);
  };
  block(t('review.fieldTitle'), [s.title, s.subtitle, s.dateline].filter(Boolean).join('\n\n'), [r.title, r.subtitle, r.dateline].filter(Boolean).join('\n\n'));
  block(t('review.fieldBody'), s.body, r.body ?? '');
  block(
    t('review.fieldTimes'),
    `${t('editor.fieldEmbargo')}: ${formatDateTime(s.embargoUntil, ctx.tz, ctx.lang)}\n\n${t('editor.fieldPublishAt')}: ${s.publishAt ? formatDateTime(s.publishAt, ctx.tz, ctx.lang) : t('common.asap')}`,
    `${t('editor.fieldEmbargo')}: ${formatDateTime(r.embargoUntil, ctx.tz, ctx.lang)}\n\n${t('editor.fieldPublishAt')}: ${r.publishAt ? formatDateTime(r.publishAt, ctx.tz, ctx.lang) : t('common.asap')}`,
  );
  for (const p of posts) {
    const before = s.posts.find((x) => x.id === p.id);
    const name = `${t('post.title', { channel: channelLabel(t, p.channelType) })}`;
    block(name, before ? postText(before.content as PostContent) + (before.publishAt ? `\n\n${formatDateTime(before.publishAt, ctx.tz, ctx.lang)}` : '') : '', postText(p.content) + (p.publishAt ? `\n\n${formatDateTime(p.publishAt, ctx.tz, ctx.lang)}` : ''));
  }
  return `<section aria-labelledby="changes-title" class="changes"><h3 id="changes-title">${esc(t('review.changes'))}</h3>
<p class="meta">${esc(t('review.comparing', { from: prev.revision, to: r.revision }))}</p>${parts.join('\n')}</section>`;
}

async function releasePage(ctx: Ctx, id: string, problem?: { general: string; errors?: FieldErrors; comment?: string; status?: number; accountLink?: boolean }) {
  const { t } = ctx;
  const r = await ctx.api.get<Release>(`/api/v1/releases/${id}`);
  const posts = r.posts ?? [];
  const csrf = ctx.me.csrfToken;
  const editable = ['draft', 'in_review', 'scheduled'].includes(r.status) && (ctx.is('editor') || ctx.is('approver'));
  const actions: string[] = [];
  if (editable) actions.push(`<a class="button" href="/app/releases/${esc(r.id)}/edit">${esc(t('common.edit'))}</a>`);
  if (r.status === 'draft' && (ctx.is('editor') || ctx.is('approver'))) actions.push(actionButton(`/app/releases/${r.id}/submit`, csrf, t('release.submit'), { cls: 'button button-primary' }));
  if (['draft', 'in_review', 'scheduled'].includes(r.status) && (ctx.is('editor') || ctx.is('approver'))) {
    actions.push(actionButton(`/app/releases/${r.id}/cancel`, csrf, t('release.cancel'), { cls: 'button button-danger' }));
  }
  let review = '';
  if (r.status === 'in_review') {
    const prev = await previousSnapshot(ctx, r);
    const allowed = mayApprove(ctx, r);
    const errors = problem?.errors ?? {};
    const decision =
      allowed === 'ok'
        ? `<div class="decision">
<form method="post" action="/app/releases/${esc(r.id)}/approve" class="inline-form" data-progress>${csrfInput(csrf)}<input type="hidden" name="revision" value="${r.revision}">
<button type="submit" class="button button-primary">${esc(t('review.approve', { revision: r.revision }))}</button></form>
<form method="post" action="/app/releases/${esc(r.id)}/reject" class="form reject-form" data-progress novalidate>${csrfInput(csrf)}
${field({ t, name: 'comment', label: t('review.comment'), type: 'textarea', rows: 3, required: true, errors, value: problem?.comment })}
<button type="submit" class="button button-danger">${esc(t('review.reject'))}</button></form></div>`
        : `<p class="notice" id="approve-blocked"><strong>${esc(allowed === 'own' ? t('review.notAllowedOwn') : t('review.notApprover'))}</strong></p>`;
    review = `<section id="review" aria-labelledby="review-title" class="panel review"><h2 id="review-title">${esc(t('review.title'))}</h2>
${changesSection(ctx, r, prev)}
${decision}</section>`;
  }
  const channelName = (p: Post) => accountOf(ctx, p.channelId, p.channelType);
  const postCards = posts
    .map((p) => {
      const extra = `<p class="card-actions">${statusBadge(t, p.status)}${p.edited ? ` <span class="meta">(${esc(t('release.edited'))})</span>` : ''}
<a href="/app/posts/${esc(p.id)}">${esc(t('post.open'))}<span class="sr-only">: ${esc(channelName(p))}</span></a>
${editable && ['draft', 'scheduled', 'held'].includes(p.status) ? ` <a href="/app/posts/${esc(p.id)}/edit">${esc(t('release.editPost'))}<span class="sr-only">: ${esc(channelName(p))}</span></a>` : ''}</p>`;
      return card(t, p, channelName(p), extra);
    })
    .join('');
  const meta = `<dl class="meta-list">
<dt>${esc(t('releases.status'))}</dt><dd>${statusBadge(t, r.status)}${r.crisis ? ` <span class="badge badge-crisis">${esc(t('release.crisis'))}</span>` : ''}</dd>
<dt>${esc(t('release.revision'))}</dt><dd>${r.revision}</dd>
${r.subtitle ? `<dt>${esc(t('editor.fieldSubtitle'))}</dt><dd>${esc(r.subtitle)}</dd>` : ''}
${r.dateline ? `<dt>${esc(t('editor.fieldDateline'))}</dt><dd>${esc(r.dateline)}</dd>` : ''}
<dt>${esc(t('editor.fieldEmbargo'))}</dt><dd>${esc(formatDateTime(r.embargoUntil, ctx.tz, ctx.lang))}</dd>
<dt>${esc(t('editor.fieldPublishAt'))}</dt><dd>${esc(r.publishAt ? formatDateTime(r.publishAt, ctx.tz, ctx.lang) : t('common.asap'))} <span class="meta">(${esc(t('common.timezone', { tz: ctx.tz }))})</span></dd>
</dl>`;
  const body = `<h1>${esc(r.title)}</h1>
${problem ? errorSummary(t, problem.general, problem.errors ?? {}, {}, problem.accountLink ? `<p><a href="/app/me">${esc(t('review.accountControlLink'))}</a></p>` : '') : ''}
${r.rejection && r.status === 'draft' ? `<p class="notice">${esc(t('release.rejected', { comment: r.rejection.comment }))}</p>` : ''}
${meta}
${actions.length ? `<div class="actions">${actions.join(' ')}</div>` : ''}
${review}
<section aria-labelledby="posts-title"><h2 id="posts-title">${esc(t('release.posts'))}</h2><div class="cards">${postCards}</div></section>`;
  if (problem) ctx.reply.status(problem.status ?? (problem.errors && Object.keys(problem.errors).length ? 400 : 409));
  return ctx.render(r.title, body, { current: 'releases' });
}

async function approvals(ctx: Ctx) {
  const { t } = ctx;
  const releases = await ctx.api.get<Release[]>('/api/v1/releases?status=in_review');
  const items = releases.map((r) => {
    const allowed = mayApprove(ctx, r);
    return releaseRow(
      ctx,
      r,
      allowed === 'ok'
        ? ` <a class="button button-small" href="/app/releases/${esc(r.id)}#review">${esc(t('review.open'))}<span class="sr-only">: ${esc(r.title)}</span></a>`
        : ` <span class="meta">${esc(allowed === 'own' ? t('review.notAllowedOwn') : t('review.notApprover'))}</span>`,
    );
  });
  return ctx.render(t('review.inbox'), `<h1>${esc(t('review.inbox'))}</h1><p>${esc(t('review.inboxIntro'))}</p>${list(ctx, items)}`, { current: 'approvals' });
}

export function registerReleasePages(router: Router) {
  router.get('/app/', dashboard);
  router.get('/app/releases', releasesList);
  router.get('/app/approvals', approvals);
  router.get('/app/releases/new', async (ctx) => {
    const title = ctx.t('editor.titleNew');
    const v: EditorValues = { title: '', subtitle: '', dateline: '', body: '', embargoUntil: '', publishAt: '', channelIds: ctx.channels.filter((c) => c.enabled && c.status !== 'needs_reauth').map((c) => c.id), crisis: false, media: [] };
    return ctx.render(title, `<h1>${esc(title)}</h1>${editorForm(ctx, v, { action: '/app/releases', edit: false, windows: await windowsText(ctx) })}`, { current: 'new' });
  });
  router.post('/app/releases', (ctx) => saveRelease(ctx));
  router.get('/app/releases/:id/edit', async (ctx) => {
    const id = (ctx.req.params as { id: string }).id;
    const r = await ctx.api.get<Release>(`/api/v1/releases/${id}`);
    const title = ctx.t('editor.titleEdit');
    const v = valuesFromRelease(ctx, r);
    const previews = `<div class="cards">${(r.posts ?? []).map((p) => card(ctx.t, p, accountOf(ctx, p.channelId, p.channelType))).join('')}</div>`;
    return ctx.render(title, `<h1>${esc(title)}</h1>${editorForm(ctx, v, { action: `/app/releases/${r.id}/edit`, edit: true, previews, windows: await windowsText(ctx) })}`, { current: 'releases' });
  });
  router.post('/app/releases/:id/edit', async (ctx) => {
    const id = (ctx.req.params as { id: string }).id;
    const r = await ctx.api.get<Release>(`/api/v1/releases/${id}`);
    return saveRelease(ctx, r);
  });
  router.get('/app/releases/:id', (ctx) => releasePage(ctx, (ctx.req.params as { id: string }).id));

  const act = (name: 'submit' | 'cancel' | 'approve' | 'reject', done: string) =>
    router.post(`/app/releases/:id/${name}`, async (ctx) => {
      const id = (ctx.req.params as { id: string }).id;
      let body: unknown;
      if (name === 'approve') body = { revision: Number(str(ctx.body, 'revision')) };
      if (name === 'reject') {
        const comment = str(ctx.body, 'comment').trim();
        if (!comment) return releasePage(ctx, id, { general: ctx.t('field.missing', { label: ctx.t('review.comment') }), errors: { comment: ctx.t('field.missing', { label: ctx.t('review.comment') }) } });
        body = { comment };
      }
      const res = await ctx.api.call('POST', `/api/v1/releases/${id}/${name}`, body);
      // A refused submission or approval (422: guidelines, publication windows) keeps its status.
      // FOUR_EYES_ACCOUNT_CONTROL asks the approver to set their own password: link to where that is done.
      if (res.error) return releasePage(ctx, id, { general: res.error.message, comment: str(ctx.body, 'comment'), ...(res.status === 422 ? { status: 422 } : {}), accountLink: res.error.code === 'FOUR_EYES_ACCOUNT_CONTROL' });
      return ctx.reply.redirect(`/app/releases/${id}?msg=${done}`, 303);
    });
  act('submit', 'release.submitted');
  act('cancel', 'release.cancelled');
  act('approve', 'review.approved');
  act('reject', 'review.rejectedDone');

  // Live preview for app.js: JSON in, the same cards as HTML out.
  router.post('/app/preview', async (ctx) => {
    const b = ctx.req.body as { title?: string; subtitle?: string; dateline?: string; body?: string; channelIds?: string[]; media?: MediaItem[] } | undefined;
    const html = await renderPreviews(ctx, {
      title: String(b?.title ?? '').trim(),
      body: String(b?.body ?? ''),
      subtitle: b?.subtitle ? String(b.subtitle) : null,
      dateline: b?.dateline ? String(b.dateline) : null,
      channelIds: Array.isArray(b?.channelIds) ? b.channelIds.map(String) : [],
      media: Array.isArray(b?.media) ? b.media.map((m) => ({ url: String(m.url ?? ''), alt: String(m.alt ?? '') })) : [],
    });
    return ctx.reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
}
