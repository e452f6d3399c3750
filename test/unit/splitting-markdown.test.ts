import fc from 'fast-check';
import { renderMarkdown } from '../../src/domain/splitting';

describe('renderMarkdown', () => {
  it('renders the allowed structure', () => {
    const html = renderMarkdown(
      '## Termine\n\nText mit **fett** und *kursiv*.\n\n- eins\n- zwei\n\n1. erstens\n\n> Zitat\n\nZeile eins\nZeile zwei\n\n![Rathaus](https://presse.example.de/r.jpg)',
    );
    expect(html).toBe(
      [
        '<h2>Termine</h2>',
        '<p>Text mit <strong>fett</strong> und <em>kursiv</em>.</p>',
        '<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>',
        '<ol>\n<li>erstens</li>\n</ol>',
        '<blockquote>\n<p>Zitat</p>\n</blockquote>',
        '<p>Zeile eins<br />Zeile zwei</p>',
        '<p><img src="https://presse.example.de/r.jpg" alt="Rathaus" /></p>',
      ].join('\n'),
    );
  });

  it('gives links rel="noopener" and keeps only absolute http, https and mailto targets', () => {
    expect(renderMarkdown('[a](https://x.de) [b](mailto:p@x.de) [c](javascript:alert(1)) [d](data:text/html,x) [e](/intern)')).toBe(
      '<p><a href="https://x.de" rel="noopener">a</a> <a href="mailto:p@x.de" rel="noopener">b</a> <a>c</a> <a>d</a> <a>e</a></p>',
    );
    expect(renderMarkdown('<a href="https://x.de" rel="opener" target="_blank">x</a>')).toBe(
      '<p><a href="https://x.de" rel="noopener">x</a></p>',
    );
  });

  it('removes scripts, styles, event handlers, frames and non-http images', () => {
    const html = renderMarkdown(
      [
        '<script>alert(1)</script>',
        '<style>p{color:red}</style>',
        '<p onclick="alert(1)" style="color:red" class="x">Text</p>',
        '<img src="x" onerror="alert(1)">',
        '![b](javascript:alert(1))',
        '<img src="data:image/png;base64,AAAA" alt="d">',
        '<iframe src="https://evil.example"></iframe>',
      ].join('\n\n'),
    );
    expect(html).toBe('<p>Text</p>');
  });

  it('keeps a linked image and drops paragraphs the sanitiser emptied', () => {
    expect(renderMarkdown('[![Logo](https://x.de/l.png)](https://x.de)\n\n<script>x</script>\n\nEnde')).toBe(
      '<p><a href="https://x.de" rel="noopener"><img src="https://x.de/l.png" alt="Logo" /></a></p>\n<p>Ende</p>',
    );
  });

  it('maps h1 to h2 and h5/h6 to h4: the title is the page heading', () => {
    expect(renderMarkdown('# Eins\n\n##### Fünf')).toBe('<h2>Eins</h2>\n<h4>Fünf</h4>');
  });

  const dangerous = fc.constantFrom(
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '[x](javascript:alert(1))',
    '<svg onload=alert(1)>',
    '<div style="background:url(javascript:alert(1))">',
    '<iframe src=//evil>',
    '<a href="JaVaScRiPt:alert(1)">',
    '<p onmouseover="x">',
    '<object data="x">',
    '![x](vbscript:msgbox)',
    '<style>*{}</style>',
    '"><script>',
    '&lt;script&gt;',
  );
  const filler = fc.string({ maxLength: 30 });

  it('never emits scripts, handlers, styles or dangerous URLs', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(dangerous, filler), { maxLength: 12 }), fc.constantFrom('', ' ', '\n', '\n\n'), (pieces, sep) => {
        const html = renderMarkdown(pieces.join(sep));
        const tags = html.match(/<[^>]*>/g) ?? [];
        return (
          !/<(?:script|style|iframe|svg|object|div)/i.test(html) &&
          tags.every((tag) => !/\son\w+\s*=|\sstyle\s*=|\sclass\s*=|(?:javascript|vbscript|data):/i.test(tag))
        );
      }),
      { numRuns: 2000 },
    );
  });
});
