// 指令闭环 (issue 24 acceptance): the duty officer imports an instruction
// file on 「指令反馈」; a dissuader works the warning on a phone, seeing the
// instruction and the person's history on its page; the duty officer
// exports the feedback file and sees the 待反馈 queue shrink; the leader
// sees the league table with its four colours.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startDemo, launch, login, newContext, results } from './server.mjs';

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

// noError fails with the page's error message when a form was refused.
const noError = async (page) => {
  const e = await page.$('main .error');
  assert.equal(e && (await e.textContent()), null);
};

const queueTotal = async (page) => Number((await page.textContent('#queue-total')).trim());

test('an instruction is imported, worked on a phone, reported back in the feedback file, and the league shows colours', async () => {
  const errors = [];
  const tail = String(Date.now()).slice(-7);
  const number = '省反诈指E2E' + tail;

  // The duty officer imports the province's instruction file. The person
  // lives in 城关街道, the demo dissuader's station.
  const dctx = await newContext(browser, { viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const duty = await dctx.newPage();
  duty.on('pageerror', (e) => errors.push(e.message));
  await login(duty, demo.base, 'duty');
  await duty.goto(demo.base + '/instructions');
  const before = await queueTotal(duty);
  const csv = '指令编号,下发级别,下发单位,姓名,手机号,地址,预警等级,金额,简要情况\n' +
    `${number},省厅,省厅反诈中心,柴春生,1387${tail},云溪县城关街道百花社区,high,50000,自称客服要求转账\n` +
    `X${tail},火星,某单位,某人,1386${tail},云溪县城关街道,high,,x\n`;
  await duty.setInputFiles('#instruction-import-form input[type=file]', { name: '省厅指令.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await Promise.all([duty.waitForLoadState('load'), duty.click('#instruction-import-form button[type=submit]')]);
  assert.equal((await duty.textContent('#import-registered')).trim(), '1');
  assert.match(await duty.textContent('#import-errors'), /下发级别 "火星" 无效/);
  // The demo keeps receiving instructions from above while the test runs,
  // so the queue grows by at least the imported one.
  assert.ok(await queueTotal(duty) >= before + 1, 'the instruction waits for feedback');
  const href = await duty.getAttribute(`#import-items tr:has-text("${number}") a`, 'href');
  assert.match(href, /^\/warnings\/\d+$/);

  // A dissuader of 城关派出所 works it on a phone.
  const pctx = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const phone = await pctx.newPage();
  phone.on('pageerror', (e) => errors.push(e.message));
  await login(phone, demo.base, 'dissuader');
  await phone.goto(demo.base + href);
  assert.equal((await phone.textContent('#instruction-number')).trim(), number);
  assert.match(await phone.textContent('#instruction'), /省/);
  assert.match(await phone.textContent('#feedback-due'), /反馈还剩/);
  assert.match(await phone.textContent('#instruction-report'), /处置中/);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 1, `the warning page fits the phone (${wide}px too wide)`);
  await phone.selectOption('#contact-form select[name=method]', 'call');
  await phone.selectOption('#contact-form select[name=result]', 'reached');
  await phone.fill('#contact-form input[name=note]', '已电话劝阻');
  await Promise.all([phone.waitForNavigation(), phone.tap('#contact-form button[type=submit]')]);
  await noError(phone);
  await phone.check('#outcome-form input[value=dissuaded]');
  await phone.fill('#outcome-form input[name=kept]', '50000');
  await Promise.all([phone.waitForNavigation(), phone.tap('#outcome-form button[type=submit]')]);
  await noError(phone);
  assert.match(await phone.textContent('h1'), /劝阻成功/);
  assert.match(await phone.textContent('#instruction-report'), /劝阻成功.*电话联系上/);
  await phone.screenshot({ path: new URL('instructions-phone.png', results).pathname, fullPage: true });
  await pctx.close();

  // The duty officer exports the feedback file: the queue shrinks and the
  // warning's page says it was reported back.
  await duty.goto(demo.base + '/instructions');
  const worked = await queueTotal(duty);
  assert.ok(worked >= before + 1);
  const [download] = await Promise.all([duty.waitForEvent('download'), duty.click('#feedback-export')]);
  assert.match(download.suggestedFilename(), /^指令反馈-.*\.xlsx$/);
  const file = await download.path();
  assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK', 'an Excel file');
  await duty.goto(demo.base + '/instructions');
  const after = await queueTotal(duty);
  assert.ok(after < worked, `the 待反馈 queue shrinks (${worked} → ${after})`);
  await duty.goto(demo.base + href);
  assert.match(await duty.textContent('#feedback-due'), /已于 .* 反馈/);
  await dctx.close();

  // The leader's league table: one row per station, cells in 红/橙/黄/绿.
  const lctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const lead = await lctx.newPage();
  lead.on('pageerror', (e) => errors.push(e.message));
  await login(lead, demo.base, 'leader');
  await lead.click('#nav a[href="/league"]');
  await lead.waitForSelector('#league');
  const rows = await lead.$$eval('#league tbody tr[data-area]', (trs) => trs.length);
  assert.ok(rows >= 2, `stations in the league (${rows})`);
  const colours = await lead.$$eval('#league td.fig[data-colour]', (tds) => tds.map((td) => [td.dataset.colour, getComputedStyle(td).backgroundColor]));
  const seen = new Set(colours.map(([c]) => c).filter(Boolean));
  assert.ok(seen.size >= 2, `several colours graded: ${[...seen]}`);
  const bg = { red: 'rgb(254, 202, 202)', orange: 'rgb(254, 215, 170)', yellow: 'rgb(254, 240, 138)', green: 'rgb(187, 247, 208)' };
  for (const [c, css] of colours) if (c) assert.equal(css, bg[c], `a ${c} cell is painted ${c}`);
  assert.match(await lead.textContent('#league-legend'), /红.*橙.*黄.*绿/);
  // Below the table, the 督办 tasks of red units (the list, or that there is none).
  assert.match(await lead.textContent('#supervision'), /督办任务/);
  assert.ok(await lead.$('#supervision-tasks tbody tr'), 'the 督办 list has a row or the empty line');
  await lctx.close();
  assert.deepEqual(errors, []);
});
