// The OpenAPI document is derived from the route table, so it cannot drift from what is served.
import { z } from 'zod';
import type { RouteDef } from './route';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable upper-snake code, e.g. FOUR_EYES_VIOLATION' },
        message: { type: 'string', description: 'For people; German by default, English with Accept-Language: en' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return { type: 'object' };
  }
}

function queryParameters(schema: z.ZodType | undefined) {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

function successResponse(def: RouteDef) {
  if (def.produces) return { description: 'OK', content: { [def.produces]: { schema: { type: 'string' } } } };
  return { description: 'OK', content: { 'application/json': { schema: def.response ? jsonSchema(def.response) : { type: 'object' } } } };
}

export function buildOpenApi(routes: RouteDef[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of routes) {
    const path = def.path.replace(/:(\w+)/g, '{$1}');
    const pathParams = [...def.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    }));
    const status = String(def.status ?? 200);
    const roles = def.docsAccess ?? (def.access === 'public' ? 'no sign-in' : def.access === 'user' ? 'any signed-in user' : `roles: ${def.access.join(' or ')}`);
    paths[path] ??= {};
    paths[path]![def.method.toLowerCase()] = {
      summary: def.summary,
      description: `Access: ${roles}.`,
      tags: [def.tag],
      security: def.access === 'public' ? [] : [{ session: [] }, { bearer: [] }],
      parameters: [...pathParams, ...queryParameters(def.query)],
      ...(def.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body) } } } }
        : {}),
      responses: {
        [status]: status === '204' ? { description: 'No content' } : successResponse(def),
        ...Object.fromEntries(
          [
            ['400', 'Invalid input (VALIDATION_FAILED, MALFORMED_JSON, EMBARGO_VIOLATION, INVALID_PUBLICATION_WINDOW)'],
            ['401', 'Not signed in (UNAUTHENTICATED)'],
            ['403', 'Not allowed (FORBIDDEN, FOUR_EYES_VIOLATION, CSRF_FAILED)'],
            ['404', 'Not found, or belongs to another organisation (NOT_FOUND)'],
            ['409', 'State conflict (INVALID_STATUS, STALE_REVISION)'],
            ['413', 'Body too large (BODY_TOO_LARGE)'],
            ['422', 'Content a channel or the organisation guidelines do not allow, a time outside the organisation publication windows, or channel credentials whose account the network could not name (CONTENT_BLOCKED, GUIDELINE_VIOLATION, OUTSIDE_PUBLICATION_WINDOW, CHANNEL_ACCOUNT_UNVERIFIED)'],
            ['429', 'Throttled (LOGIN_THROTTLED)'],
            ['503', 'Database or queue unavailable (SERVICE_UNAVAILABLE)'],
          ].map(([code, description]) => [code, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herold REST API',
      version: '1.0.0',
      description: 'Multi-channel publishing for public-sector press offices. Times are ISO 8601 with offset.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'herold_session', description: 'Writes also need X-CSRF-Token.' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
