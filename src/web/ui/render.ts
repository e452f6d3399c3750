// Shared pieces: API shapes, channel cards that look like each network's own, and a readable diff.
import { esc } from './html';
import type { MessageKey, T } from './i18n';

export interface Warning {
  code: string;
  message: string;
  severity?: 'warning' | 'error';
}

export interface MediaItem {
  url: string;
  alt: string;
}

export interface PostContent {
  text?: string;
  thread?: string[];
  title?: string;
  html?: string;
  link?: string;
  media?: MediaItem[];
}

export interface Post {
  id: string;
  releaseId: string;
  channelId: string;
  channelType: string;
  publishAt: string | null;
  dueAt: string | null;
  content: PostContent;
  length: number;
  warnings: Warning[];
  edited: boolean;
  status: string;
  heldReason?: string;
  revision: number;
  externalUrl?: string;
  publishedAt?: string;
  error?: { code: string; message: string };
}

export interface PostDetail extends Post {
  history: { number: number; startedAt: string; finishedAt: string | null; outcome: string; error?: { code: string; message: string } }[];
}

export interface Release {
  id: string;
  status: string;
  revision: number;
  slug: string;
  title: string;
  subtitle: string | null;
  dateline: string | null;
  body?: string;
  language: string;
  embargoUntil: string | null;
  publishAt: string | null;
  crisis: boolean;
  authorId: string;
  editorIds: string[];
  approvedBy?: string;
  rejection?: { by: string; comment: string };
  createdAt: string;
  updatedAt: string;
  posts?: Post[];
}

export const LIMITS: Record<string, number | undefined> = { twitter: 280, facebook: 63206, mastodon: 500, bluesky: 300 };

export function channelLabel(t: T, type: string): string {
  const key = `channel.${type}` as MessageKey;
  try {
    return t(key);
  } catch {
    return type;
  }
}

/** Article HTML as plain paragraphs: a preview never renders stored markup. */
export function htmlToParagraphs(html: string): string[] {
  return html
    .replace(/<\/(p|h[1-6]|li|blockquote|div)>|<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .split(/\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function textBlock(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function mediaBlock(t: T, media: MediaItem[] | undefined): string {
  if (!media?.length) return '';
  // Images are not loaded from the internet: the card shows where the image goes and its alt text.
  return `<ul class="card-media">${media.map((m) => `<li class="card-image"><span class="card-image-label">${esc(t('editor.images'))}:</span> ${esc(m.alt || '—')}</li>`).join('')}</ul>`;
}

function linkBlock(link: string | undefined): string {
  if (!link) return '';
  let host = link;
  try {
    host = new URL(link).host;
  } catch {
    /* shown as given */
  }
  return `<div class="card-link"><span class="card-link-host">${esc(host)}</span><span class="card-link-url">${esc(link)}</span></div>`;
}

export function lengthCounter(t: T, type: string, length: number | null | undefined, fallback = 0): string {
  if (typeof length !== 'number') length = fallback;
  const limit = LIMITS[type];
  if (!limit) return `<p class="counter">${esc(t('post.lengthNoLimit', { length }))}</p>`;
  const over = length > limit;
  return `<p class="counter${over ? ' counter-over' : ''}">${esc(t('post.length', { length, limit }))}</p>`;
}

export function warningsBlock(t: T, warnings: Warning[]): string {
  if (!warnings?.length) return '';
  return `<div class="warnings"><p class="warnings-title">${esc(t('post.warnings'))}</p><ul>${warnings
    .map((w) => `<li class="warning warning-${esc(w.severity ?? 'warning')}">${w.severity === 'error' ? '⛔ ' : '⚠ '}${esc(w.message)}</li>`)
    .join('')}</ul></div>`;
}

/** A post as the network shows it, with length counter and warnings. */
export function card(t: T, p: { channelType: string; content: PostContent; length: number | null; warnings: Warning[] }, account: string, extra = ''): string {
  const type = p.channelType;
  const c = p.content ?? {};
  let inner: string;
  if (type === 'blog' || type === 'wordpress') {
    const paras = htmlToParagraphs(c.html ?? '');
    inner = `<p class="card-article-title">${esc(c.title ?? '')}</p>${paras.map((s) => `<p>${esc(s)}</p>`).join('')}${mediaBlock(t, c.media)}`;
  } else if (c.thread?.length) {
    inner = `<ol class="thread">${c.thread
      .map((part, i) => `<li class="thread-part"><span class="sr-only">${esc(t('post.threadPart', { n: i + 1 }))}: </span>${textBlock(part)}</li>`)
      .join('')}</ol>${mediaBlock(t, c.media)}${linkBlock(c.link)}`;
  } else {
    inner = `${textBlock(c.text ?? '')}${mediaBlock(t, c.media)}${linkBlock(c.link)}`;
  }
  return `<article class="card card-${esc(type)}" aria-label="${esc(channelLabel(t, type))}">
<div class="card-head"><span class="card-network">${esc(channelLabel(t, type))}</span> <span class="card-account">${esc(account)}</span></div>
<div class="card-body">${inner}</div>
<div class="card-foot">${lengthCounter(t, type, p.length, postText(c).length)}${warningsBlock(t, p.warnings)}${extra}</div>
</article>`;
}

/** Text of a post for diffing and reading. */
export function postText(c: PostContent | undefined): string {
  if (!c) return '';
  const parts: string[] = [];
  if (c.title) parts.push(c.title);
  if (c.html) parts.push(htmlToParagraphs(c.html).join('\n\n'));
  if (c.text) parts.push(c.text);
  if (c.thread) parts.push(c.thread.map((s, i) => `(${i + 1}) ${s}`).join('\n\n'));
  if (c.link) parts.push(c.link);
  for (const m of c.media ?? []) parts.push(`[${m.alt}] ${m.url}`);
  return parts.join('\n\n');
}

// ---- diff ----

type Op = { op: 'eq' | 'del' | 'ins'; value: string };

function lcsDiff(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 2_000_000) return [...a.map((value) => ({ op: 'del' as const, value })), ...b.map((value) => ({ op: 'ins' as const, value }))];
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'eq', value: a[i]! });
      i += 1;
      j += 1;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) {
      out.push({ op: 'del', value: a[i]! });
      i += 1;
    } else {
      out.push({ op: 'ins', value: b[j]! });
      j += 1;
    }
  }
  while (i < n) out.push({ op: 'del', value: a[i++]! });
  while (j < m) out.push({ op: 'ins', value: b[j++]! });
  return out;
}

