// Errors have three audiences: a stable `code` for machines, a translated message for the
// press officer (src/i18n), and `detail` for the log. Never branch on message text.

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params: Record<string, string | number> = {},
    readonly details?: ErrorDetail[],
  ) {
    super(code);
  }
}

export const notFound = (what = 'resource') => new AppError(404, 'NOT_FOUND', { what });
export const forbidden = (code = 'FORBIDDEN') => new AppError(403, code);
export const conflict = (code: string, params: Record<string, string | number> = {}) => new AppError(409, code, params);
export const invalid = (code: string, details?: ErrorDetail[], params: Record<string, string | number> = {}) =>
  new AppError(400, code, params, details);
