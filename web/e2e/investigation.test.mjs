// 侦办: an investigator registers a report, takes 受理 and asks for 立案 on
// the case page's 办案进度 panel; the leader approves it; 破案 is refused
// until the investigator adds a suspect and records 抓获 then 刑事拘留; then
// the case is 破案 and listed under that 办案环节.
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

test('an investigator moves a case to 破案 with a suspect caught and detained, after the leader approves 立案', async () => {
  const ctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'investigator');

  // The report, moments ago.
  const d = new Date(Date.now() - 3600_000 + 8 * 3600_000);
  const p = (n) => String(n).padStart(2, '0');
  const local = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  const tail = String(Date.now()).slice(-9);
  await page.goto(demo.base + '/cases/new');
  await page.fill('input[name=name]', '办案测试受害人');
  await page.fill('textarea[name=summary]', '受害人被冒充客服诱导转账。');
  await page.fill('input[name=at_0]', local);
  await page.fill('input[name=from_account_0]', '6228480000' + tail);
  await page.fill('input[name=to_account_0]', '6222020000' + tail);
  await page.fill('input[name=amount_0]', '8,000.00');
  await Promise.all([page.waitForURL(/\/cases\/\d+/), page.click('#case-form button[type=submit]')]);
  const caseURL = page.url().split('?')[0];
  assert.match(await page.textContent('#case-state'), /接报/);

  const step = async (action, fields = {}) => {
    await page.selectOption('#step-form select[name=action]', action);
    for (const [k, v] of Object.entries(fields)) await page.fill(`#step-form input[name=${k}]`, v);
    await Promise.all([page.waitForLoadState('load'), page.click('#step-form button[type=submit]')]);
  };
  await step('accept');
  assert.match(await page.textContent('#case-state'), /受理/);
  await step('file', { doc_no: '测立字〔2026〕' + tail.slice(-3) + '号' });
  assert.match(await page.textContent('#case-pending'), /“立案”待领导审批/);
  assert.equal(await page.$('#step-form'), null, 'no next step while one waits for approval');

  // The leader approves.
  const lctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const lead = await lctx.newPage();
  await login(lead, demo.base, 'leader');
  await lead.goto(caseURL);
  await Promise.all([lead.waitForLoadState('load'), lead.click('#decision-form button[value="1"]')]);
  assert.match(await lead.textContent('#case-state'), /立案/);
  await lctx.close();

  await page.goto(caseURL);
  await step('investigate');
  assert.match(await page.textContent('#case-state'), /侦查/);
  await step('solve');
  assert.match(await page.textContent('body'), /破案须至少有一名犯罪嫌疑人已被抓获或处理/);

  // A suspect, caught then detained.
  await page.goto(caseURL);
  await page.click('#suspects ~ details summary');
  await page.fill('#suspect-form input[name=name]', '测试嫌疑人');
  await page.fill('#suspect-form input[name=phone]', '13500' + tail.slice(-6));
  await page.selectOption('#suspect-form select[name=role]', 'mule');
  await Promise.all([page.waitForLoadState('load'), page.click('#suspect-form button[type=submit]')]);
  const dispose = async (kind, fields = {}) => {
    const form = '#suspect-list tr:has-text("测试嫌疑人") .disposition-form';
    await page.selectOption(`${form} select[name=kind]`, kind);
    for (const [k, v] of Object.entries(fields)) await page.fill(`${form} input[name=${k}]`, v);
    await Promise.all([page.waitForLoadState('load'), page.click(`${form} button[type=submit]`)]);
  };
  await dispose('caught', { unit: '城关派出所', place: '汽车站' });
  await dispose('detained', { doc_no: '拘字1号' });
  const disp = await page.textContent('#suspect-list tr:has-text("测试嫌疑人") .dispositions');
  assert.match(disp, /抓获/);
  assert.match(disp, /刑事拘留/);

  await step('solve');
  assert.match(await page.textContent('#case-state'), /破案/);
  await page.goto(demo.base + '/cases?state=solved');
  assert.ok((await page.$$eval('#case-list a', (as) => as.map((a) => a.href))).some((h) => h === caseURL), 'the case under 破案');
  assert.deepEqual(errors, []);
  await ctx.close();
});
