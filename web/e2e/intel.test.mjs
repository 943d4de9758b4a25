// 两卡研判 in the browser: an analyst rescores the demo county, opens the
// highest mule account with its explanation, expands it two hops in the
// graph explorer and opens the case the money came from.
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

test('analyst opens a mule account, expands two hops and opens the linked case', async () => {
  const ctx = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, demo.base, 'analyst');

  await page.goto(demo.base + '/intel/watch');
  await Promise.all([page.waitForURL(/flash=/), page.click('#rescore')]);
  assert.match(await page.textContent('.flash, body'), /已重新评分/);

  // The top account is on the watch list, masked, with its reasons.
  const first = page.locator('#watch-accounts tbody tr').first();
  const shown = (await first.locator('td').first().textContent()).trim();
  assert.match(shown, /^\*\*\*\* \d{4}$/, `account shown as ${shown}`);
  assert.ok(await first.locator('.tag').count() > 0, 'no reasons on the watch list');
  await Promise.all([page.waitForURL(/\/intel\/accounts\/\d+/), first.locator('a').first().click()]);

  // The explanation adds up to the score.
  const score = Number(await page.textContent('#score').then((s) => s.trim().split(/\s/)[0]));
  const parts = await page.$$eval('#explain tbody tr td:last-child', (tds) => tds.map((td) => Number(td.textContent)));
  const sum = parts.reduce((a, b) => a + b, 0);
  assert.ok(score > 40, `top score ${score}`);
  assert.ok(Math.abs(sum - score) < 0.011, `contributions ${sum} vs score ${score}`);

  // Two hops in the graph explorer.
  await Promise.all([page.waitForURL(/\/intel\/graph\?node=/), page.click('#open-graph')]);
  await page.selectOption('#graph-form select[name=hops]', '2');
  await page.click('#expand-start');
  await page.waitForFunction(() => /共 \d+ 个实体/.test(document.getElementById('graph-status').textContent));
  const hops = await page.$$eval('#graph-nodes tbody tr td:first-child', (tds) => tds.map((td) => Number(td.textContent)));
  assert.ok(hops.includes(0) && hops.includes(1) && hops.includes(2), `hops ${[...new Set(hops)]}`);
  assert.ok(Math.max(...hops) <= 2);
  // The canvas was drawn by ECharts.
  assert.ok(await page.locator('#intel-graph canvas').count() > 0);
  // The colour key sits above the chart, not on the canvas.
  assert.match(await page.locator('#graph-legend').textContent(), /银行卡/);

  // Filtering out cases removes them from the list; putting them back
  // returns them.
  const cases = () => page.locator('#graph-nodes tbody tr[data-type="case"]').count();
  const before = await cases();
  assert.ok(before > 0, 'no case within two hops of a mule account');
  await page.uncheck('#graph-types input[value=case]');
  assert.equal(await cases(), 0);
  await page.check('#graph-types input[value=case]');
  assert.equal(await cases(), before);

  // Open the linked case.
  const link = page.locator('#graph-nodes a.open-case').first();
  const href = await link.getAttribute('href');
  await Promise.all([page.waitForURL(/\/cases\/\d+$/), link.click()]);
  assert.equal(new URL(page.url()).pathname, href);
  assert.match(await page.textContent('h1'), /案件/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
