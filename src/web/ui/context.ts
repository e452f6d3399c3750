// Each UI request talks to Herold's own REST API in-process (app.inject) with the caller's session
// cookie: access rules, validation and error messages stay in one place, the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { translator, isMessageKey, type Lang, type T } from './i18n';
import { esc, page, type Frame, type NavItem } from './html';

export const LANG_COOKIE = 'herold_lang';

export interface Me {
  id: string;
  email: string;
  name: string;
  roles: string[];
  language: 'de' | 'en';
  org: { id: string; slug: string; name: string; timezone: string; paused: boolean };
  csrfToken: string;
}

export interface Channel {
  id: string;
  type: string;
  name: string;
  enabled: boolean;
  status: string;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: { path: string; message: string }[];
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorBody,
  ) {
    super(error.message);
  }
}

export interface ApiResult<R> {
  status: number;
  data: R;
  error?: ApiErrorBody;
  headers: Record<string, string | string[] | number | undefined>;
}

export class Api {
  constructor(
    private readonly app: FastifyInstance,
    private readonly req: FastifyRequest,
    private readonly lang: Lang,
    private readonly csrf?: string,
  ) {}

  async call<R = unknown>(method: string, url: string, body?: unknown): Promise<ApiResult<R>> {
    const headers: Record<string, string> = { 'accept-language': this.lang };
    if (this.req.headers.cookie) headers.cookie = this.req.headers.cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers,
      remoteAddress: this.req.ip,
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    let data: unknown = null;
    const type = String(res.headers['content-type'] ?? '');
    if (res.body && type.includes('json')) data = JSON.parse(res.body);
    else data = res.body;
    const error = res.statusCode >= 400 ? ((data as { error?: ApiErrorBody })?.error ?? { code: 'UNKNOWN_ERROR', message: String(res.statusCode) }) : undefined;
    return { status: res.statusCode, data: data as R, error, headers: res.headers };
  }

  /** GET or write that must succeed; failures become ApiFailure (shown as an error page). */
  async must<R = unknown>(method: string, url: string, body?: unknown): Promise<R> {
    const res = await this.call<R>(method, url, body);
    if (res.error) throw new ApiFailure(res.status, res.error);
    return res.data;
  }

  get<R = unknown>(url: string): Promise<R> {
    return this.must<R>('GET', url);
  }
}

export type Body = Record<string, string | string[]>;

export function str(body: Body | undefined, name: string): string {
  const v = body?.[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export function strs(body: Body | undefined, name: string): string[] {
  const v = body?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface Ctx {
  app: FastifyInstance;
  req: FastifyRequest;
  reply: FastifyReply;
  me: Me;
  lang: Lang;
  t: T;
  tz: string;
  api: Api;
  body: Body;
  query: Record<string, string>;
  channels: Channel[];
  pausedReason?: string;
  is(role: 'editor' | 'approver' | 'admin'): boolean;
  render(title: string, body: string, opts?: { current?: string; flash?: string }): string;
}

/** Signed in, the user's stored language wins (PATCH /api/v1/me); before sign-in, the browser's cookie. */
export function chooseLang(req: FastifyRequest, userLang?: string): Lang {
  if (userLang === 'en' || userLang === 'de') return userLang;
  const cookie = req.cookies?.[LANG_COOKIE];
  if (cookie === 'en' || cookie === 'de') return cookie;
  return 'de';
}

function navFor(me: Me, t: T): NavItem[] {
  const has = (r: string) => me.roles.includes(r);
  const items: NavItem[] = [{ href: '/app/', label: t('nav.dashboard'), key: 'dashboard' }];
  if (has('editor') || has('approver')) items.push({ href: '/app/releases/new', label: t('nav.newRelease'), key: 'new' });
  items.push({ href: '/app/releases', label: t('nav.releases'), key: 'releases' });
  if (has('approver')) items.push({ href: '/app/approvals', label: t('nav.approvals'), key: 'approvals' });
  items.push({ href: '/app/calendar', label: t('nav.calendar'), key: 'calendar' });
  if (has('admin')) {
    items.push({ href: '/app/channels', label: t('nav.channels'), key: 'channels' });
    items.push({ href: '/app/users', label: t('nav.users'), key: 'users' });
  }
  if (has('approver') || has('admin')) items.push({ href: '/app/audit', label: t('nav.audit'), key: 'audit' });
  if (has('approver')) items.push({ href: '/app/crisis', label: t('nav.crisis'), key: 'crisis', emphasis: true });
  return items;
}

export function banners(ctx: Pick<Ctx, 'me' | 't' | 'channels' | 'pausedReason'>): string[] {
  const { t } = ctx;
  const out: string[] = [];
  if (ctx.me.org.paused) {
    out.push(`<div class="banner banner-paused" role="region" aria-label="${esc(t('nav.crisis'))}">
<p><strong>${esc(t('banner.paused'))}</strong>${ctx.pausedReason ? ` ${esc(t('banner.pausedReason', { reason: ctx.pausedReason }))}` : ''}
<a href="/app/crisis">${esc(t('banner.pausedLink'))}</a></p></div>`);
  }
  const reauth = ctx.channels.filter((c) => c.status === 'needs_reauth');
  if (reauth.length) {
    out.push(`<div class="banner banner-reauth" role="region" aria-label="${esc(t('status.needs_reauth'))}">
<p><strong>${esc(t('banner.reauth', { names: reauth.map((c) => c.name).join(', ') }))}</strong>
${ctx.me.roles.includes('admin') ? `<a href="/app/channels">${esc(t('banner.reauthLink'))}</a>` : ''}</p></div>`);
  }
  return out;
}

export function frameFor(ctx: Omit<Ctx, 'render' | 'is'>, title: string, opts: { current?: string; flash?: string } = {}): Frame {
  const msg = ctx.query.msg;
  return {
    lang: ctx.lang,
    t: ctx.t,
    title,
    csrf: ctx.me.csrfToken,
    user: { name: ctx.me.name },
    nav: navFor(ctx.me, ctx.t),
    current: opts.current,
    banners: banners(ctx),
    flash: opts.flash ?? (msg && isMessageKey(msg) ? ctx.t(msg) : undefined),
    currentUrl: ctx.req.url,
  };
}

export function buildCtx(base: Omit<Ctx, 'render' | 'is'>): Ctx {
  const ctx: Ctx = {
    ...base,
    is: (role) => base.me.roles.includes(role),
    render: (title, body, opts) => page(frameFor(base, title, opts), body),
  };
  return ctx;
}

export { translator };
