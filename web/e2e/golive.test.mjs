// 上线: a centre goes live on `fanzha serve` from an EMPTY data folder, in
// the console only (no demo code, no CLI): the one-time setup link, the
// jurisdiction tree from Excel (a GBK CSV with a bad row first: reported,
// nothing imported), a bank and its partner login, officers, a roster, an
// API token; then a warning posted through the API reaches the on-duty
// dissuader of the village's station, is worked to 已被骗, the case's
// investigator sends a freeze and the bank answers it in its inbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServe, launch, freshPage, results, enrolTwoFactor } from './server.mjs';

const testdata = new URL('../../internal/area/testdata/', import.meta.url);
const ADMIN_PW = 'Qinghe-Admin-2026';
const PW = {
  hx_quan: 'Hexi-Quan-2026!',
  hx_ban: 'Hexi-Ban-2026!',
  zhiban: 'Zhi-Ban-2026!',
  bank_qh: 'Bank-Qinghe-2026!',
};

let srv;
let browser;
let admin; // the administrator's page, kept signed in
const ids = {}; // area and unit ids found on the way

before(async () => {
  srv = await startServe();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function loginAs(page, user, password) {
  await page.goto(srv.base + '/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => u.pathname === '/login/2fa' || !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  // Two-factor login is required on serve for every role that may unmask:
  // the first login binds the authenticator.
  if (new URL(page.url()).pathname === '/login/2fa') await enrolTwoFactor(page);
}

// Submits a form and waits for the page it leads to.
async function submit(page, formSel) {
  await Promise.all([page.waitForNavigation(), page.click(`${formSel} button[type=submit]`)]);
}

// Shanghai wall-clock time as a datetime-local value.
function localInput(d) {
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return s.slice(0, 16);
}

test('an empty server asks for setup; the one-time link creates the county and the first admin', async () => {
  const ready = await (await fetch(srv.base + '/readyz')).json();
  assert.equal(ready.status, 'setup_required');
  const link = await srv.setupLink();
  admin = await freshPage(browser);
  // The login page says the system is not set up yet.
  await admin.goto(srv.base + '/login');
  await admin.waitForSelector('#login-setup-required');

  await admin.goto(link);
  await admin.fill('#setup-form input[name=county_code]', '439901');
  await admin.fill('#setup-form input[name=county_name]', '清河县');
  await admin.fill('#setup-form input[name=admin_username]', 'qh_admin');
  await admin.fill('#setup-form input[name=admin_name]', '周主任');
  await admin.fill('#setup-form input[name=password]', ADMIN_PW);
  await admin.fill('#setup-form input[name=password2]', ADMIN_PW);
  await Promise.all([admin.waitForURL((u) => ['/admin', '/login', '/login/2fa'].includes(u.pathname)), admin.click('#setup-submit')]);
  // The new admin binds an authenticator before anything else.
  if (new URL(admin.url()).pathname === '/login/2fa') await enrolTwoFactor(admin);
  if (new URL(admin.url()).pathname === '/login') await loginAs(admin, 'qh_admin', ADMIN_PW);
  assert.equal(new URL(admin.url()).pathname, '/admin');
  assert.match(await admin.textContent('body'), /系统管理/);

  // The link worked once; the setup path is closed for good.
  const again = await fetch(link);
  assert.equal(again.status, 404);
  assert.equal((await (await fetch(srv.base + '/readyz')).json()).status, 'ready');
});

test('the tree: a GBK CSV with a bad row is reported and nothing imported; the .xlsx then imports', async () => {
  await admin.goto(srv.base + '/admin/areas');
  await admin.setInputFiles('#areas-import input[name=file]', {
    name: 'county-tree-bad-gbk.csv', mimeType: 'text/csv',
    buffer: readFileSync(new URL('county-tree-bad-gbk.csv', testdata)),
  });
  await submit(admin, '#areas-import');
  const bad = await admin.textContent('#import-report');
  assert.match(bad, /20/, 'the bad row number is not in the report');
  assert.ok(await admin.locator('#import-report tr.bad-row').count() >= 1);
  const none = await admin.evaluate(async () => (await fetch('/api/v1/areas?level=station')).json());
  assert.equal(none.areas.length, 0, 'a bad file imported stations');

  await admin.goto(srv.base + '/admin/areas');
  await admin.setInputFiles('#areas-import input[name=file]', {
    name: 'county-tree.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: readFileSync(new URL('county-tree.xlsx', testdata)),
  });
  await submit(admin, '#areas-import');
  assert.match(await admin.textContent('.flash'), /导入/);
  const all = (await admin.evaluate(async () => (await fetch('/api/v1/areas')).json())).areas;
  const count = (lvl) => all.filter((a) => a.level === lvl).length;
  assert.equal(count('station'), 3);
  assert.equal(count('town'), 6);
  assert.equal(count('village'), 20);
  for (const a of all) ids[a.code] = a.id;
  assert.ok(ids['439901-PCS02'], 'no 河西派出所');
  assert.ok(ids['439901100201'], 'no 杏林村');
  await admin.screenshot({ path: new URL('golive-tree.png', results).pathname, fullPage: true });
});

test('a bank with its partner login', async () => {
  await admin.goto(srv.base + '/admin/units');
  await admin.selectOption('#unit-create select[name=kind]', 'bank');
  await admin.fill('#unit-create input[name=name]', '农业银行清河支行');
  await submit(admin, '#unit-create');
  const m = new URL(admin.url()).pathname.match(/^\/admin\/units\/(\d+)$/);
  assert.ok(m, admin.url());
  ids.bank = Number(m[1]);
  await admin.fill('#unit-user-create input[name=username]', 'bank_qh');
  await admin.fill('#unit-user-create input[name=display_name]', '刘柜员');
  await admin.fill('#unit-user-create input[name=password]', PW.bank_qh);
  await submit(admin, '#unit-user-create');
  assert.match(await admin.textContent('.flash'), /已创建合作单位账号 bank_qh/);
});

test('officers of the station and the centre', async () => {
  const mk = async (username, name, role, area) => {
    await admin.goto(srv.base + '/admin/users');
    await admin.fill('#user-create input[name=username]', username);
    await admin.fill('#user-create input[name=display_name]', name);
    await admin.selectOption('#user-create select[name=role]', role);
    await admin.selectOption('#user-create select[name=area_id]', String(area));
    await admin.fill('#user-create input[name=password]', PW[username]);
    await submit(admin, '#user-create');
    assert.match(await admin.textContent('.flash'), new RegExp(`已创建账号 ${username}`));
    return Number(new URL(admin.url()).pathname.split('/').pop());
  };
  ids.dissuader = await mk('hx_quan', '马劝阻', 'dissuader', ids['439901-PCS02']);
  ids.investigator = await mk('hx_ban', '杨办案', 'investigator', ids['439901-PCS02']);
  ids.duty = await mk('zhiban', '钱值班', 'duty', ids['439901']);
  await admin.goto(srv.base + '/admin/users');
  const rows = await admin.locator('table#users tr.user-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.username));
  for (const u of ['qh_admin', 'hx_quan', 'hx_ban', 'zhiban', 'bank_qh']) assert.ok(rows.includes(u), `${u} not listed: ${rows}`);
});

test('the roster: the dissuader is on duty now at 河西派出所', async () => {
  await admin.goto(`${srv.base}/admin/roster?area=${ids['439901-PCS02']}`);
  const now = Date.now();
  await admin.selectOption('#shift-add select[name=user_id]', String(ids.dissuader));
  await admin.fill('#shift-add input[name=starts_at]', localInput(new Date(now - 3600_000)));
  await admin.fill('#shift-add input[name=ends_at]', localInput(new Date(now + 10 * 3600_000)));
  await submit(admin, '#shift-add');
  assert.match(await admin.textContent('#on-duty-now'), /马劝阻/);
});

test('a warning posted through the API reaches that dissuader; worked to 已被骗 it opens a case; the bank answers the freeze', async () => {
  // An API token for the duty officer's system link, made in the console.
  await admin.goto(`${srv.base}/admin/users/${ids.duty}`);
  await admin.fill('#token-create input[name=label]', '上级预警对接');
  await submit(admin, '#token-create');
  const token = (await admin.textContent('#new-token')).trim();
  assert.ok(token.length > 20, 'no token shown');

  const res = await fetch(srv.base + '/api/v1/warnings', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      source: 'upper', source_ref: 'GOLIVE-0001', grade: 'fund', fraud_type: '冒充公检法', amount_fen: 5_000_000,
      person: { name: '何桂兰', phone: '13907310042', address: '清河县柳湾镇杏林村3组' },
    }),
  });
  const item = await res.json();
  assert.equal(res.status, 201, JSON.stringify(item));
  const wid = item.id ?? item.warning?.id;
  assert.ok(wid, JSON.stringify(item));
  const w = await (await fetch(`${srv.base}/api/v1/warnings/${wid}`, { headers: { Authorization: 'Bearer ' + token } })).json();
  assert.equal(w.station_id, ids['439901-PCS02'], `routed to ${JSON.stringify(w)}`);
  assert.equal(w.assignee_id, ids.dissuader, `assigned to ${w.assignee_id}`);

  // The dissuader sees it on their list, calls, and records 已被骗.
  const dis = await freshPage(browser, { viewport: { width: 390, height: 844 } });
  await loginAs(dis, 'hx_quan', PW.hx_quan);
  await dis.goto(srv.base + '/warnings/mine');
  await dis.waitForSelector(`#board-body tr[data-id="${wid}"]`);
  await dis.goto(`${srv.base}/warnings/${wid}`);
  await dis.selectOption('#contact-form select[name=result]', 'reached');
  await submit(dis, '#contact-form');
  await dis.check('#outcome-form input[value=defrauded]');
  await dis.fill('#outcome-form input[name=loss]', '50000');
  await dis.fill('#outcome-form input[name=to_account]', '6228480012345678901');
  await submit(dis, '#outcome-form');
  assert.match(await dis.textContent('.flash'), /已立案/);
  const caseHref = await dis.getAttribute('a[href^="/cases/"]', 'href');
  assert.ok(caseHref, 'no link to the case');
  await dis.closeAll();

  // The station's investigator sends a freeze to the bank from the case page.
  const inv = await freshPage(browser);
  await loginAs(inv, 'hx_ban', PW.hx_ban);
  await inv.goto(srv.base + caseHref);
  await inv.selectOption('#request-form select[name=kind]', 'freeze');
  await inv.selectOption('#request-form select[name=unit_id]', String(ids.bank));
  await inv.fill('#request-form input[name=account]', '6228480012345678901');
  await inv.fill('#request-form input[name=amount]', '50000');
  await inv.fill('#request-form input[name=reason]', '涉案账户冻结');
  await submit(inv, '#request-form');
  const m = (await inv.textContent('.flash')).match(/冻结请求 #(\d+)/);
  assert.ok(m, 'no freeze request number');
  const reqId = m[1];

  // The bank's user answers it in the inbox.
  const bank = await freshPage(browser);
  await loginAs(bank, 'bank_qh', PW.bank_qh);
  assert.equal(new URL(bank.url()).pathname, '/inbox');
  const row = bank.locator('tr', { has: bank.locator(`td:text-is("#${reqId}")`) });
  await row.locator('select[name=status]').selectOption('done');
  await row.locator('input[name=result]').fill('已冻结');
  await row.locator('input[name=amount]').fill('48000');
  await Promise.all([bank.waitForURL(/flash=/), row.locator('button[type=submit]').click()]);
  assert.match(await bank.textContent('.flash'), new RegExp(`已答复请求 #${reqId}`));
  await bank.closeAll();

  // The investigator sees the answer on the case.
  await inv.goto(srv.base + caseHref);
  const caseRow = inv.locator('#case-requests tr', { has: inv.locator(`td:text-is("#${reqId}")`) });
  assert.equal((await caseRow.locator('.req-status').textContent()).trim(), '已确认');
  assert.equal((await caseRow.locator('.req-result').textContent()).trim(), '48,000.00');
  await inv.screenshot({ path: new URL('golive-case.png', results).pathname, fullPage: true });
  await inv.closeAll();
  await admin.closeAll();
});
