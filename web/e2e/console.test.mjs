import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { startDemo, launch, login, PASSWORD, freshPage, results } from './server.mjs';

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



const num = (s) => Number(String(s).replace(/[,%\s]/g, ''));

test('admin logs in and the home page shows live figures and charts', async () => {
  const page = await freshPage(browser, { viewport: { width: 1366, height: 900 } });
  const errors = [];
  const foreign = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(demo.base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  await login(page, demo.base, 'admin');
  assert.equal(new URL(page.url()).pathname, '/');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.ok(me.display_name && me.area_name, 'GET /api/v1/me');
  assert.equal((await page.textContent('header .name')).trim(), me.display_name);
  assert.equal((await page.textContent('header .role')).trim(), me.role_name);
  assert.equal((await page.textContent('header .scope')).trim(), me.area_name);
  assert.equal(await page.textContent('h1'), `${me.area_name} · 实时概况`);
  const nav = await page.$$eval('header nav a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(nav, ['首页', '预警劝阻', '指令反馈', '96110', '侦办追赃', '战役督办', '止付冻结', '两卡研判', '宣传防范', '研判通报', '考核排名', '联席协作', '联席会议', '审计日志', '系统管理']);

  // The script refreshed the figures from the API at least once.
  await page.waitForFunction(() => document.body.dataset.figuresAt, null, { timeout: 10_000 });
  // The demo county has a year of history; the year-to-date figures are
  // counted from 1 January, so in the first days of a year only the
  // warnings (about 55 a day) are sure to be there.
  const shanghai = new Date(Date.now() + 8 * 3600_000);
  const earlyJanuary = shanghai.getUTCMonth() === 0 && shanghai.getUTCDate() <= 7;
  const mustShow = earlyJanuary ? ['year.warnings'] : ['year.warnings', 'year.cases', 'year.loss_fen', 'year.dissuasion_permille',
    'year.kept_fen', 'year.prevention_events', 'year.people_reached'];
  for (const f of mustShow) {
    const v = num(await page.textContent(`#figures [data-f="${f}"]`));
    assert.ok(v > 0, `${f} shows ${v}`);
  }
  if (!earlyJanuary) assert.match(await page.textContent('#figures [data-f="year.warnings"]'), /^\d{1,3}(,\d{3})+$/, 'thousands separators');
  assert.match(await page.textContent('#figures [data-f="year.dissuasion_permille"]'), /^\d{1,3}\.\d%$/);

  // Three ECharts canvases, each with drawn pixels.
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 3);
  const drawn = await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }));
  assert.equal(drawn.length, 3);
  for (const n of drawn) assert.ok(n > 1000, `a chart drew only ${n} pixels`);

  // Live: the demo trickles new warnings in; today's count goes up on the
  // page without a reload (the page refreshes every 10 s).
  const before = num(await page.textContent('#figures [data-f="today.warnings"]'));
  const navigations = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await page.waitForFunction((b) => Number(document.querySelector('#figures [data-f="today.warnings"]').textContent.replace(/,/g, '')) > b,
    before, { timeout: 35_000 });
  assert.deepEqual(navigations, [], 'the page reloaded instead of refreshing');
  assert.match(await page.textContent('#figures-at'), /^数据时间 \d\d-\d\d \d\d:\d\d:\d\d$/);

  const shot = new URL('home.png', results).pathname;
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 20_000, 'home screenshot is nearly empty');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, [], 'the console loaded something from outside the binary');
  await page.closeAll();
});

test('a wrong password is refused in Chinese and stays on the login page', async () => {
  const page = await freshPage(browser);
  await page.goto(demo.base + '/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error');
  assert.match(await page.textContent('#login-error'), /用户名或密码错误/);
  assert.ok(new URL(page.url()).pathname.startsWith('/login'));
  assert.equal(await page.inputValue('input[name=username]'), 'admin');
  assert.equal((await page.context().cookies()).filter((c) => c.name === 'fanzha_session').length, 0);
  // The page a signed-out user asked for is where the login leads.
  await page.goto(demo.base + '/cases');
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.fill('input[name=username]', 'investigator');
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/cases'), page.click('button[type=submit]')]);
  await page.closeAll();
});

test('a station officer sees their station, masked numbers, and can unmask', async () => {
  const page = await freshPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }); // a phone
  await login(page, demo.base, 'dissuader');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.equal(me.area_level, 'station');
  assert.match(me.area_name, /派出所$/);
  assert.equal((await page.textContent('header .scope')).trim(), me.area_name);
  const nav = await page.$$eval('header nav a', (as) => as.map((a) => a.textContent));
  assert.ok(nav.includes('预警劝阻') && nav.includes('首页'), nav.join());
  assert.ok(!nav.includes('审计日志') && !nav.includes('联席协作'), nav.join());

  await page.goto(demo.base + '/warnings/list');
  const phones = await page.$$eval('#warning-list td.phone', (els) => els.map((e) => e.textContent));
  assert.ok(phones.length > 0, 'no warnings listed');
  for (const p of phones) assert.match(p, /^\d{3}\*{4}\d{4}$/);
  // Only the officer's own station (or the centre's queue) appears.
  const stations = new Set(await page.$$eval('#warning-list td.station', (els) => els.map((e) => e.textContent)));
  for (const s of stations) assert.ok(s === '中心队列' || me.area_name.endsWith(s), `a warning of ${s}`);

  await page.click('#warning-list tbody a');
  await page.waitForSelector('#person-phone');
  assert.match(await page.textContent('#person-phone'), /^\d{3}\*{4}\d{4}$/);
  await page.click('#unmask');
  await page.waitForURL(/unmask=1/);
  assert.match(await page.textContent('#person-phone'), /^1\d{10}$/);
  assert.equal(await page.$('#unmask'), null);
  await page.closeAll();
});