function wordsMarkup(t: T, before: string, after: string): string {
  const ops = lcsDiff(before.split(/(\s+)/), after.split(/(\s+)/));
  return ops
    .map((o) =>
      o.op === 'eq'
        ? esc(o.value)
        : o.value.trim() === ''
          ? o.op === 'ins'
            ? esc(o.value)
            : ''
          : o.op === 'ins'
            ? `<ins><span class="sr-only">[${esc(t('review.added'))}: </span>${esc(o.value)}<span class="sr-only">]</span></ins>`
            : `<del><span class="sr-only">[${esc(t('review.removed'))}: </span>${esc(o.value)}<span class="sr-only">]</span></del>`,
    )
    .join('');
}

/** Paragraph-level diff, refined to words where a paragraph was changed. Null when equal. */
export function diffMarkup(t: T, before: string, after: string): string | null {
  if (before === after) return null;
  const ops = lcsDiff(before.split(/\n{2,}/), after.split(/\n{2,}/));
  const out: string[] = [];
  for (let k = 0; k < ops.length; k += 1) {
    const o = ops[k]!;
    const next = ops[k + 1];
    if (o.op === 'del' && next?.op === 'ins') {
      out.push(`<p class="diff-changed">${wordsMarkup(t, o.value, next.value)}</p>`);
      k += 1;
    } else if (o.op === 'eq') {
      out.push(`<p class="diff-eq">${esc(o.value)}</p>`);
    } else if (o.op === 'ins') {
      out.push(`<p class="diff-ins"><ins><span class="sr-only">[${esc(t('review.added'))}: </span>${esc(o.value)}<span class="sr-only">]</span></ins></p>`);
    } else {
      out.push(`<p class="diff-del"><del><span class="sr-only">[${esc(t('review.removed'))}: </span>${esc(o.value)}<span class="sr-only">]</span></del></p>`);
    }
  }
  return out.join('\n');
}
