/**
 * The browser checks of the console's browser tests (console-in-browser, console-roles-in-browser): sign in through
 * the local issuer, move inside the app, axe-core (serious and critical), screenshots at 1366×768 and 1920×1080 with
 * no horizontal overflow and no text cut off.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { cloud } from '../integration/helpers.ts';

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const viewports = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];
const shots = join(projectRoot, '.test-results', 'console');

let browser: Browser;
let axeSource: string;

export async function openBrowser(): Promise<void> {
  if (!existsSync(join(projectRoot, 'dist', 'console', 'index.html'))) throw new Error('dist/console is missing: npm run build:console (npm ci runs it)');
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await mkdir(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
}

export const consoleUrl = (path = '') => `${cloud.urls.api}/console/${path}`;

/** A fresh browser (no token anywhere), opened at `path`: the console sends it to the issuer's page; `userId` signs in; back at `path`. */
export async function signedIn(userId: string, path = ''): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: viewports[0] });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(consoleUrl(path));
  await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
  const authorize = new URL(page.url());
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${cloud.urls.api}/console/callback`);
  await page.locator(`button[name="userId"][value="${userId}"]`).click();
  await page.waitForURL((u) => u.pathname === `/console/${path}`.replace(/\?.*$/, ''));
  await page.getByTestId('who').getByText(userId).waitFor();
  // Tokens are in memory only: nothing of the sign-in is left in localStorage.
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toMatch(/eyJ/);
  expect(errors).toEqual([]);
  return page;
}

/** Goes to a path inside the app, as a link does (a reload would forget the in-memory token and sign in again). */
export async function navigate(page: Page, path: string): Promise<void> {
  // In-page code is passed as text: the project's type check has Node's globals, not the DOM's.
  await page.evaluate(`history.pushState({}, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'));`);
  await page.waitForURL((u) => u.pathname === path);
}

/** axe-core in the page: serious and critical violations, as “rule: target” lines. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') rightly refuses an inline script tag.
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`window.axe.run(document, { resultTypes: ['violations'] })`)) as { violations: { id: string; impact: string; nodes: { target: string[]; html: string }[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${n.html.slice(0, 160)}`));
}

/** Run in the page (as text): a horizontal scrollbar, and elements that hide their overflow while their own text overflows. */
const inPageLayoutProblems = `(() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push('page is ' + doc.scrollWidth + 'px wide in a ' + doc.clientWidth + 'px window');
  for (const el of Array.from(document.querySelectorAll('body *'))) {
    if (['INPUT', 'TEXTAREA', 'svg', 'path', 'SCRIPT', 'STYLE'].includes(el.tagName) || el.closest('.el-scrollbar__wrap, .el-popper')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const clips = ['hidden', 'clip'].includes(style.overflowX);
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim() !== '');
    if (clips && ownText && el.scrollWidth > el.clientWidth + 1) out.push('text cut off: <' + el.tagName.toLowerCase() + ' class="' + el.className + '"> “' + (el.textContent || '').trim().slice(0, 30) + '”');
  }
  return out;
})()`;

/** At each viewport: a screenshot, no horizontal scrollbar, no text clipped by an element that hides its overflow. */
async function layoutProblems(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const v of viewports) {
    await page.setViewportSize(v);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, `${name}-${v.width}x${v.height}.png`), fullPage: true });
    const found = (await page.evaluate(inPageLayoutProblems)) as string[];
    problems.push(...found.map((f) => `${v.width}×${v.height}: ${f}`));
  }
  await page.setViewportSize(viewports[0]!);
  return problems;
}

export async function checkPage(page: Page, name: string) {
  // Measured at rest: no request still loading (a loading button is drawn pale on purpose).
  await page.locator('.is-loading, .el-loading-mask').first().waitFor({ state: 'detached' });
  // …and no Vue transition still running: a field's error message fading in (el-zoom-in-top-enter-active) is drawn
  // half transparent for 300 ms, which axe reads as too little contrast.
  const settled = () => !(globalThis as unknown as { document: { querySelector(css: string): unknown } }).document.querySelector('[class*="-enter-active"], [class*="-leave-active"]');
  await page.waitForFunction(settled, null, { timeout: 5_000 });
  expect(await accessibilityProblems(page), `${name}: axe-core serious/critical`).toEqual([]);
  expect(await layoutProblems(page, name), `${name}: layout`).toEqual([]);
}


/**
 * A list table at 1366×768 (the new-user trial's laptop): how many pixels its body scrolls sideways inside itself
 * (≤ 1: every column, the 操作 column with it, in view without scrolling), and whether `action` (a button or link in
 * a row) lies wholly inside the window.
 */
export async function tableAt1366(page: Page, testId: string, action?: Locator): Promise<{ overflow: number | string; actionInView?: boolean }> {
  await page.setViewportSize(viewports[0]!);
  await page.waitForTimeout(300);
  const overflow = (await page.evaluate(
    `(() => { const w = document.querySelector('[data-testid="${testId}"] .el-table__body-wrapper .el-scrollbar__wrap'); return w ? w.scrollWidth - w.clientWidth : 'no table body'; })()`,
  )) as number | string;
  if (!action) return { overflow };
  const box = await action.boundingBox();
  return { overflow, actionInView: box !== null && box.x >= 0 && box.x + box.width <= viewports[0]!.width };
}