test('a partner gets no officer pages', async () => {
  const page = await freshPage(browser);
  await login(page, demo.base, 'bank');
  assert.equal(new URL(page.url()).pathname, '/inbox');
  const nav = await page.$$eval('header nav a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(nav, ['协查请求', '本单位事务']);
  for (const path of ['/warnings', '/cases', '/bulletins']) {
    const res = await page.goto(demo.base + path);
    assert.ok([403, 404].includes(res.status()), `${path}: ${res.status()}`);
    assert.match(await page.textContent('main'), /无权访问|不存在/);
  }
  const api = await page.evaluate(async () => (await fetch('/api/v1/warnings')).status);
  assert.equal(api, 403);
  await page.closeAll();
});

test('the admin browses and exports the audit log', async () => {
  const page = await freshPage(browser, { acceptDownloads: true });
  await login(page, demo.base, 'admin');
  await page.goto(demo.base + '/audit');
  await page.selectOption('#audit-filter select[name=action]', 'login');
  await Promise.all([page.waitForURL(/action=login/), page.click('#audit-filter button[type=submit]')]);
  const rows = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((t) => [...t.cells].map((c) => c.textContent)));
  assert.ok(rows.length > 0 && rows.every((r) => r[5] === '登录'), 'only login entries');
  assert.ok(rows.some((r) => r[2] === 'admin'), 'admin login not in the audit log');
  // The export link downloads a CSV of the same entries.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-export')]);
  assert.match(download.suggestedFilename(), /^audit-\d{8}-\d{6}\.csv$/);
  const file = new URL('audit.csv', results).pathname;
  await download.saveAs(file);
  const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = csv.trim().split(/\r?\n/);
  assert.match(lines[0], /^编号,时间,用户,角色,地址,操作/);
  assert.ok(lines.length - 1 >= rows.length, `${lines.length - 1} CSV rows for ${rows.length} on the page`);
  assert.ok(lines.slice(1).every((l) => l.split(',')[5] === 'login'), 'the export ignored the filter');
  await page.closeAll();
});

test('logout ends the session', async () => {
  const page = await freshPage(browser);
  await login(page, demo.base, 'leader');
  const session = (await page.context().cookies()).find((c) => c.name === 'fanzha_session');
  assert.ok(session, 'no session cookie');
  await Promise.all([page.waitForURL(/\/login/), page.click('#logout button')]);
  assert.match(await page.textContent('main'), /已退出登录/);
  const res = await page.goto(demo.base + '/bulletins');
  assert.ok(new URL(page.url()).pathname.startsWith('/login'), `still in after logout: ${res.status()} ${page.url()}`);
  // The old cookie, replayed, is worth nothing on the server.
  const replay = await fetch(demo.base + '/api/v1/me', { headers: { Cookie: `fanzha_session=${session.value}` } });
  assert.equal(replay.status, 401);
  const page2 = await fetch(demo.base + '/bulletins', { headers: { Cookie: `fanzha_session=${session.value}` }, redirect: 'manual' });
  assert.equal(page2.status, 303);
  assert.match(page2.headers.get('location'), /^\/login/);
  await page.closeAll();
});

test('a warning posted through the API appears on the duty board within 2 s', async () => {
  const page = await freshPage(browser);
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
  await page.closeAll();
});

test('an overdue warning turns red on the board', async () => {
  const page = await freshPage(browser);
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
  await page.closeAll();
});

test('a dissuader records a contact and an outcome', async () => {
  const page = await freshPage(browser, { viewport: { width: 390, height: 844 } });
  await login(page, demo.base, 'dissuader');
  // The dissuader's home starts with 我的预警.
  assert.ok(await page.$('#home-mine'), 'home does not start with 我的预警');
  await page.goto(demo.base + '/warnings/mine');
  const first = page.locator('#board-body tr[data-id] a').first();
  await first.waitFor();
  // At 390 px the row's key columns (期限, 预计可挽回, 等级, 当事人, 类型) are on screen.
  const right = await page.$eval('#board-body tr[data-id] td:nth-child(5)', (td) => td.getBoundingClientRect().right);
  assert.ok(right <= 390, `类型 column ends at ${right} px`);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 390, `page is ${scroll} px wide`);
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
  // Closed in time: no live contact or on-site deadline, no red 超时, even
  // seconds later (an instruction's report to its issuer may still be due:
  // its 签收/反馈 countdowns are in #instruction).
  await page.waitForTimeout(1500);
  assert.equal(await page.$('[data-due]:not(#instruction [data-due])'), null);
  assert.doesNotMatch(await page.textContent('#contact-due'), /超时/);
  await page.closeAll();
});
