// 宣传防范 and 研判通报 in a real browser: a grid worker logs an event with a
// photo from a phone, coverage counts it, the coverage map and the 大屏
// draw their charts, and the printable bulletin matches its Excel export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { startDemo, launch, login, freshPage, results } from './server.mjs';

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



// A real 32×24 PNG (a red and blue photo stand-in), built here so the test
// needs no file.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = x < w / 2 ? 220 : 30; raw[o + 1] = 40; raw[o + 2] = x < w / 2 ? 40 : 200;
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// Pixels drawn on each canvas under selector.
async function drawnPixels(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }), selector);
}

const api = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(p, { headers: { Accept: 'application/json' } });
  return { status: r.status, body: await r.json() };
}, path);

test('a grid worker logs an event with a photo from a phone, and coverage counts it', async () => {
  const page = await freshPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'grid');
  const me = (await api(page, '/api/v1/me')).body;
  assert.equal(me.role, 'grid');
  const before = (await api(page, '/api/v1/prevention/coverage')).body;
  assert.equal(before.villages, 1, 'a grid worker sees their own village');

  await page.goto(demo.base + '/prevention');
  await Promise.all([page.waitForURL('**/prevention/new'), page.click('#new-event')]);
  // The form fits the phone: nothing to scroll sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the form is ${overflow}px wider than the phone`);
  await page.selectOption('select[name=area_id]', String(me.area_id));
  await page.selectOption('select[name=kind]', 'lecture');
  await page.fill('input[name=title]', '老年人防范冒充公检法讲座');
  await page.fill('input[name=place]', '社区活动室');
  await page.check('input[name=audience][value=elderly]');
  await page.fill('input[name=reached]', '57');
  await page.fill('input[name=leaflets]', '60');
  await page.check('input[name=fraud_types][value=police]');
  await page.check('input[name=fraud_types][value=health]');
  await page.setInputFiles('input[name=photos]', { name: '现场.png', mimeType: 'image/png', buffer: png(32, 24) });
  await Promise.all([page.waitForURL(/\/prevention\/events\/\d+/), page.click('#prevention-form button[type=submit]')]);
  assert.match(await page.textContent('.flash'), /已登记宣传活动 #\d+（照片 1 张）/);
  assert.equal((await page.textContent('#event-title')).trim(), '老年人防范冒充公检法讲座');
  assert.equal((await page.textContent('#event-reached')).trim(), '57');
  await page.waitForFunction(() => { const i = document.querySelector('#event-photos img'); return i && i.complete && i.naturalWidth === 32; });
  await page.screenshot({ path: new URL('prevention-event-phone.png', results).pathname, fullPage: true });

  // Coverage: one more event, 57 more people, the village reached.
  const after = (await api(page, '/api/v1/prevention/coverage')).body;
  assert.equal(after.events, before.events + 1);
  assert.equal(after.people, before.people + 57);
  assert.equal(after.villages_reached, 1);
  // The worker's list shows their own event first.
  await page.goto(demo.base + '/prevention');
  assert.equal((await page.textContent('#prevention-events tbody tr td:nth-child(3)')).trim(), '老年人防范冒充公检法讲座');
  // The coverage page counts it too and draws the tree map.
  await page.goto(demo.base + '/prevention/coverage');
  assert.equal(Number((await page.textContent('#cov-events')).replace(/,/g, '')), after.events);
  await page.waitForFunction(() => document.body.dataset.coverageDrawn);
  assert.deepEqual(errors, []);
  await page.closeAll();
});

test('the coverage map of the county and the targeting list', async () => {
  const page = await freshPage(browser, { viewport: { width: 1366, height: 900 } });
  await login(page, demo.base, 'analyst');
  await page.goto(demo.base + '/prevention/coverage');
  await page.waitForFunction(() => document.body.dataset.coverageDrawn);
  const [pixels] = await drawnPixels(page, '#coverage-map canvas');
  assert.ok(pixels > 50_000, `the tree map drew only ${pixels} pixels`);
  const stations = await page.$$eval('#coverage-stations tbody tr', (rs) => rs.length);
  assert.equal(stations, 9);
  // The awareness trend of the demo year.
  await page.goto(demo.base + '/prevention/surveys');
  await page.waitForFunction(() => document.body.dataset.surveysDrawn);
  const months = await page.$$eval('#survey-monthly tbody tr', (rs) => rs.length);
  assert.ok(months >= 11, `${months} months of surveys`);
  const [trend] = await drawnPixels(page, '#survey-chart canvas');
  assert.ok(trend > 5_000, `the awareness chart drew only ${trend} pixels`);
  await page.goto(demo.base + '/prevention/targeting');
  const why = await page.$$eval('#targeting tbody td.why', (tds) => tds.map((t) => t.textContent));
  assert.ok(why.length > 0, 'targeting rows');
  assert.match(why[0], /近 90 天 \d+ 名.+被.+诈骗，损失 [\d,]+\.\d\d 元/);
  await page.closeAll();
});

