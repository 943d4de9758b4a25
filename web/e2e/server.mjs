// Starts `fanzha demo` on a free port with a fresh data folder, waits until
// it is ready, and stops it afterwards. FANZHA_BIN points at the binary.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const bin = process.env.FANZHA_BIN || new URL('../../bin/fanzha', import.meta.url).pathname;
export const PASSWORD = 'fanzha-demo';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// Waits until base/readyz answers 200, failing if the process exits first or
// the time runs out; removes dir on failure.
async function waitReady(name, proc, isExited, base, dir, seconds, output) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const exited = isExited();
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`fanzha ${name} exited (${exited.code ?? exited.signal}) before it was ready:\n` + output());
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`fanzha ${name} did not become ready in ${seconds} s:\n` + output());
    }
    try {
      const r = await fetch(base + '/readyz');
      if (r.status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Stops the process (SIGTERM, SIGKILL after 10 s) and removes its folder.
async function stopProcess(proc, isExited, dir) {
  if (!isExited()) {
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), 'fanzha-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // A new demo warning every 2 s on average, so the live figures move.
  const proc = spawn(bin, ['demo', '--addr', `127.0.0.1:${port}`, '--data', dir, '--trickle', '2s', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let exited = null;
  proc.once('exit', (code, signal) => { exited = { code, signal }; });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  await waitReady('demo', proc, () => exited, base, dir, 90, () => out);
  return {
    base, dir,
    token(user) { return execFileSync(bin, ['user', 'token', '--data', dir, '--user', user]).toString().trim(); },
    stop() { return stopProcess(proc, () => exited, dir); },
  };
}

// Debian's Chromium, headless, with a fresh temporary profile (launch()
// makes one per browser and removes it on close) and nothing that calls out
// to the internet.
export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A browser context as a Chinese user has it.
export function newContext(browser, options = {}) {
  return browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
}

// A page in a fresh context (its own cookies), as a Chinese user;
// page.closeAll() closes its context.
export async function freshPage(browser, options) {
  const ctx = await newContext(browser, options);
  const page = await ctx.newPage();
  page.closeAll = () => ctx.close();
  return page;
}

// The folder screenshots and downloads of the tests go to.
export const results = new URL('../test-results/', import.meta.url);
mkdirSync(results, { recursive: true });

export async function login(page, base, user) {
  await page.goto(base + '/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

// Starts `fanzha serve` on an EMPTY data folder, as a centre does on its first
// day: no demo code, no county, no users. Resolves once /readyz answers; the
// log (stderr) is kept, so the test can read the one-time setup link.
export async function startServe(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'fanzha-golive-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data', dir, '--log-level', 'info', ...extraArgs],
    { stdio: ['ignore', 'inherit', 'pipe'] });
  let exited = null;
  proc.once('exit', (code, signal) => { exited = { code, signal }; });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  await waitReady('serve', proc, () => exited, base, dir, 60, () => log);
  return {
    base, dir,
    log() { return log; },
    // The setup link printed in the log on a first start.
    async setupLink() {
      const until = Date.now() + 10_000;
      for (;;) {
        const m = log.match(/(https?:\/\/[^\s"]+\/setup\?token=[A-Za-z0-9_\-]+)/);
        if (m) return m[1];
        if (Date.now() > until) throw new Error('no setup link in the log:\n' + log);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop() { return stopProcess(proc, () => exited, dir); },
  };
}

// The 6-digit TOTP code (RFC 6238: SHA-1, 30 s) of a base32 secret, as an
// authenticator app shows it.
export function totpCode(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, val = 0;
  const key = [];
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    val = ((val << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) { key.push((val >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const h = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// On `fanzha serve` the admin and every officer who may unmask must use
// two-factor login: a first login ends on the enrolment step (/login/2fa).
// enrolTwoFactor binds the "app" (reads the secret shown, types the code),
// checks the ten recovery codes and goes on; it returns the secret.
export async function enrolTwoFactor(page) {
  const secret = (await page.textContent('#totp-secret')).trim();
  await page.fill('#totp-enrol-form input[name=code]', totpCode(secret));
  await Promise.all([page.waitForSelector('#recovery-codes'), page.click('#totp-enrol-form button[type=submit]')]);
  const codes = await page.locator('#recovery-codes li').count();
  if (codes !== 10) throw new Error(`enrolment showed ${codes} recovery codes`);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('#continue')]);
  return secret;
}
