// Escaping for the public blog's HTML pages and Atom feed.
//
// Pages are assembled with the `html` tagged template: every interpolated value is escaped
// unless it is already SafeHtml. That makes "forgot to escape" impossible to write by accident;
// the only way to emit raw markup is to wrap it in SafeHtml explicitly (done for sanitised
// article bodies and for nested templates).

/**
 * Characters that are not allowed in XML 1.0 documents (and are parse errors in HTML):
 * C0 controls except tab, LF and CR; DEL and C1 controls; lone surrogate halves; U+FFFE/U+FFFF.
 * A single stray one makes a whole feed unparseable, so they are dropped from all user text.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|\p{Surrogate}/gu;

/** Removes characters that would make the HTML or XML output invalid. */
export function cleanText(text: string): string {
  return text.replace(INVALID_CHARS, '');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for element content and quoted attribute values. The same five entities are
 * valid in HTML and XML (&#39; rather than &apos;, which HTML 4 lacked), so this serves both.
 */
export function escapeText(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Markup that is known to be safe and is emitted as is. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into `html`: nothing renders for null, undefined and false. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

// Array.isArray narrows to any[]; this keeps the element type.
function isList(value: HtmlValue): value is readonly HtmlValue[] {
  return Array.isArray(value);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (isList(value)) return value.map(render).join('');
  return escapeText(String(value));
}

/** Template tag that escapes every interpolation (arrays are concatenated). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** The same tag for the Atom feed: the escaping rules are identical for XML. */
export const xml = html;
