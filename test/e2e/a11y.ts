// Accessibility checks for the e2e suite: axe-core (WCAG 2.0/2.1 A and AA plus best practice)
// runs in the page; any serious or critical violation fails, and so does horizontal scrolling
// (reflow at 375 px). Should axe-core be missing, a smaller built-in set of WCAG checks runs
// instead (names, labels, landmarks, contrast, reflow) and the suite says so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from './browser';

const AXE_PATH = join(__dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js');
export const HAVE_AXE = existsSync(AXE_PATH);

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

const LITE = String.raw`(() => {
  const out = [];
  const add = (id, impact, help, el) => out.push({ id, impact, help, targets: [el ? (el.outerHTML || '').slice(0, 160) : ''] });
  const visible = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect(); return s.visibility !== 'hidden' && s.display !== 'none' && (r.width > 0 || r.height > 0); };
  const text = (el) => (el.innerText || el.textContent || '').trim();
  const byId = (id) => document.getElementById(id);
  const name = (el) => {
    if (el.getAttribute('aria-labelledby')) return el.getAttribute('aria-labelledby').split(/\s+/).map((i) => byId(i) ? text(byId(i)) : '').join(' ').trim();
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    if (el.labels && el.labels.length) return Array.from(el.labels).map(text).join(' ').trim();
    if (el.tagName === 'IMG') return (el.getAttribute('alt') || '').trim();
    if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type)) return (el.value || '').trim();
    return text(el) || (el.getAttribute('title') || '').trim();
  };
  if (!document.documentElement.lang) add('html-has-lang', 'serious', 'html element must have a lang attribute', document.documentElement);
  if (!document.title.trim()) add('document-title', 'serious', 'page must have a title', null);
  if (document.querySelectorAll('main').length !== 1) add('landmark-one-main', 'serious', 'page must have exactly one main landmark', null);
  if (!document.querySelector('h1')) add('page-has-heading-one', 'serious', 'page must have a level-one heading', null);
  const first = document.querySelector('a[href], button, input, select, textarea');
  if (!first || first.getAttribute('href') !== '#main' || !byId('main')) add('skip-link', 'serious', 'the first focusable element must be a skip link to #main', first);
  const ids = {};
  document.querySelectorAll('[id]').forEach((el) => { ids[el.id] = (ids[el.id] || 0) + 1; });
  Object.keys(ids).filter((i) => ids[i] > 1).forEach((i) => add('duplicate-id', 'serious', 'ids must be unique: ' + i, byId(i)));
  document.querySelectorAll('[aria-describedby],[aria-labelledby]').forEach((el) => {
    ['aria-describedby', 'aria-labelledby'].forEach((attr) => (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean).forEach((ref) => { if (!byId(ref)) add('aria-valid-attr-value', 'critical', attr + ' points to a missing id: ' + ref, el); }));
  });
  document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach((el) => { if (!name(el)) add('label', 'critical', 'form field must have a label', el); });
  document.querySelectorAll('button, a[href]').forEach((el) => { if (visible(el) && !name(el)) add(el.tagName === 'A' ? 'link-name' : 'button-name', 'serious', 'element must have an accessible name', el); });
  document.querySelectorAll('img').forEach((el) => { if (!el.hasAttribute('alt')) add('image-alt', 'critical', 'image must have alt text', el); });
  // Contrast of every visible text node against its nearest opaque background.
  const rgb = (c) => { const m = c.match(/[\d.]+/g) || []; return m.map(Number); };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) return c; } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim() || !visible(el)) continue;
    seen.add(el);
    if (el.closest('.sr-only, [aria-hidden=true]')) continue;
    const s = getComputedStyle(el);
    const fg = rgb(s.color);
    const l1 = lum(fg), l2 = lum(bgOf(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize); const bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) add('color-contrast', 'serious', 'contrast ' + ratio.toFixed(2) + ' < ' + need, el);
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) add('reflow', 'serious', 'page scrolls horizontally at ' + window.innerWidth + ' px (' + document.documentElement.scrollWidth + ')', null);
  return out;
})()`;

let axeSource: string | null = null;

export async function checkA11y(page: Page): Promise<Violation[]> {
  if (HAVE_AXE) {
    axeSource ??= readFileSync(AXE_PATH, 'utf8');
    const loaded = await page.evaluate<boolean>('typeof window.axe !== "undefined"');
    if (!loaded) await page.evaluate(axeSource);
    const result = await page.evaluate<{ id: string; impact: string; help: string; nodes: { target: string[] }[] }[]>(
      `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) })))`,
    );
    const overflow = await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth + 1');
    const out = result
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.flatMap((n) => n.target).slice(0, 5) }));
    if (overflow) out.push({ id: 'reflow', impact: 'serious', help: 'page scrolls horizontally', targets: [] });
    return out;
  }
  return page.evaluate<Violation[]>(LITE);
}
