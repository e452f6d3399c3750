// The REST API v1 as one table (API.md). Access rules live here and nowhere else.
import { z } from 'zod';
import { AppError } from '../../domain/errors';
import { CHANNEL_TYPES, ROLES, type ChannelType } from '../../domain/types';
import * as auditService from '../../services/audit';
import * as auth from '../../services/auth';
import * as channels from '../../services/channels';
import * as org from '../../services/org';
import * as posts from '../../services/posts';
import { calendarFeed } from '../../services/calendar';
import { preview } from '../../services/preview';
import * as releases from '../../services/releases';
import * as revisions from '../../services/revisions';
import * as users from '../../services/users';
import { SESSION_COOKIE } from '../auth';
import { postListSchema, presentPost, presentPostDetail, presentRelease } from '../present';
import { route, type RouteDef } from '../route';
import { email, hashtagKeyword, httpsUrl, idFilter, isoTime, line, loginName, media, text } from '../validation';

const EDITORS = ['editor', 'approver'] as const;
const roles = z.array(z.enum(ROLES)).min(1).max(3);
const channelType = z.enum(CHANNEL_TYPES);
const nullableTime = isoTime.nullable();

const releaseFields = {
  title: line(300, 1),
  body: text(100_000, 1),
  subtitle: line(500).nullable().optional(),
  dateline: line(200).nullable().optional(),
  embargoUntil: nullableTime.optional(),
  publishAt: nullableTime.optional(),
  channelIds: z.array(z.string().uuid()).min(1).max(20),
  crisis: z.boolean().optional(),
  language: z.enum(['de', 'en']).optional(),
  media: media.optional(),
};

const postContent = z
  .object({
    text: text(100_000).optional(),
    thread: z.array(text(10_000, 1)).min(1).max(50).optional(),
    title: line(300).optional(),
    html: text(200_000).optional(),
    link: httpsUrl.optional(),
    media: media.optional(),
  })
  .strict();

