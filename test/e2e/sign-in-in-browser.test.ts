/**
 * Sign-in as a person does it, in a real browser (Debian's Chromium through
 * playwright-core): the link in a MailDev email → the page asks to sign in →
 * /auth/sign-in (PKCE S256, state, nonce) → the issuer's sign-in page → the
 * callback exchanges the code → back on the emailed page, signed in. Then
 * what must not work: a forged state, a replayed callback, a wrong PKCE
 * verifier, a `next` that leaves the site.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submit } from '../integration/fixture-submission.ts';
import { cloud, waitForEmail } from '../integration/helpers.ts';

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
});

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  return context.newPage();
}

const authorizeUrl = /\/local-auth\/oauth2\/authorize\?/;

describe('R20.1 R7.1 sign-in from an emailed link: authorization code + PKCE, back to the task', () => {
  it('goes from the link in the email through the issuer’s sign-in page and the callback back to the task, signed in', async () => {
    // prepare: a review task for chen.jing, announced by email with its link
    const { name, since } = await submit('valid');
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
    const link = /https?:\/\/\S+\/human-tasks\/[A-Za-z0-9_-]{22}\/page/.exec(mail.text ?? '')?.[0];
    if (!link) throw new Error('no task link in the email');
    const page = await freshPage();
    const seen: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) seen.push(f.url());
    });
    const tokenCalls: { url: string; body: string }[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/local-auth/oauth2/token')) tokenCalls.push({ url: r.url(), body: r.postData() ?? '' });
    });

    // act
    await page.goto(link);
    await page.getByRole('link', { name: '登录（使用收到邮件的账号）' }).click();
    await page.waitForURL(authorizeUrl);
    const authorize = new URL(page.url());
    await page.locator('button[name="userId"][value="chen.jing"]').click();
    await page.waitForURL(link);
    await page.getByText('已登录，任务如下。').waitFor();

    // assess: the request to the issuer is a standard one
    const p = authorize.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p.get('redirect_uri')).toBe(`${cloud.urls.api}/auth/callback`);
    expect(p.get('scope')?.split(' ')).toContain('openid');
    // the path: the page, /auth/sign-in with next, the issuer, the callback with the code, the page again
    const path = seen.map((u) => new URL(u).pathname);
    expect(path).toContain('/auth/sign-in');
    expect(path).toContain('/auth/callback');
    expect(new URL(seen.find((u) => new URL(u).pathname === '/auth/sign-in')!).searchParams.get('next')).toBe(new URL(link).pathname);
    // one exchange, with the verifier; the code stays out of the history
    expect(tokenCalls).toHaveLength(1);
    const exchange = new URLSearchParams(tokenCalls[0]!.body);
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await page.evaluate(() => localStorage.getItem('chengguo.idToken'));
    expect(JSON.parse(Buffer.from(stored!.split('.')[1]!, 'base64url').toString())).toMatchObject({ 'cognito:username': 'chen.jing', nonce: p.get('nonce') });
    expect(await page.locator('#content').innerText()).toContain(name);
    await page.context().close();
  });

  it('refuses a forged state, a replayed callback and a wrong PKCE verifier, in Chinese, keeping no token', async () => {
    // prepare: a sign-in that went through, its callback URL kept
    const page = await freshPage();
    let callbackUrl = '';
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() && f.url().includes('/auth/callback?code=')) callbackUrl = f.url();
    });
    await page.goto(`${cloud.urls.api}/auth/sign-in?next=/docs`);
    await page.waitForURL(authorizeUrl);
    await page.locator('button[name="userId"][value="li.na"]').click();
    await page.waitForURL(`${cloud.urls.api}/docs`);
    await page.evaluate(() => localStorage.clear());

    // act 1: a state this browser never made
    await page.goto(`${cloud.urls.api}/auth/callback?code=abc&state=forged`);
    const forged = await page.locator('#status').innerText();
    // act 2: the same callback again (state spent, and the code too)
    await page.goto(callbackUrl);
    const replayed = await page.locator('#status').innerText();
    // act 3: the verifier changed between the start and the callback
    await page.goto(`${cloud.urls.api}/auth/sign-in?next=/docs`);
    await page.waitForURL(authorizeUrl);
    await page.evaluate(() => {
      for (const k of Object.keys(sessionStorage)) {
        const v = JSON.parse(sessionStorage.getItem(k)!);
        sessionStorage.setItem(k, JSON.stringify({ ...v, verifier: 'x'.repeat(43) }));
      }
    });
    await page.locator('button[name="userId"][value="li.na"]').click();
    await page.getByText('PKCE', { exact: false }).waitFor();
    const wrongVerifier = await page.locator('#status').innerText();

    // assess
    expect(callbackUrl).toContain('state=');
    expect(forged).toContain('登录状态无效（state 不符');
    expect(replayed).toContain('登录状态无效（state 不符');
    expect(wrongVerifier).toContain('PKCE 校验码');
    expect(wrongVerifier).toContain('请重新登录');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => localStorage.getItem('chengguo.idToken'))).toBeNull();
    await page.context().close();
  });

  it('refuses a next that leaves the site: 400 naming next, no redirect', async () => {
    // act
    const res = await fetch(`${cloud.urls.api}/auth/sign-in?next=${encodeURIComponent('//evil.example.com/x')}`, { redirect: 'manual' });
    const body = (await res.json()) as { error: { code: string; message: string } };
    // assess
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(body.error)).toContain('next');
    expect(res.headers.get('location')).toBeNull();
  });
});
