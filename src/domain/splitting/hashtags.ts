// CamelCase hashtags: "#SocialMedia", not "#socialmedia", so screen readers can read the words.

/** Characters Mastodon and X accept in a hashtag: letters, marks, digits, underscore. */
const NOT_TAG_CHAR = /[^\p{L}\p{M}\p{N}_]+/u;

export function toCamelCaseHashtag(input: string): string | null {
  const words = input.replace(/^#+/, '').split(NOT_TAG_CHAR).filter((w) => w !== '');
  const tag = words.map(capitalizeFirst).join('');
  // A tag of digits only is not a hashtag on any network.
  if (tag === '' || /^[\p{N}_]+$/u.test(tag)) return null;
  return `#${tag}`;
}

/** Valid, de-duplicated (case-insensitively) hashtags in the given order. */
export function hashtagList(inputs: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const input of inputs ?? []) {
    const tag = toCamelCaseHashtag(input);
    if (tag === null) continue;
    const key = tag.toLocaleLowerCase('de');
    if (seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  return tags;
}

function capitalizeFirst(word: string): string {
  const first = word.codePointAt(0);
  if (first === undefined) return word;
  const head = String.fromCodePoint(first);
  const upper = head.toLocaleUpperCase('de');
  // "ß" would become "SS"; keep such letters as they are rather than change the word.
  return (upper.length === head.length ? upper : head) + word.slice(head.length);
}

/** Case-insensitive membership, as networks treat hashtags. */
export function hasHashtag(tags: readonly string[], tag: string): boolean {
  const key = tag.toLocaleLowerCase('de');
  return tags.some((t) => t.toLocaleLowerCase('de') === key);
}
