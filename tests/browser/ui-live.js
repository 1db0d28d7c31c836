// Opens the live twin's /ui page in Debian's headless chromium (through playwright-core), reads
// the dependency table, deletes the SQL zone's VNet link through the ARM face, and waits for the
// SQL row to change. Prints one JSON object with what it saw; crates/cli/tests/ui_browser.rs
// starts the twin, runs this and judges the result.
//
// Environment: PRIVLINK_UI_URL (the /ui?token=... address privlink up printed), PRIVLINK_ARM_URL,
// PRIVLINK_ARM_TOKEN (a bearer token for ARM), PRIVLINK_DELETE_ID (the ARM id to delete),
// PRIVLINK_WATCH_TO (the row's host:port), PRIVLINK_SCREENSHOTS (a directory),
// PRIVLINK_CHROMIUM (default /usr/bin/chromium). NODE_PATH names the node_modules holding
// playwright-core.
'use strict';

const path = require('path');
const { chromium } = require('playwright-core');

const env = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// Chromium as root, offline: no sandbox (root), no GPU, nothing fetched in the background, and a
// host resolver that answers only loopback, so nothing leaves the machine. playwright-core gives
// the browser a fresh profile directory of its own.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-features=MediaRouter,OptimizationHints,Translate',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

async function rows(page) {
  return page.$$eval('#dependencies tr.row', (trs) => trs.map((tr) => ({
    app: tr.dataset.app,
    to: tr.dataset.to,
    result: tr.querySelector('td.result').textContent.trim(),
    decided: tr.querySelector('td.decided').textContent.trim(),
    access: tr.querySelector('td.access').textContent.trim(),
  })));
}

async function main() {
  const uiUrl = env('PRIVLINK_UI_URL');
  const watchTo = env('PRIVLINK_WATCH_TO');
  const shots = env('PRIVLINK_SCREENSHOTS');
  const browser = await chromium.launch({
    executablePath: env('PRIVLINK_CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const out = {};
  try {
    // The twin's certificate is signed by its own CA, which this fresh profile does not know.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const failures = [];
    page.on('requestfailed', (r) => failures.push(`${r.url().replace(/token=[0-9a-f]+/, 'token=…')}: ${r.failure().errorText}`));
    page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));

    await page.goto(uiUrl);
    await page.waitForSelector('#dependencies tr.row', { timeout: 15000 });
    await page.waitForFunction(() => document.body.dataset.updates !== undefined, null, { timeout: 15000 });
    out.before = { summary: (await page.textContent('#summary')).trim(), rows: await rows(page) };
    // The diagram is an <img> of privlink graph's SVG once it has loaded and has a size.
    out.diagram = await page.$eval('#diagram', (d) => {
      const img = d.querySelector('img');
      return img && img.complete && img.naturalWidth > 0 ? 'image' : d.textContent.trim();
    });
    await page.screenshot({ path: path.join(shots, 'before.png'), fullPage: true });

    // The write, through the ARM face as az would send it; the clock starts when it is sent.
    const sent = Date.now();
    const deleted = await context.request.delete(
      `${env('PRIVLINK_ARM_URL')}${env('PRIVLINK_DELETE_ID')}?api-version=2024-06-01`,
      { headers: { Authorization: `Bearer ${env('PRIVLINK_ARM_TOKEN')}` } });
    out.delete_status = deleted.status();
    out.delete_ms = Date.now() - sent;
    try {
      await page.waitForFunction((to) => {
        const tr = [...document.querySelectorAll('#dependencies tr.row')].find((r) => r.dataset.to === to);
        return tr && tr.querySelector('td.result').textContent.trim() === 'public / denied';
      }, watchTo, { timeout: 5000, polling: 20 });
      out.turned_ms = Date.now() - sent;
    } catch (e) {
      out.turned_ms = null;
      out.wait_error = e.message.split('\n')[0];
    }
    out.after = { summary: (await page.textContent('#summary')).trim(), rows: await rows(page) };
    await page.screenshot({ path: path.join(shots, 'after.png'), fullPage: true });

    // Click-through: the row's trace hop by hop and its DNS chain.
    await page.click(`#dependencies tr.row[data-to="${watchTo}"]`);
    await page.waitForFunction(() => !document.getElementById('detail').hidden, null, { timeout: 5000 });
    out.detail = {
      title: (await page.textContent('#detail-title')).trim(),
      trace: await page.textContent('#detail-trace'),
      resolution: await page.textContent('#detail-resolution'),
      findings: await page.$$eval('#detail-findings .finding', (fs) => fs.map((f) => ({
        code: f.querySelector('.code').textContent,
        fix: (f.querySelector('pre.fix') || { textContent: '' }).textContent,
      }))),
    };
    await page.screenshot({ path: path.join(shots, 'after-trace.png'), fullPage: true });
    out.findings = await page.$$eval('#findings .finding .code', (cs) => cs.map((c) => c.textContent));
    out.failures = failures;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