export const apiRoutes: RouteDef[] = [
  // Auth and users
  route({
    method: 'POST', path: '/api/v1/auth/login', tag: 'auth', access: 'public',
    summary: 'Sign in; sets the session cookie and returns the CSRF token for writes.',
    body: z.object({ email: loginName, password: z.string().max(1000).refine((s) => s.isWellFormed(), { message: 'invalid characters' }) }).strict(),
    async handler({ deps, body, req, reply }) {
      const result = await auth.login(deps, body.email, body.password, req.ip);
      reply.setCookie(SESSION_COOKIE, result.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.secureCookies,
        maxAge: deps.config.sessionHours * 3600,
      });
      return { user: meOf(result.actor), csrfToken: result.csrfToken };
    },
  }),
  route({
    method: 'POST', path: '/api/v1/auth/logout', tag: 'auth', access: 'user', status: 204,
    summary: 'Sign out; the session ends on the server.',
    async handler({ deps, actor, req, reply }) {
      const sessionId = req.cookies?.[SESSION_COOKIE];
      if (sessionId) await auth.logout(deps, sessionId, actor);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return null;
    },
  }),
  route({
    method: 'GET', path: '/api/v1/me', tag: 'auth', access: 'user',
    summary: 'The signed-in user, their roles and organisation.',
    async handler({ deps, actor, req }) {
      const o = await org.getOrg(deps, actor);
      return {
        ...meOf(actor),
        org: { id: o.id, slug: o.slug, name: o.name, timezone: o.timezone, paused: o.paused },
        csrfToken: (req as unknown as { csrfToken?: string }).csrfToken,
      };
    },
  }),
  route({
    method: 'PATCH', path: '/api/v1/me', tag: 'auth', access: 'user',
    summary: 'Change your own language (de, en), display name or password (with currentPassword).',
    body: z
      .object({
        language: z.enum(['de', 'en']).optional(),
        name: line(200, 1).optional(),
        password: z.string().max(1000).optional(),
        currentPassword: z.string().max(1000).optional(),
      })
      .strict()
      .refine((b) => b.language !== undefined || b.name !== undefined || b.password !== undefined, { message: 'language, name or password' }),
    handler: async ({ deps, actor, body, req }) => {
      const { password, currentPassword, ...own } = body;
      if (password !== undefined) await auth.changeOwnPassword(deps, actor, { password, currentPassword }, req.cookies?.[SESSION_COOKIE]);
      const u = await users.updateOwn(deps, actor, own);
      return meOf({ userId: u.id, email: u.email, name: u.name, roles: u.roles, language: u.language });
    },
  }),
  route({
    method: 'POST', path: '/api/v1/tokens', tag: 'auth', access: 'user', status: 201,
    summary: 'Create an API token acting with your roles; shown once.',
    body: z.object({ name: line(100, 1) }).strict(),
    handler: ({ deps, actor, body }) => auth.createToken(deps, actor, body.name),
  }),
  route({
    method: 'GET', path: '/api/v1/users', tag: 'users', access: ['admin'],
    summary: 'List the users of your organisation.',
    handler: async ({ deps, actor }) => (await users.list(deps, actor)).map(users.presentUser),
  }),
  route({
    method: 'POST', path: '/api/v1/users', tag: 'users', access: ['admin'], status: 201,
    summary: 'Create a user.',
    body: z.object({ email, name: line(200, 1), roles, password: z.string().max(1000).optional(), disabled: z.boolean().optional() }).strict(),
    handler: async ({ deps, actor, body }) => users.presentUser(await users.create(deps, actor, body)),
  }),
  route({
    method: 'PATCH', path: '/api/v1/users/:id', tag: 'users', access: ['admin'],
    summary: 'Change a user (roles, name, password, disabled).',
    body: z
      .object({
        email: email.optional(),
        name: line(200, 1).optional(),
        roles: roles.optional(),
        password: z.string().max(1000).optional(),
        disabled: z.boolean().optional(),
        language: z.enum(['de', 'en']).optional(),
      })
      .strict(),
    handler: async ({ deps, actor, body, params }) => users.presentUser(await users.update(deps, actor, params.id!, body)),
  }),

  // Channels
  route({
    method: 'GET', path: '/api/v1/channels', tag: 'channels', access: 'user',
    summary: 'List channels (never any credential value).',
    handler: async ({ deps, actor }) => (await channels.list(deps, actor)).map(channels.presentChannel),
  }),
  route({
    method: 'POST', path: '/api/v1/channels', tag: 'channels', access: ['admin'], status: 201,
    summary:
      'Add a channel; credentials are encrypted and never returned. X and Mastodon: Herold asks the network whose token it is and records the account as settings.accountId, which only Herold sets (400 VALIDATION_FAILED for any other value); if the network cannot say, the channel is stored without one.',
    body: z.object({ type: channelType, name: line(200, 1), settings: z.record(z.string(), z.unknown()).optional(), credentials: z.record(z.string(), z.unknown()).optional() }).strict(),
    handler: async ({ deps, actor, body }) =>
      channels.presentChannel(await channels.create(deps, actor, { ...body, type: body.type as ChannelType })),
  }),
  route({
    method: 'PATCH', path: '/api/v1/channels/:id', tag: 'channels', access: ['admin'],
    summary:
      'Change a channel; new credentials end needs_reauth and release held posts. A change of where it publishes (page, site, instance, account) voids the approvals waiting on it. New X or Mastodon credentials are saved only once the network names their account (422 CHANNEL_ACCOUNT_UNVERIFIED, nothing saved, otherwise).',
    body: z
      .object({
        name: line(200, 1).optional(),
        settings: z.record(z.string(), z.unknown()).optional(),
        credentials: z.record(z.string(), z.unknown()).optional(),
        enabled: z.boolean().optional(),
      })
      .strict(),
    handler: async ({ deps, actor, body, params }) => channels.presentChannel(await channels.update(deps, actor, params.id!, body)),
  }),
  route({
    method: 'POST', path: '/api/v1/channels/:id/check', tag: 'channels', access: ['admin'],
    summary: "Ask the network who the credentials act as.",
    handler: ({ deps, actor, params, lang }) => channels.check(deps, actor, params.id!, lang),
  }),

  // Releases and posts
  route({
    method: 'POST', path: '/api/v1/releases', tag: 'releases', access: [...EDITORS], status: 201,
    summary: 'Create a release; one post per channel is generated.',
    body: z.object(releaseFields).strict(),
    handler: async ({ deps, actor, body }) => presentRelease(await releases.createRelease(deps, actor, body)),
  }),
  route({
    method: 'GET', path: '/api/v1/releases', tag: 'releases', access: 'user',
    summary: 'List releases (without post bodies).',
    query: z.object({ status: z.enum(['draft', 'in_review', 'scheduled', 'done', 'cancelled']).optional() }).strict(),
    handler: async ({ deps, actor, query }) =>
      (await releases.listReleases(deps, actor, query.status)).map((r) => presentRelease(r, { withPosts: false })),
  }),
  route({
    method: 'GET', path: '/api/v1/releases/:id', tag: 'releases', access: 'user',
    summary: 'A release with its posts.',
    handler: async ({ deps, actor, params }) => presentRelease(await releases.getRelease(deps, actor, params.id!)),
  }),
  route({
    method: 'GET', path: '/api/v1/releases/:id/revisions', tag: 'releases', access: 'user',
    summary: 'The revision history with each revision\'s content, post by post, oldest first; ?since=N from revision N on.',
    query: z.object({ since: z.coerce.number().int().min(1).max(1_000_000).optional() }).strict(),
    handler: async ({ deps, actor, params, query }) =>
      (await revisions.listReleaseRevisions(deps, actor, params.id!, query.since)).map(revisions.presentRevision),
  }),
  route({
    method: 'PATCH', path: '/api/v1/releases/:id', tag: 'releases', access: [...EDITORS],
    summary: 'Change a release; voids any approval. {regenerate: true} re-splits all posts.',
    body: z
      .object({
        ...Object.fromEntries(Object.entries(releaseFields).map(([k, v]) => [k, v.optional()])),
        regenerate: z.boolean().optional(),
      })
      .strict() as unknown as z.ZodType<releases.ReleasePatch>,
    handler: async ({ deps, actor, body, params }) => presentRelease(await releases.updateRelease(deps, actor, params.id!, body)),
  }),
  route({
    method: 'PATCH', path: '/api/v1/posts/:id', tag: 'posts', access: [...EDITORS],
    summary: 'Edit one post by hand; voids any approval.',
    body: z.object({ content: postContent.optional(), publishAt: nullableTime.optional() }).strict(),
    handler: async ({ deps, actor, body, params }) => presentPost(await releases.updatePostContent(deps, actor, params.id!, body)),
  }),
  route({
    method: 'POST', path: '/api/v1/releases/:id/submit', tag: 'releases', access: [...EDITORS],
    summary: 'Submit for approval (draft → in_review).',
    handler: async ({ deps, actor, params }) => presentRelease(await releases.submitRelease(deps, actor, params.id!)),
  }),
  route({
    method: 'POST', path: '/api/v1/releases/:id/approve', tag: 'releases', access: ['approver'],
    summary: 'Approve exactly this revision (four-eyes: not the author, not an editor).',
    body: z.object({ revision: z.number().int().min(1) }).strict(),
    handler: async ({ deps, actor, body, params }) => presentRelease(await releases.approveRelease(deps, actor, params.id!, body.revision)),
  }),
  route({
    method: 'POST', path: '/api/v1/releases/:id/reject', tag: 'releases', access: ['approver'],
    summary: 'Send back to draft with a comment.',
    body: z.object({ comment: text(5000, 1) }).strict(),
    handler: async ({ deps, actor, body, params }) => presentRelease(await releases.rejectRelease(deps, actor, params.id!, body.comment)),
  }),
  route({
    method: 'POST', path: '/api/v1/releases/:id/cancel', tag: 'releases', access: [...EDITORS],
    summary: 'Cancel; posts not yet published are cancelled.',
    handler: async ({ deps, actor, params }) => presentRelease(await releases.cancelRelease(deps, actor, params.id!)),
  }),
  route({
    method: 'POST', path: '/api/v1/preview', tag: 'releases', access: [...EDITORS],
    summary: "What each channel would receive; nothing is stored.",
    body: z
      .object({
        title: line(300, 1),
        body: text(100_000, 1),
        subtitle: line(500).nullable().optional(),
        dateline: line(200).nullable().optional(),
        channelTypes: z.array(channelType).min(1).max(6),
        media: media.optional(),
      })
      .strict(),
    handler: ({ deps, actor, body }) => preview(deps, actor, body),
  }),
  route({
    method: 'GET', path: '/api/v1/posts', tag: 'posts', access: 'user',
    summary:
      'Posts in a time range (the calendar), at most 20,000. view=summary answers PostSummary: what a calendar shows (release title and status, channel name, times, status, a short excerpt), no content; view=full (the default) the whole Post.',
    query: z
      .object({
        from: isoTime.optional(),
        to: isoTime.optional(),
        status: z.enum(['draft', 'scheduled', 'held', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled']).optional(),
        channelId: z.string().uuid().optional(),
        view: z.enum(['full', 'summary']).optional(),
      })
      .strict(),
    response: postListSchema,
    async handler({ deps, actor, query, reply }) {
      const { view, ...filter } = query;
      if (view !== 'summary') return (await posts.calendar(deps, actor, filter)).map(presentPost);
      // PostgreSQL builds the JSON text (store/posts.ts listPostSummariesJson); Fastify sends a
      // string with a JSON content type as it is, without parsing or serialising it again.
      reply.type('application/json; charset=utf-8');
      return posts.calendarSummaries(deps, actor, filter);
    },
  }),
  route({
    method: 'GET', path: '/api/v1/posts/:id', tag: 'posts', access: 'user',
    summary: 'One post with its attempt history.',
    handler: async ({ deps, actor, params }) => presentPostDetail(await posts.getPost(deps, actor, params.id!)),
  }),
  route({
    method: 'POST', path: '/api/v1/posts/:id/retry', tag: 'posts', access: ['approver'],
    summary: 'Send a failed, unconfirmed or held post again, now.',
    handler: async ({ deps, actor, params }) => presentPost(await posts.retryPost(deps, actor, params.id!)),
  }),
  route({
    method: 'POST', path: '/api/v1/posts/:id/resolve', tag: 'posts', access: ['approver'],
    summary: 'Record whether an unconfirmed post did appear.',
    body: z.object({ published: z.boolean(), externalUrl: httpsUrl.optional() }).strict(),
    handler: async ({ deps, actor, params, body }) => presentPost(await posts.resolvePost(deps, actor, params.id!, body)),
  }),

  route({
    method: 'GET', path: '/api/v1/calendar.ics', tag: 'posts', access: 'public',
    docsAccess: 'an API token in the query (?token=); any signed-in role',
    summary: 'iCalendar feed of scheduled and published posts; ?token= an API token (calendar apps cannot send headers).',
    query: z.object({ token: z.string().min(10).max(200) }).strict(),
    async handler({ deps, query, reply }) {
      const actor = await auth.actorFromToken(deps, query.token);
      if (!actor) throw new AppError(401, 'UNAUTHENTICATED');
      reply.type('text/calendar; charset=utf-8');
      return calendarFeed(deps, actor);
    },
  }),

  // Organisation, crisis stop, audit
  route({
    method: 'GET', path: '/api/v1/org', tag: 'org', access: 'user',
    summary: 'Your organisation and its policy.',
    handler: async ({ deps, actor }) => org.presentOrg(await org.getOrg(deps, actor)),
  }),
  route({
    method: 'PATCH', path: '/api/v1/org', tag: 'org', access: ['admin'],
    summary: 'Change the organisation policy.',
    body: z
      .object({
        policy: z
          .object({
            // Checked further in services/org.ts (to after from, at least one day): 400 INVALID_PUBLICATION_WINDOW.
            publicationWindows: z.array(z.object({ days: z.array(z.number().int().min(1).max(7)).max(7), from: z.string().regex(/^\d{2}:\d{2}$/), to: z.string().regex(/^\d{2}:\d{2}$/) }).strict()).max(20).optional()
              .describe('Local times in the organisation time zone when non-crisis posts may go out: days are ISO weekdays (1 = Monday … 7 = Sunday), from inclusive, to exclusive and later than from ("24:00" = midnight; a window over midnight is two windows). Empty or absent: any time.'),
            guidelines: z
              .object({
                hashtags: z.array(hashtagKeyword(60)).max(20).optional(),
                requiredHashtag: hashtagKeyword(60).optional(),
                bannedPhrases: z.array(line(200, 1)).max(200).optional(),
                maxHashtags: z.number().int().min(0).max(30).optional(),
                signature: line(100).optional(),
              })
              .strict()
              .optional(),
          })
          .strict(),
      })
      .strict(),
    handler: async ({ deps, actor, body }) => org.presentOrg(await org.patchPolicy(deps, actor, body.policy)),
  }),
  route({
    method: 'POST', path: '/api/v1/org/pause', tag: 'org', access: ['approver'],
    summary: 'Crisis stop: hold all publishing of the organisation.',
    body: z.object({ reason: text(2000, 1) }).strict(),
    handler: async ({ deps, actor, body }) => org.presentOrg(await org.pause(deps, actor, body.reason)),
  }),
  route({
    method: 'POST', path: '/api/v1/org/resume', tag: 'org', access: ['approver'],
    summary: 'End the crisis stop; overdue posts wait for an approver.',
    handler: async ({ deps, actor }) => org.presentOrg(await org.resume(deps, actor)),
  }),
  route({
    method: 'GET', path: '/api/v1/audit', tag: 'audit', access: ['approver', 'admin'],
    summary: 'Audit events, newest first.',
    query: z.object({ from: isoTime.optional(), to: isoTime.optional(), entityId: idFilter.optional() }).strict(),
    handler: async ({ deps, actor, query }) => (await auditService.listEvents(deps, actor, query)).map(auditService.presentEvent),
  }),
  route({
    method: 'GET', path: '/api/v1/audit/verify', tag: 'audit', access: ['approver', 'admin'],
    summary: 'Check the hash chain: any changed or deleted event is found.',
    handler: ({ deps, actor }) => auditService.verifyEvents(deps, actor),
  }),
  route({
    method: 'GET', path: '/api/v1/audit/export', tag: 'audit', access: ['approver', 'admin'],
    summary: 'The whole hash chain, oldest first, as JSON Lines: one event per line, then {"type":"chain_head",…} as the last line. Always the full chain (a slice could not be checked for completeness); recorded as audit.exported.',
    // No filters: a strict empty query answers 400 to from/to instead of silently ignoring them.
    query: z.object({}).strict(),
    produces: auditService.AUDIT_EXPORT_TYPE,
    async handler({ deps, actor, reply }) {
      const exp = await auditService.exportEvents(deps, actor);
      reply.headers(auditService.exportHeaders(exp));
      return exp.lines;
    },
  }),
];

function meOf(actor: { userId: string; email: string; name: string; roles: string[]; language: string }) {
  return { id: actor.userId, email: actor.email, name: actor.name, roles: actor.roles, language: actor.language };
}
