// Stylesheet of the public blog, served by the app as /blog/<slug>/blog.css. It is an external
// file because the blog's Content-Security-Policy allows no inline styles.

/** Colour pairs, exported so the tests can check WCAG contrast (4.5:1 text, 3:1 focus ring). */
export const BLOG_PALETTE = {
  light: {
    background: '#ffffff',
    text: '#1b1b1b',
    muted: '#545454',
    link: '#0b4f9c',
    linkVisited: '#5a2d82',
    focus: '#1d4ed8',
    border: '#d6d6d6',
  },
  dark: {
    background: '#141414',
    text: '#ededed',
    muted: '#b8b8b8',
    link: '#8cb8ff',
    linkVisited: '#d0adf0',
    focus: '#ffd24d',
    border: '#3a3a3a',
  },
} as const;

type Palette = (typeof BLOG_PALETTE)[keyof typeof BLOG_PALETTE];

function colours(p: Palette): string {
  return `--bg: ${p.background}; --text: ${p.text}; --muted: ${p.muted}; --link: ${p.link}; --link-visited: ${p.linkVisited}; --focus: ${p.focus}; --border: ${p.border};`;
}

export const BLOG_CSS = `:root { ${colours(BLOG_PALETTE.light)} color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { ${colours(BLOG_PALETTE.dark)} } }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 1.125rem; line-height: 1.6; overflow-wrap: break-word; }
.wrap { max-width: 42rem; margin: 0 auto; padding: 0 1rem; }
a { color: var(--link); text-underline-offset: 0.15em; }
a:visited { color: var(--link-visited); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 3px; }
main:focus { outline: none; }
.skip-link { position: absolute; left: 0.5rem; top: -10rem; z-index: 10; padding: 0.5rem 1rem; background: var(--bg); color: var(--link); border: 2px solid var(--focus); }
.skip-link:focus { top: 0.5rem; }
.site-header { border-bottom: 1px solid var(--border); padding: 1rem 0; }
.site-name { font-weight: 700; font-size: 1.125rem; text-decoration: none; color: var(--text); }
.site-name:visited { color: var(--text); }
.site-name:hover { text-decoration: underline; }
main { display: block; padding: 1.5rem 0 3rem; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.75rem 0 0.75rem; }
h1 { font-size: 2rem; margin-top: 0.5rem; }
h2 { font-size: 1.5rem; }
h3 { font-size: 1.25rem; }
h4 { font-size: 1.125rem; }
p, ul, ol, blockquote, figure { margin: 0 0 1rem; }
.subtitle { font-size: 1.25rem; color: var(--muted); margin-top: -0.25rem; }
.meta { color: var(--muted); font-size: 1rem; }
.dateline { font-weight: 700; }
img { max-width: 100%; height: auto; }
figure { margin-left: 0; margin-right: 0; }
figcaption { color: var(--muted); font-size: 0.95rem; margin-top: 0.25rem; }
blockquote { margin-left: 0; padding-left: 1rem; border-left: 4px solid var(--border); }
.post-list { list-style: none; margin: 0; padding: 0; }
.post-list > li { padding: 1.25rem 0; border-bottom: 1px solid var(--border); }
.post-list h2 { margin: 0.25rem 0 0.5rem; font-size: 1.375rem; }
.post-list p { margin-bottom: 0.5rem; }
.empty { color: var(--muted); }
.site-footer { border-top: 1px solid var(--border); padding: 1.5rem 0 2rem; color: var(--muted); font-size: 1rem; }
.site-footer p { margin: 0 0 0.5rem; }
@media (max-width: 30rem) { body { font-size: 1rem; } h1 { font-size: 1.625rem; } }
@media print { .skip-link, .site-footer { display: none; } a { color: inherit; } }
`;
