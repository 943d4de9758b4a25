// 侦办-冻结: an investigator registers a report, adds a bank's statement
// format, imports the mule accounts' statements (with a bad row reported by
// its number), runs the trace on the case page, sees the flow graph and
// sends a freeze of the account holding the most money to its bank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
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


// Beijing wall-clock time, t ms from now, as "2026-11-23 10:01:00" and as
// the datetime-local value "2026-11-23T10:01".
function beijing(offsetMs) {
  const d = new Date(Date.now() + offsetMs + 8 * 3600_000);
  const p = (n) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  const hm = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  return { text: `${date} ${hm}:00`, local: `${date}T${hm}` };
}

test('an investigator imports statements, traces a case and freezes the account holding the money', async () => {
  const ctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'investigator');

  // Accounts nobody has seen: a mule at 工商银行 (622202…) who sends on to
  // one at 建设银行 (621700…).
  const tail = String(Date.now()).slice(-9);
  const victimAcct = '6228480000' + tail;
  const z1 = '6222020000' + tail;
  const z2 = '6217000000' + tail;
  const t0 = -3 * 3600_000;
  const at = (min) => beijing(t0 + min * 60_000).text;

  // 1. The report.
  await page.goto(demo.base + '/cases/new');
  await page.fill('input[name=name]', '测试受害人');
  await page.fill('textarea[name=summary]', '受害人接到自称公安局民警的电话，称其涉嫌洗钱，要求将存款转入安全账户配合调查。');
  await page.fill('input[name=at_0]', beijing(t0).local);
  await page.fill('input[name=from_account_0]', victimAcct);
  await page.fill('input[name=to_account_0]', z1);
  await page.fill('input[name=amount_0]', '50,000.00');
  await Promise.all([page.waitForURL(/\/cases\/\d+/), page.click('#case-form button[type=submit]')]);
  const caseURL = page.url().split('?')[0];
  assert.match(await page.textContent('.flash, #flash, body'), /已立案/);

  // 2. The bank's statement format: its own column names.
  await page.goto(demo.base + '/statements');
  await page.click('#mapping-editor summary');
  await page.fill('#mapping-form input[name=name]', 'e2e农商行');
  await page.fill('#mapping-form input[name=label]', '测试用农商行流水格式');
  await page.fill('#mapping-form input[name=account]', '卡号');
  await page.fill('#mapping-form input[name=time]', '记账时间');
  await page.fill('#mapping-form input[name=amount]', '发生额');
  await page.fill('#mapping-form input[name=counter]', '对方卡号');
  await page.fill('#mapping-form input[name=counter_name]', '对方户名');
  await page.fill('#mapping-form input[name=summary]', '摘要');
  await page.fill('#mapping-form input[name=balance]', '余额');
  await Promise.all([page.waitForURL(/\/statements\?flash=/), page.click('#mapping-form button[type=submit]')]);
  assert.match(await page.textContent('#mappings'), /e2e农商行/);

  // 3. The two mules' statements in that format, one row broken.
  const csv = [
    '卡号,记账时间,发生额,对方卡号,对方户名,摘要,余额',
    `${z1},${at(1)},"50,000.00",${victimAcct},测试受害人,转入,"50,000.00"`,
    `${z1},${at(20)},-30000.00,${z2},赵某,网银转出,20000.00`,
    `${z2},${at(21)},30000.00,${z1},李某,转入,30000.00`,
    `${z2},不是时间,10.00,${z1},李某,转入,30010.00`,
    `${z2},${at(50)},-5000.00,,,ATM取现,25000.00`,
  ].join('\r\n') + '\r\n';
  await page.selectOption('#statement-form select[name=mapping]', 'e2e农商行');
  await page.setInputFiles('#statement-form input[type=file]', { name: 'mules.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await Promise.all([page.waitForLoadState('load'), page.click('#statement-form button[type=submit]')]);
  await page.waitForSelector('.statement-report');
  assert.equal((await page.textContent('.statement-report .stored')).trim(), '4');
  assert.equal((await page.textContent('.statement-report .bad')).trim(), '1');
  const rowErr = await page.$$eval('.row-errors tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.equal(rowErr.length, 1);
  assert.equal(rowErr[0][1], '5', 'the bad row is reported by its line number in the file');

  // 4. The trace on the case page: the money sits in two accounts.
  await page.goto(caseURL);
  await page.waitForSelector('#trace-candidates tbody tr:not(.empty)');
  const cands = await page.$$eval('#trace-candidates tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.equal(cands.length, 2, JSON.stringify(cands));
  assert.equal(cands[0][0], '**** ' + z2.slice(-4));
  assert.equal(cands[0][3], '25,000.00');
  assert.match(cands[0][1], /建设银行/);
  assert.equal(cands[1][0], '**** ' + z1.slice(-4));
  assert.equal(cands[1][3], '20,000.00');
  assert.match(await page.textContent('#trace-summary'), /取现 5,000\.00/);
  assert.ok(!(await page.content()).includes(z2), 'the full card number shows without unmask');

  // The flow graph: victim, two accounts, the cash leaf, drawn.
  const nodes = Number(await page.getAttribute('#flow-graph', 'data-nodes'));
  assert.equal(nodes, 4);
  const painted = await page.$eval('#flow-graph canvas', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(painted > 2000, `graph canvas has ${painted} painted pixels`);

  // The proportional rule gives the same here: no other money mixed in.
  await page.selectOption('#trace-form select[name=rule]', 'proportional');
  await page.click('#trace-run');
  await page.waitForFunction(() => document.querySelector('#trace-summary').textContent.includes('按比例'));

  // 5. Freeze the top candidate: to 建设银行's member unit, for 25,000.00.
  page.once('dialog', (d) => d.accept());
  await page.click('#trace-candidates tbody tr:first-child button.primary');
  await page.waitForSelector('.trace-flash');
  assert.match(await page.textContent('.trace-flash'), /已向建设银行.*发出冻结请求 #\d+/);
  const req = await page.$$eval('#case-requests tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(req.some((t) => t.includes('冻结') && t.includes('25,000.00')), req.join('\n'));
  const shot = new URL('trace.png', results).pathname;
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 30_000);

  // After a reload the case lists the request from the database.
  await page.reload();
  await page.waitForSelector('#trace-candidates tbody tr:not(.empty)');
  assert.match(await page.textContent('#case-requests'), /冻结[\s\S]*25,000\.00/);
  assert.match(await page.textContent('#trace-candidates tbody tr:first-child .reqs'), /冻结#\d+/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
