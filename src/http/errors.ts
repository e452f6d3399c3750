// Maps every error to {"error": {code, message, details?}}: stable codes, German by default.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors';
import { languageFrom, message } from '../i18n/messages';
import { isConnectionError } from '../store/db';

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'MALFORMED_JSON'],
  FST_ERR_BAD_URL: [400, 'ROUTE_NOT_FOUND'],
};

export function errorBody(err: AppError, lang: 'de' | 'en') {
  return {
    error: {
      code: err.code,
      message: message(err.code, lang, err.params),
      ...(err.details ? { details: err.details } : {}),
    },
  };
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fastifyError = err as FastifyError;
  const mapped = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped[0], mapped[1]);
  if (fastifyError?.statusCode === 413) return new AppError(413, 'BODY_TOO_LARGE');
  if (err instanceof SyntaxError) return new AppError(400, 'MALFORMED_JSON');
  // A last line of defence: validation should have refused such text already.
  if (/invalid byte sequence|unsupported Unicode escape|cannot be converted to text|lone leading surrogate|invalid input syntax for type uuid/i.test(String((err as Error)?.message))) {
    return new AppError(400, 'INVALID_ENCODING');
  }
  if (isConnectionError(err)) return new AppError(503, 'SERVICE_UNAVAILABLE');
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError(fastifyError.statusCode, 'VALIDATION_FAILED');
  }
  return new AppError(500, 'INTERNAL_ERROR');
}

/** Where 5xx answers are written: Herold's redacting logger (Fastify's own logger is off). */
export interface ErrorLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply, log: ErrorLog) {
  const appError = toAppError(err);
  // The route template, not the URL: query strings may carry tokens (calendar feed).
  // An outage (503) is expected and reported by /readyz as well; anything else is a defect.
  if (appError.status === 503) log.warn({ err: (err as Error)?.message, method: req.method, route: req.routeOptions.url }, 'request refused: service unavailable');
  else if (appError.status >= 500) log.error({ err, method: req.method, route: req.routeOptions.url, status: appError.status }, 'request failed');
  if (appError.status === 503) reply.header('retry-after', '5');
  return reply.status(appError.status).send(errorBody(appError, languageFrom(req.headers['accept-language'])));
}
