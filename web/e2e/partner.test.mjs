// 联席 in the browser: a bank's console (its inbox, its tasks) and the
// centre's joint-meeting page, against a demo server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, login, freshPage } from './server.mjs';

let demo;
let browser;

before(async () => {
  // The demo's simulated bank answers its inbox by itself a few seconds
  // after a request arrives; here a person at the bank's console answers,
  // so it waits an hour.
  process.env.FANZHA_SIM_BANK_DELAY = '1h';
  demo = await startDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});


async function api(token, method, path, body) {
  const res = await fetch(demo.base + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

test('the bank sees only its unit, answers a freeze with an amount, and the case shows it', async () => {
  const bankTok = demo.token('bank');
  const invTok = demo.token('investigator');
  const me = await api(bankTok, 'GET', '/api/v1/partner/me');
  assert.equal(me.status, 200);
  const unit = me.json.unit;
  const cases = await api(invTok, 'GET', '/api/v1/cases');
  assert.ok(cases.json.cases.length > 0, 'the investigator has no cases');
  const caseId = cases.json.cases[0].id;
  const units = (await api(invTok, 'GET', '/api/v1/units')).json.units;
  const unitIds = new Set(units.filter((u) => u.id === unit.id || u.parent_id === unit.id).map((u) => u.id));
  const otherBank = units.find((u) => u.kind === 'bank' && !u.parent_id && u.id !== unit.id);
  assert.ok(otherBank, 'no other bank in the demo');
  // A freeze for another bank: the bank must never see it.
  const theirs = await api(invTok, 'POST', `/api/v1/cases/${caseId}/requests`,
    { kind: 'freeze', unit_id: otherBank.id, account: '6228480000000000077', amount_fen: 100000, reason: 'E2E 他行冻结' });
  assert.equal(theirs.status, 201);

  // The investigator sends a freeze to the bank from the case page.
  const inv = await freshPage(browser);
  await login(inv, demo.base, 'investigator');
  await inv.goto(`${demo.base}/cases/${caseId}`);
  await inv.selectOption('#request-form select[name=kind]', 'freeze');
  await inv.selectOption('#request-form select[name=unit_id]', String(unit.id));
  await inv.fill('#request-form input[name=account]', '6222020000000000042');
  await inv.fill('#request-form input[name=amount]', '12345.67');
  await inv.fill('#request-form input[name=reason]', 'E2E 涉案账户冻结');
  await Promise.all([inv.waitForURL(/flash=/), inv.click('#request-form button[type=submit]')]);
  const flash = await inv.textContent('.flash');
  const m = flash.match(/冻结请求 #(\d+)/);
  assert.ok(m, flash);
  const reqId = m[1];

  // The bank logs in: its inbox has the request, and nothing of another unit.
  const bank = await freshPage(browser);
  await login(bank, demo.base, 'bank');
  assert.equal(new URL(bank.url()).pathname, '/inbox');
  const text = await bank.textContent('main');
  assert.ok(text.includes('6222020000000000042'), 'the freeze is not in the inbox');
  assert.ok(!text.includes('6228480000000000077'), "another bank's request is in the inbox");
  const inbox = await bank.evaluate(async () => (await fetch('/api/v1/partner/requests')).json());
  assert.ok(inbox.requests.length > 0);
  for (const r of inbox.requests) assert.ok(unitIds.has(r.unit_id), `request #${r.id} of unit ${r.unit_id}`);
  const officerOnly = await bank.evaluate(async (id) => (await fetch(`/api/v1/cases/${id}/requests`)).status, caseId);
  assert.equal(officerOnly, 403);

  // It answers the freeze with the frozen amount.
  const row = bank.locator('tr', { has: bank.locator(`td:text-is("#${reqId}")`) });
  await row.locator('select[name=status]').selectOption('done');
  await row.locator('input[name=result]').fill('已冻结');
  await row.locator('input[name=amount]').fill('9876.54');
  await Promise.all([bank.waitForURL(/flash=/), row.locator('button[type=submit]').click()]);
  assert.match(await bank.textContent('.flash'), new RegExp(`已答复请求 #${reqId}`));

  // The case page shows the answer and the amount.
  await inv.goto(`${demo.base}/cases/${caseId}`);
  const caseRow = inv.locator('#case-requests tr', { has: inv.locator(`td:text-is("#${reqId}")`) });
  assert.equal((await caseRow.locator('.req-status').textContent()).trim(), '已确认');
  assert.equal((await caseRow.locator('.req-result').textContent()).trim(), '9,876.54');
  await inv.closeAll();
  await bank.closeAll();
});

test('a joint meeting gives the bank a task; the bank reports progress; the centre sees it', async () => {
  const invTok = demo.token('investigator');
  const me = await api(demo.token('bank'), 'GET', '/api/v1/partner/me');
  const unit = me.json.unit;
  // A query to the bank, so the figures have it whatever ran before.
  const caseId = (await api(invTok, 'GET', '/api/v1/cases')).json.cases[0].id;
  assert.equal((await api(invTok, 'POST', `/api/v1/cases/${caseId}/requests`,
    { kind: 'query', unit_id: unit.id, account: '6222020000000000043', reason: 'E2E 账户查询' })).status, 201);
  const centre = await freshPage(browser);
  await login(centre, demo.base, 'investigator');
  await centre.goto(demo.base + '/joint');
  await centre.fill('#meeting-form input[name=title]', 'E2E 第四季度联席会议');
  await centre.fill('#meeting-form input[name=attendees]', '中心、各银行分管负责人');
  await centre.selectOption('#meeting-form select[name=unit_id]', [String(unit.id)]);
  await centre.fill('#meeting-form textarea[name=decisions]', '一、各行网点张贴反诈提示。');
  await Promise.all([centre.waitForURL(/flash=/), centre.click('#meeting-form button[type=submit]')]);
  assert.ok((await centre.textContent('#meetings')).includes('E2E 第四季度联席会议'));
  await centre.selectOption('#task-form select[name=unit_id]', String(unit.id));
  const meetings = (await api(invTok, 'GET', '/api/v1/joint/meetings')).json.meetings;
  const meeting = meetings.find((x) => x.title === 'E2E 第四季度联席会议');
  assert.ok(meeting && meeting.units.some((u) => u.id === unit.id), JSON.stringify(meetings[0]));
  await centre.selectOption('#task-form select[name=meeting_id]', String(meeting.id));
  await centre.fill('#task-form input[name=owner]', '王行长');
  await centre.fill('#task-form input[name=due_on]', '2030-01-31');
  await centre.fill('#task-form input[name=title]', 'E2E 网点反诈提示张贴');
  await Promise.all([centre.waitForURL(/flash=/), centre.click('#task-form button[type=submit]')]);
  const taskId = (await centre.textContent('.flash')).match(/任务 #(\d+)/)[1];
  // The figures for the meeting's review include the bank.
  assert.ok((await centre.textContent('#figures')).includes(unit.name), 'the bank is not in the figures');

  const bank = await freshPage(browser);
  await login(bank, demo.base, 'bank');
  await bank.goto(demo.base + '/unit');
  const row = bank.locator('#unit-tasks tr', { has: bank.locator(`td:text-is("#${taskId}")`) });
  assert.ok((await row.textContent()).includes('E2E 网点反诈提示张贴'));
  await row.locator('select[name=status]').selectOption('done');
  await row.locator('input[name=note]').fill('已在全部网点张贴');
  await Promise.all([bank.waitForURL(/flash=/), row.locator('button[type=submit]').click()]);
  const done = bank.locator('#unit-tasks tr', { has: bank.locator(`td:text-is("#${taskId}")`) });
  assert.equal((await done.locator('.task-status').textContent()).trim(), '已完成');
  assert.ok((await done.textContent()).includes('已在全部网点张贴'));
  // The bank's page has no officer pages behind it.
  assert.equal((await bank.goto(demo.base + '/joint')).status(), 403);

  await centre.goto(demo.base + '/joint');
  const crow = centre.locator('#tasks tr', { has: centre.locator(`td:text-is("#${taskId}")`) });
  assert.equal((await crow.locator('.task-status').textContent()).trim(), '已完成');
  await centre.closeAll();
  await bank.closeAll();
});
