// What counts as clean text anywhere in Herold: well-formed Unicode (no lone surrogates, which
// PostgreSQL refuses) and no control characters except tab, line feed and carriage return.

// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/;

export function isCleanText(value: string): boolean {
  return value.isWellFormed() && !CONTROL.test(value);
}
