// Issue 23's acceptance in the browser: an investigator adds a suspect,
// records 抓获 then 刑事拘留 and moves the case to 破案 (受理, 立案 approved by
// the leader, 侦查); the leader's monthly bulletin and the 大屏 count it — 破案
// and 抓获 each go up by one. On the way the investigator gives a task on
// the case (done, then shown as done), writes a note, and opens the
// printable case summary.
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

// today is the date in Beijing, YYYY-MM-DD.
function today() {
  const d = new Date(Date.now() + 8 * 3600_000);
  return d.toISOString().slice(0, 10);
}

// bulletinStrike reads 本期 of the 打击战果 rows of this month's bulletin of
// the leader's county.
async function bulletinStrike(page) {
  await page.goto(demo.base + '/bulletins');
  await page.selectOption('#bulletin-form select[name=kind]', 'monthly');
  await page.fill('#bulletin-form input[name=date]', today());
  await Promise.all([page.waitForURL('**/bulletins/report?**'), page.click('#bulletin-form button[type=submit]')]);
  const rows = await page.$$eval('#t-strike tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const cell = (label) => {
    const row = rows.find((r) => r[0] === label);
    assert.ok(row, `no ${label} row in the bulletin's 打击战果: ${JSON.stringify(rows)}`);
    return Number(row[1].replace(/,/g, ''));
  };
  return { solved: cell('破案（起）'), caught: cell('抓获（人）') };
}

// dashboardStrike reads the 大屏's 本年打击战果 counters.
async function dashboardStrike(page) {
  await page.goto(demo.base + '/dashboard');
  const v = async (k) => Number((await page.textContent(`#dash-strike [data-k="${k}"] .v`)).replace(/,/g, ''));
  return { solved: await v('solved'), caught: await v('caught'), criminal: await v('criminal') };
}

