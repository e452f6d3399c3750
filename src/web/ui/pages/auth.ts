// Login, logout and the language choice.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret } from '../../../services/auth';
import type { Deps } from '../../../services/deps';
import { Api, LANG_COOKIE, chooseLang, str, type Body, type Me } from '../context';
import { errorSummary, esc, field, page, type FieldErrors } from '../html';
import { isMessageKey, translator, type Lang } from '../i18n';
import { safeNext, sendHtml, type Router } from '../index';

const LOGIN_COOKIE = 'herold_login';

function loginPage(lang: Lang, opts: { email?: string; next?: string; general?: string; errors?: FieldErrors; flash?: string; loginToken: string }) {
  const t = translator(lang);
  const errors = opts.errors ?? {};
  const body = `<div class="narrow">
<h1>${t('login.title')}</h1>
<p>${t('login.intro')}</p>
${errorSummary(t, opts.general, errors)}
<form method="post" action="/app/login" class="form" data-progress novalidate>
<input type="hidden" name="next" value="${esc(opts.next ?? '')}">
<input type="hidden" name="_login" value="${esc(opts.loginToken)}">
${field({ t, name: 'email', label: t('login.email'), type: 'email', value: opts.email, required: true, autocomplete: 'username', errors })}
${field({ t, name: 'password', label: t('login.password'), type: 'password', required: true, autocomplete: 'current-password', errors })}
<div class="actions"><button type="submit" class="button button-primary">${t('login.submit')}</button></div>
</form></div>`;
  return page({ lang, t, title: t('login.title'), flash: opts.flash, currentUrl: '/app/login' }, body);
}

export function registerAuthPages(scope: FastifyInstance, app: FastifyInstance, deps: Deps, router: Router) {
  /**
   * Login CSRF: the form carries a token that must match a SameSite=Strict cookie, so another
   * site cannot sign a browser in to an account of its choosing.
   */
  const setLangCookie = (reply: FastifyReply, lang: Lang) =>
    reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600, secure: deps.config.secureCookies });

  const loginToken = (reply: FastifyReply): string => {
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_COOKIE, token, { path: '/app/login', sameSite: 'strict', httpOnly: true, secure: deps.config.secureCookies, maxAge: 3600 });
    return token;
  };

  scope.get('/app/login', async (req, reply) => {
    const lang = chooseLang(req);
    const q = (req.query ?? {}) as Record<string, string>;
    const flash = q.msg && isMessageKey(q.msg) ? translator(lang)(q.msg) : undefined;
    return sendHtml(reply, 200, loginPage(lang, { next: q.next, flash, loginToken: loginToken(reply) }));
  });

  scope.post('/app/login', async (req, reply) => {
    const lang = chooseLang(req);
    const t = translator(lang);
    const body = (req.body ?? {}) as Body;
    const email = str(body, 'email').trim();
    const password = str(body, 'password');
    const next = str(body, 'next');
    const sent = str(body, '_login');
    const expected = req.cookies?.[LOGIN_COOKIE] ?? '';
    if (!sameSecret(sent, expected)) {
      return sendHtml(reply, 403, loginPage(lang, { email, next, general: t('login.expired'), loginToken: loginToken(reply) }));
    }
    if (!email || !password) {
      const errors: FieldErrors = {};
      if (!email) errors.email = t('login.missing');
      if (!password) errors.password = t('login.missing');
      return sendHtml(reply, 400, loginPage(lang, { email, next, errors, loginToken: loginToken(reply) }));
    }
    const res = await new Api(app, req, lang).call<{ user: { language: string } }>('POST', '/api/v1/auth/login', { email, password });
    if (res.error) {
      return sendHtml(reply, res.status, loginPage(lang, { email, next, general: res.error.message, errors: { password: res.error.message }, loginToken: loginToken(reply) }));
    }
    const cookie = res.headers['set-cookie'];
    if (cookie) reply.header('set-cookie', cookie as string | string[]);
    // The user's stored language wins; the cookie follows it, so the sign-in page after a
    // sign-out speaks it too.
    const userLang = res.data.user.language;
    if (userLang === 'de' || userLang === 'en') setLangCookie(reply, userLang);
    return reply.redirect(safeNext(next), 303);
  });

  router.post('/app/logout', async (ctx) => {
    const res = await ctx.api.call('POST', '/api/v1/auth/logout');
    const cookie = res.headers['set-cookie'];
    if (cookie) ctx.reply.header('set-cookie', cookie as string | string[]);
    return ctx.reply.redirect('/app/login?msg=login.loggedOut', 303);
  });

  // The language choice: a cookie for this browser (the sign-in page), and the user's own
  // setting where signed in — through PATCH /api/v1/me, like any other client.
  scope.post('/app/language', async (req: FastifyRequest, reply) => {
    const body = (req.body ?? {}) as Body;
    const lang: Lang = str(body, 'lang') === 'en' ? 'en' : 'de';
    const next = str(body, 'next');
    setLangCookie(reply, lang);
    const meRes = await new Api(app, req, lang).call<Me>('GET', '/api/v1/me');
    if (!meRes.error && sameSecret(str(body, '_csrf'), meRes.data.csrfToken)) {
      const saved = await new Api(app, req, lang, meRes.data.csrfToken).call('PATCH', '/api/v1/me', { language: lang });
      if (saved.error) deps.log.warn({ code: saved.error.code }, 'language not saved');
    }
    const target = next === '/app/login' || next.startsWith('/app/login?') ? '/app/login' : safeNext(next);
    return reply.redirect(target, 303);
  });
}
