// 补充与更正: after the report an investigator adds a losing transfer on the
// case page (a phone's viewport); a wrong amount is refused naming the
// field; the page and its trace say the case changed since the last trace,
// once, and the loss is the new sum.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, login, newContext } from './server.mjs';

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

test('an investigator adds a transfer after the report and the trace says the case changed', async () => {
  const ctx = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'investigator');

  const d = new Date(Date.now() - 3600_000 + 8 * 3600_000);
  const p = (n) => String(n).padStart(2, '0');
  const local = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  const tail = String(Date.now()).slice(-9);
  await page.goto(demo.base + '/cases/new');
  await page.fill('input[name=name]', '补充测试受害人');
  await page.fill('textarea[name=summary]', '受害人被冒充客服诱导转账。');
  await page.fill('input[name=at_0]', local);
  await page.fill('input[name=from_account_0]', '6228480000' + tail);
  await page.fill('input[name=to_account_0]', '6222020000' + tail);
  await page.fill('input[name=amount_0]', '8,000.00');
  await Promise.all([page.waitForURL(/\/cases\/\d+/), page.click('#case-form button[type=submit]')]);
  const caseURL = page.url().split('?')[0];
  await page.waitForSelector('#trace-summary table'); // the first trace: a look
  assert.equal(await page.$('#trace-changed'), null);

  const fill = async (amount) => {
    await page.click('#parties summary:has-text("补充被骗转账")');
    await page.fill('#transfer-form input[name=at]', local);
    await page.fill('#transfer-form input[name=amount]', amount);
    await page.fill('#transfer-form input[name=from_account]', '6228480000' + tail);
    await page.fill('#transfer-form input[name=to_account]', '6217000000' + tail);
    await Promise.all([page.waitForLoadState('load'), page.click('#transfer-form button[type=submit]')]);
  };
  await fill('很多');
  assert.match(await page.textContent('body'), /金额：/);
  await page.goto(caseURL);
  await fill('2,000.50');
  assert.match(await page.textContent('#trace-changed'), /自上次追踪以来案件已变更：新增转账 1 笔/);
  assert.match(await page.textContent('#transfer-list'), /2,000\.50/);
  assert.match(await page.textContent('.panel dl'), /10,000\.50/);
  await page.waitForSelector('#trace-changes');
  assert.match(await page.textContent('#trace-changes'), /新增转账 1 笔/);

  await page.goto(caseURL);
  await page.waitForSelector('#trace-summary table');
  assert.equal(await page.$('#trace-changed'), null, 'the note is gone once the trace was looked at');
  assert.equal(await page.$('#trace-changes'), null);
  assert.deepEqual(errors, []);
});