test('a case solved on its page counts in the monthly bulletin and on the 大屏; tasks and notes on the case', async () => {
  const lctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const lead = await lctx.newPage();
  await login(lead, demo.base, 'leader');
  const bulletinBefore = await bulletinStrike(lead);
  const dashBefore = await dashboardStrike(lead);

  const ctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'investigator');

  // The report, an hour ago.
  const d = new Date(Date.now() - 3600_000 + 8 * 3600_000);
  const p = (n) => String(n).padStart(2, '0');
  const local = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  const tail = String(Date.now()).slice(-9);
  await page.goto(demo.base + '/cases/new');
  await page.fill('input[name=name]', '战果测试受害人');
  await page.fill('textarea[name=summary]', '受害人被冒充客服诱导转账。');
  await page.fill('input[name=at_0]', local);
  await page.fill('input[name=from_account_0]', '6228481111' + tail);
  await page.fill('input[name=to_account_0]', '6222021111' + tail);
  await page.fill('input[name=amount_0]', '6,500.00');
  await Promise.all([page.waitForURL(/\/cases\/\d+/), page.click('#case-form button[type=submit]')]);
  const caseURL = page.url().split('?')[0].split('#')[0];

  // A task for an investigator of the case, due today, then done.
  await page.fill('#task-form input[name=title]', '调取收款账户流水');
  await page.fill('#task-form input[name=due]', today());
  await Promise.all([page.waitForLoadState('load'), page.click('#task-form button[type=submit]')]);
  const task = '#case-tasks tr:has-text("调取收款账户流水")';
  assert.match(await page.textContent(`${task} .task-status`), /进行中/);
  await Promise.all([page.waitForLoadState('load'), page.click(`${task} .task-done button`)]);
  assert.match(await page.textContent(`${task} .task-status`), /已完成/);
  // A note.
  await page.fill('#note-form textarea[name=body]', '已联系收款行，等待流水。');
  await Promise.all([page.waitForLoadState('load'), page.click('#note-form button[type=submit]')]);
  assert.match(await page.textContent('#case-notes'), /已联系收款行，等待流水。/);

  const step = async (action, fields = {}) => {
    await page.selectOption('#step-form select[name=action]', action);
    for (const [k, v] of Object.entries(fields)) await page.fill(`#step-form input[name=${k}]`, v);
    await Promise.all([page.waitForLoadState('load'), page.click('#step-form button[type=submit]')]);
  };
  await step('accept');
  await step('file', { doc_no: '战立字〔2026〕' + tail.slice(-3) + '号' });
  assert.match(await page.textContent('#case-pending'), /“立案”待领导审批/);
  await lead.goto(caseURL);
  await Promise.all([lead.waitForLoadState('load'), lead.click('#decision-form button[value="1"]')]);
  assert.match(await lead.textContent('#case-state'), /立案/);
  await page.goto(caseURL);
  await step('investigate');
  assert.match(await page.textContent('#case-state'), /侦查/);

  // The suspect, caught then detained.
  await page.click('#suspects ~ details summary');
  await page.fill('#suspect-form input[name=name]', '战果测试嫌疑人');
  await page.fill('#suspect-form input[name=phone]', '13600' + tail.slice(-6));
  await page.selectOption('#suspect-form select[name=role]', 'mule');
  await Promise.all([page.waitForLoadState('load'), page.click('#suspect-form button[type=submit]')]);
  const dispose = async (kind, fields = {}) => {
    const form = '#suspect-list tr:has-text("战果测试嫌疑人") .disposition-form';
    await page.selectOption(`${form} select[name=kind]`, kind);
    for (const [k, v] of Object.entries(fields)) await page.fill(`${form} input[name=${k}]`, v);
    await Promise.all([page.waitForLoadState('load'), page.click(`${form} button[type=submit]`)]);
  };
  await dispose('caught', { unit: '城关派出所', place: '火车站' });
  await dispose('detained', { doc_no: '拘字' + tail.slice(-3) + '号' });
  const disp = await page.textContent('#suspect-list tr:has-text("战果测试嫌疑人") .dispositions');
  assert.match(disp, /抓获[\s\S]*刑事拘留/);
  await step('solve');
  assert.match(await page.textContent('#case-state'), /破案/);

  // The printable summary holds the suspect, the task's case and the steps.
  const summaryHref = await page.getAttribute('#case-summary-link', 'href');
  await page.goto(demo.base + summaryHref);
  assert.equal(await page.$('header.top'), null, 'the printable summary has no console header');
  assert.match(await page.textContent('#summary-suspects'), /战果测试嫌疑人/);
  assert.match(await page.textContent('#summary-dispositions'), /抓获[\s\S]*刑事拘留/);
  assert.match(await page.textContent('#summary-steps'), /破案/);
  assert.match(await page.textContent('#summary-state'), /破案/);
  assert.ok((await page.pdf({ format: 'A4' })).length > 20_000, 'the summary prints on A4');

  // The leader's monthly bulletin and the 大屏 count it.
  const bulletinAfter = await bulletinStrike(lead);
  assert.deepEqual(bulletinAfter, { solved: bulletinBefore.solved + 1, caught: bulletinBefore.caught + 1 });
  const dashAfter = await dashboardStrike(lead);
  assert.deepEqual(dashAfter, { solved: dashBefore.solved + 1, caught: dashBefore.caught + 1, criminal: dashBefore.criminal + 1 });
  assert.deepEqual(errors, []);
  await ctx.close();
  await lctx.close();
});

test('the case page with its work panels and 战役督办 fit a phone', async () => {
  const ctx = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'investigator');
  await page.goto(demo.base + '/campaigns');
  // The demo county's year holds a 集群战役 with cases.
  const rows = await page.$$eval('#campaign-list tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.ok(rows.some((r) => r[0] === '集群战役' && Number(r[4]) > 0), `campaigns: ${JSON.stringify(rows)}`);
  let scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 390, `战役督办 is ${scroll} px wide`);
  await Promise.all([page.waitForURL(/\/campaigns\/\d+/), page.click('#campaign-list tbody tr:first-child td:nth-child(2) a')]);
  await Promise.all([page.waitForURL(/\/cases\/\d+/), page.click('#campaign-cases tbody tr:first-child a')]);
  assert.ok(await page.isVisible('#task-form'), 'the task form on a phone');
  assert.ok(await page.isVisible('#case-campaigns .tag'), 'the case shows its campaign');
  scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 390, `the case page is ${scroll} px wide`);
  assert.deepEqual(errors, []);
  await ctx.close();
});
