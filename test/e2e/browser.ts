// Debian's Chromium driven by playwright-core (no browser download: executablePath). A thin
// wrapper keeps the journey readable: each person gets a browser context of their own.
import { chromium, type Browser as PwBrowser, type BrowserContext, type Page as PwPage } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export class Browser {
  private constructor(private readonly browser: PwBrowser) {}

  static async launch(): Promise<Browser> {
    return new Browser(await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', ...ARGS] }));
  }

  /** A page in a fresh browser context: its own cookies, like a separate person. */
  async newPage(width = 1280, height = 900): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width, height }, locale: 'de-DE' });
    return new Page(context, await context.newPage());
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

export class Page {
  readonly errors: string[] = [];

  constructor(
    private readonly context: BrowserContext,
    readonly pw: PwPage,
  ) {
    pw.on('pageerror', (err) => this.errors.push(String(err)));
    pw.on('console', (msg) => {
      // Error statuses of requests (a refused sign-in answers 401) are not script errors.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) this.errors.push(msg.text());
    });
  }

  async setViewport(width: number, height = 900) {
    await this.pw.setViewportSize({ width, height });
  }

  async goto(url: string) {
    await this.pw.goto(url, { waitUntil: 'load' });
  }

  evaluate<R = unknown>(expression: string): Promise<R> {
    return this.pw.evaluate(expression) as Promise<R>;
  }

  async url(): Promise<string> {
    return this.pw.url();
  }

  text(selector = 'body'): Promise<string> {
    return this.evaluate<string>(`(document.querySelector(${JSON.stringify(selector)}) || {}).innerText || ''`);
  }

  exists(selector: string): Promise<boolean> {
    return this.evaluate<boolean>(`!!document.querySelector(${JSON.stringify(selector)})`);
  }

  async focus(selector: string) {
    await this.pw.focus(selector);
  }

  /** Replaces the field's value as typing would (input events fire). */
  async type(selector: string, text: string) {
    await this.pw.fill(selector, text);
  }

  async insertText(text: string) {
    await this.pw.keyboard.insertText(text);
  }

  async press(key: 'Tab' | 'Enter' | 'Space' | 'Escape') {
    await this.pw.keyboard.press(key);
  }

  /** A real mouse click on the element (scrolled into view). */
  async click(selector: string) {
    await this.pw.click(selector);
  }

  async clickAndWait(selector: string) {
    await Promise.all([this.pw.waitForEvent('load'), this.pw.click(selector)]);
  }

  /** Drags with the mouse (HTML drag and drop) from near the source's top-left corner; waits for the page it leads to. */
  async dragAndWait(source: string, target: string) {
    await Promise.all([this.pw.waitForEvent('load'), this.pw.dragAndDrop(source, target, { sourcePosition: { x: 4, y: 4 } })]);
  }

  async select(selector: string, value: string) {
    await this.pw.selectOption(selector, value);
  }

  async pressAndWait(key: 'Enter' | 'Space') {
    await Promise.all([this.pw.waitForEvent('load'), this.pw.keyboard.press(key)]);
  }

  /** Polls an expression (waitForFunction would need eval, which the app's CSP forbids). */
  async waitFor(expression: string, what: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.evaluate<boolean>(`!!(${expression})`).catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async clearCookies() {
    await this.context.clearCookies();
  }

  /** A full-page PNG. */
  async screenshot(path: string) {
    await this.pw.screenshot({ path, fullPage: true });
  }
}