test('the dashboard draws its map and charts and refreshes live', async () => {
  const page = await freshPage(browser, { viewport: { width: 1920, height: 1080 } });
  const errors = [];
  const foreign = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(demo.base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  await login(page, demo.base, 'leader');
  await page.goto(demo.base + '/bulletins');
  await Promise.all([page.waitForURL('**/dashboard'), page.click('#open-dashboard')]);
  assert.equal(await page.isVisible('header.top'), false, 'the wall page hides the console header');
  await page.waitForFunction(() => document.body.dataset.dashboardAt);
  await page.waitForFunction(() => document.querySelectorAll('.dash .box canvas').length >= 4);
  await page.waitForTimeout(1200); // the charts' entry animation
  const drawn = await drawnPixels(page, '.dash .box canvas');
  assert.equal(drawn.length, 4);
  for (const n of drawn) assert.ok(n > 20_000, `a dashboard chart drew only ${n} pixels`);
  const shot = new URL('dashboard.png', results).pathname;
  await page.screenshot({ path: shot });
  assert.ok(statSync(shot).size > 60_000, 'the dashboard screenshot is nearly empty');
  // This month's 考核排名: each station in its worst colour, painted so,
  // and the units counted per colour.
  const counts = await page.$$eval('#dash-league .count', (els) => els.map((e) => e.textContent.trim()));
  assert.equal(counts.length, 4, counts.join('|'));
  counts.forEach((c, i) => assert.match(c, new RegExp(`^${'红橙黄绿'[i]} \\d+$`)));
  const units = await page.$$eval('#dash-league .unit', (els) => els.map((e) => [e.dataset.colour, getComputedStyle(e).backgroundColor]));
  assert.equal(units.length, 9, 'one unit per station');
  const graded = counts.reduce((n, c) => n + Number(c.split(' ')[1]), 0);
  assert.equal(graded, units.filter(([c]) => c).length, 'the counts add up to the graded units');
  const bg = { red: 'rgb(254, 202, 202)', orange: 'rgb(254, 215, 170)', yellow: 'rgb(254, 240, 138)', green: 'rgb(187, 247, 208)' };
  for (const [c, css] of units) if (c) assert.equal(css, bg[c], `a ${c} unit is painted ${c}`);
  // The map is drawn from the tree: one polygon per station.
  const dash = (await api(page, '/api/v1/dashboard')).body;
  assert.equal(dash.stations.length, 9);
  for (const st of dash.stations) assert.ok(st.polygon.length >= 3, `${st.name} has no polygon`);
  const first = await page.evaluate(() => document.body.dataset.dashboardAt);
  await page.waitForFunction((f) => document.body.dataset.dashboardAt !== f, first, { timeout: 15_000 });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await page.closeAll();
});

test('the printable monthly bulletin and its Excel export', async () => {
  const page = await freshPage(browser, { viewport: { width: 1200, height: 900 } });
  await login(page, demo.base, 'leader');
  await page.goto(demo.base + '/bulletins');
  await page.selectOption('#bulletin-form select[name=kind]', 'monthly');
  await Promise.all([page.waitForURL('**/bulletins/report?**'), page.click('#bulletin-form button[type=submit]')]);
  assert.match(await page.textContent('h1'), /研判月报$/);
  // Seven tables: the sixth 打击战果 (cases solved, persons struck, arrests …),
  // the seventh 考核排名, one row per station with its colour in words.
  assert.equal(await page.$$eval('table', (ts) => ts.length), 7);
  const league = await page.$$eval('#t-league tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
  assert.ok(league.length > 0 && league.every((c) => ['红', '橙', '黄', '绿', '—'].includes(c)), league.join('|'));
  const strike = await page.$$eval('#t-strike tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.ok(strike.includes('破案（起）') && strike.includes('抓获（人）'), strike.join('|'));
  const firstRow = await page.$$eval('#t-overall tbody tr:first-child td', (tds) => tds.map((t) => t.textContent));
  assert.equal(firstRow[0], '立案数（起）');
  assert.match(firstRow[3], /^([+-]?\d+\.\d%|—)$/);
  // The JSON of the same bulletin holds the same cells.
  const q = new URL(page.url()).search;
  const json = (await api(page, '/api/v1/bulletins/report' + q)).body;
  assert.deepEqual(json.tables[0].rows[0], firstRow);
  const xlsx = await page.evaluate(async (href) => {
    const r = await fetch(href);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), zip: b[0] === 0x50 && b[1] === 0x4b, size: b.length };
  }, await page.getAttribute('#xlsx', 'href'));
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.type, /spreadsheetml/);
  assert.ok(xlsx.zip && xlsx.size > 5000);
  // Printed on A4.
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 20_000);
  await page.closeAll();
});
