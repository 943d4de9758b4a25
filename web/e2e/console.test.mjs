import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { startDemo, launch, login, PASSWORD } from './server.mjs';

let demo;
let browser;

before(async () => {
  demo = await startDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

mkdirSync(new URL('../test-results/', import.meta.url), { recursive: true });

test('admin logs in and the home page shows live figures and charts', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'admin');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  await page.waitForSelector('header .who');
  assert.match(await page.textContent('header .who'), new RegExp(me.display_name));
  assert.match(await page.textContent('header .scope'), new RegExp(me.area_name));
  // The script refreshed the figures from the API at least once.
  await page.waitForFunction(() => document.body.dataset.figuresAt, null, { timeout: 10_000 });
  for (const f of ['year.warnings', 'year.cases', 'year.prevention_events']) {
    const v = Number((await page.textContent(`[data-f="${f}"]`)).replace(/,/g, ''));
    assert.ok(v > 0, `${f} is ${v}`);
  }
  // Three ECharts canvases, each with drawn pixels.
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 3);
  const drawn = await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].map((c) => {
    const ctx = c.getContext('2d');
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }));
  assert.equal(drawn.length, 3);
  for (const n of drawn) assert.ok(n > 1000, `a chart drew only ${n} pixels`);
  const shot = new URL('../test-results/home.png', import.meta.url).pathname;
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 20_000, 'home screenshot is nearly empty');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a wrong password is refused in Chinese and stays on the login page', async () => {
  const page = await browser.newPage();
  await page.goto(demo.base + '/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error');
  assert.match(await page.textContent('#login-error'), /用户名或密码错误/);
  assert.ok(new URL(page.url()).pathname.startsWith('/login'));
  await page.close();
});

test('a station officer sees their station, masked numbers, and can unmask', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
  await login(page, demo.base, 'dissuader');
  assert.match(await page.textContent('header .scope'), /城关派出所/);
  await page.goto(demo.base + '/warnings/list');
  const phones = await page.$$eval('td.phone', (els) => els.map((e) => e.textContent));
  assert.ok(phones.length > 0, 'no warnings listed');
  for (const p of phones) assert.match(p, /^\d{3}\*{4}\d{4}$/);
  await page.click('tbody a');
  await page.click('#unmask');
  await page.waitForURL(/unmask=1/);
  assert.match(await page.textContent('#person-phone'), /^\d{11}$/);
  await page.close();
});

test('a partner gets no officer pages', async () => {
  const page = await browser.newPage();
  await login(page, demo.base, 'bank');
  assert.ok(new URL(page.url()).pathname === '/inbox');
  const nav = await page.textContent('header nav');
  assert.doesNotMatch(nav, /预警劝阻|侦办追赃/);
  const res = await page.goto(demo.base + '/warnings');
  assert.equal(res.status(), 403);
  await page.close();
});

test('the admin browses and exports the audit log', async () => {
  const page = await browser.newPage();
  await login(page, demo.base, 'admin');
  await page.goto(demo.base + '/audit?action=login');
  const rows = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((t) => t.textContent));
  assert.ok(rows.some((r) => r.includes('admin')), 'admin login not in the audit log');
  const csv = await page.evaluate(async () => (await fetch(document.getElementById('audit-export').href)).text());
  assert.match(csv, /^\uFEFF?编号,时间,用户,角色,地址,操作/);
  await page.close();
});

test('logout ends the session', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, demo.base, 'leader');
  await page.click('header button.link');
  await page.waitForURL(/\/login/);
  const res = await page.goto(demo.base + '/bulletins');
  assert.ok(new URL(page.url()).pathname.startsWith('/login'), `still in after logout: ${res.status()} ${page.url()}`);
  await ctx.close();
});

test('a warning posted through the API appears on the duty board within 2 s', async () => {
  const page = await browser.newPage();
  await login(page, demo.base, 'duty');
  await page.goto(demo.base + '/warnings');
  await page.waitForSelector('#board-body');
  const token = demo.token('duty');
  const ref = 'E2E-' + Date.now();
  const started = Date.now();
  const res = await fetch(demo.base + '/api/v1/warnings', {
    method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'bank', source_ref: ref, grade: 'fund', amount_fen: 8800000,
      person: { name: '测试新预警', phone: '13900001111', address: '云溪县城关街道' } }),
  });
  assert.equal(res.status, 201);
  const { id } = await res.json();
  await page.waitForSelector(`#board-body tr[data-id="${id}"]`, { timeout: 2000 });
  assert.ok(Date.now() - started < 2500);
  await page.close();
});

test('an overdue warning turns red on the board', async () => {
  const page = await browser.newPage();
  await login(page, demo.base, 'duty');
  const token = demo.token('duty');
  const received = new Date(Date.now() - 11 * 60 * 1000).toISOString(); // a fund warning 11 minutes old
  const res = await fetch(demo.base + '/api/v1/warnings', {
    method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'bank', source_ref: 'E2E-LATE-' + Date.now(), grade: 'fund', received_at: received,
      person: { name: '超时测试', phone: '13900002222', address: '云溪县青石镇' } }),
  });
  const { id } = await res.json();
  await page.goto(demo.base + '/warnings');
  const row = page.locator(`#board-body tr[data-id="${id}"]`);
  await row.waitFor();
  await page.waitForFunction((id) => document.querySelector(`#board-body tr[data-id="${id}"]`).classList.contains('overdue'), id);
  const color = await row.locator('td.due').evaluate((td) => getComputedStyle(td).color);
  assert.equal(color, 'rgb(220, 38, 38)');
  assert.match(await row.locator('td.due').textContent(), /已超时/);
  await page.close();
});

test('a dissuader records a contact and an outcome', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await login(page, demo.base, 'dissuader');
  await page.goto(demo.base + '/warnings/mine');
  const first = page.locator('#board-body tr[data-id] a').first();
  await first.waitFor();
  await first.click();
  await page.waitForSelector('#contact-form');
  await page.selectOption('#contact-form select[name=result]', 'reached');
  await page.click('#contact-form button[type=submit]');
  await page.waitForSelector('.flash');
  await page.check('#outcome-form input[value=dissuaded]');
  await page.fill('#outcome-form input[name=kept]', '12000');
  await page.click('#outcome-form button[type=submit]');
  await page.waitForSelector('.flash');
  assert.match(await page.textContent('.flash'), /劝阻成功/);
  assert.match(await page.textContent('h1'), /已办结：劝阻成功/);
  assert.match(await page.textContent('#timeline'), /劝阻成功，避免损失 12,000.00 元/);
  await page.close();
});
