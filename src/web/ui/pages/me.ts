// My account (/app/me): the signed-in user's details and "change my own password", for every
// role. The password goes through PATCH /api/v1/me like any client (services/auth.ts
// changeOwnPassword: current password required and throttled, the new one must differ, the
// user's other sessions end, this one goes on).
import type { Ctx } from '../context';
import { str } from '../context';
import { csrfInput, errorSummary, esc, field, type FieldErrors } from '../html';
import type { Router } from '../index';
import { MIN_PASSWORD_LENGTH } from '../../../security/passwords';

const ROLES = ['editor', 'approver', 'admin'] as const;

/** The API's refusals of a password change, at the field they are about. */
function apiErrorsToFields(error: { code: string; message: string; details?: { path: string; message: string }[] }): FieldErrors | null {
  switch (error.code) {
    case 'CURRENT_PASSWORD_WRONG':
    case 'LOGIN_THROTTLED':
      return { currentPassword: error.message };
    case 'PASSWORD_TOO_SHORT':
    case 'PASSWORD_UNCHANGED':
      return { password: error.message };
    case 'VALIDATION_FAILED': {
      const fields = (error.details ?? []).map((d) => d.path).filter((p) => p === 'currentPassword' || p === 'password');
      return fields.length ? Object.fromEntries(fields.map((p) => [p, error.message])) : null;
    }
    default:
      return null;
  }
}

async function mePage(ctx: Ctx, problem?: { general?: string; errors: FieldErrors; status?: number }) {
  const { t, me } = ctx;
  const errors = problem?.errors ?? {};
  const rules = t('me.passwordRules', { min: MIN_PASSWORD_LENGTH });
  const roles = ROLES.filter((r) => me.roles.includes(r)).map((r) => t(`role.${r}`));
  const details = `<section aria-labelledby="me-details"><h2 id="me-details">${esc(t('me.details'))}</h2>
<dl class="meta-list">
<dt>${esc(t('me.name'))}</dt><dd>${esc(me.name)}</dd>
<dt>${esc(t('me.email'))}</dt><dd>${esc(me.email)}</dd>
<dt>${esc(t('me.roles'))}</dt><dd>${esc(roles.join(', ') || t('common.notSet'))}</dd>
<dt>${esc(t('me.org'))}</dt><dd>${esc(me.org.name)}</dd>
<dt>${esc(t('me.language'))}</dt><dd>${esc(me.language === 'en' ? t('lang.en') : t('lang.de'))} <span class="meta">(${esc(t('me.languageHint'))})</span></dd>
</dl>
<p class="hint">${esc(t('me.detailsHint'))}</p></section>`;
  const password = `<section class="panel narrow" aria-labelledby="me-password"><h2 id="me-password">${esc(t('me.password'))}</h2>
<p>${esc(t('me.passwordIntro'))}</p>
${ctx.is('approver') ? `<p class="hint">${esc(t('me.passwordFourEyes'))}</p>` : ''}
${problem ? errorSummary(t, problem.general, errors) : ''}
${problem ? `<p class="notice">${esc(t('me.passwordsRetype'))}</p>` : ''}
<form method="post" action="/app/me" class="form" data-progress novalidate>${csrfInput(me.csrfToken)}
<input type="text" name="username" value="${esc(me.email)}" autocomplete="username" hidden>
${field({ t, name: 'currentPassword', label: t('me.currentPassword'), type: 'password', required: true, autocomplete: 'current-password', errors })}
${field({ t, name: 'password', label: t('me.newPassword'), type: 'password', required: true, autocomplete: 'new-password', hint: rules, errors, attrs: `minlength="${MIN_PASSWORD_LENGTH}"` })}
${field({ t, name: 'passwordRepeat', label: t('me.repeatPassword'), type: 'password', required: true, autocomplete: 'new-password', errors, describedBy: 'f-password-hint' })}
<div class="actions"><button type="submit" class="button button-primary">${esc(t('me.submit'))}</button></div>
</form></section>`;
  if (problem) ctx.reply.status(problem.status ?? 400);
  return ctx.render(t('me.title'), `<h1>${esc(t('me.title'))}</h1>${details}${password}`, { current: 'me' });
}

export function registerMePages(router: Router) {
  router.get('/app/me', (ctx) => mePage(ctx));
  router.post('/app/me', async (ctx) => {
    const { t } = ctx;
    const currentPassword = str(ctx.body, 'currentPassword');
    const password = str(ctx.body, 'password');
    const repeat = str(ctx.body, 'passwordRepeat');
    // What the form can check itself, before the API is asked (a mismatch costs no attempt).
    const errors: FieldErrors = {};
    if (!currentPassword) errors.currentPassword = t('field.missing', { label: t('me.currentPassword') });
    if (!password) errors.password = t('field.missing', { label: t('me.newPassword') });
    if (!repeat) errors.passwordRepeat = t('field.missing', { label: t('me.repeatPassword') });
    else if (password && repeat !== password) errors.passwordRepeat = t('me.mismatch');
    if (Object.keys(errors).length) return mePage(ctx, { errors });

    const res = await ctx.api.call('PATCH', '/api/v1/me', { currentPassword, password });
    if (res.status === 401) return ctx.reply.redirect('/app/login', 303);
    if (res.error) {
      const atField = apiErrorsToFields(res.error);
      return mePage(ctx, atField ? { errors: atField, status: res.status } : { general: res.error.message, errors: {}, status: res.status });
    }
    // changeOwnPassword ends the user's other sessions and keeps this one: the user stays signed in.
    return ctx.reply.redirect('/app/me?msg=me.passwordChanged', 303);
  });
}
