// Loads the driftd dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), checks what it shows, and saves a screenshot.
//
//   node check_dashboard.mjs --url http://127.0.0.1:8080/#token=VIEWER_TOKEN \
//        --screenshot out/dashboard.png [--empty] [--no-unauthorized-check]
//
// --empty expects a fresh install (no devices, baselines, runs): empty states instead of
// tables. Every request the page makes must stay on the dashboard's own origin. Prints one
// line per check and a closing "N passed, M failed" line; exits 1 if any check failed,
// 2 on usage errors.
import { chromium } from 'playwright-core';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];
const TIMEOUT_MS = 20000;

function parseArgs(argv) {
  const args = { url: null, screenshot: null, empty: false, unauthorized: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') args.url = argv[++i];
    else if (a === '--screenshot') args.screenshot = argv[++i];
    else if (a === '--empty') args.empty = true;
    else if (a === '--no-unauthorized-check') args.unauthorized = false;
    else { console.error(`unknown argument: ${a}`); process.exit(2); }
  }
  if (!args.url || !args.screenshot || !/#token=./.test(args.url)) {
    console.error('usage: check_dashboard.mjs --url URL#token=TOKEN --screenshot PATH [--empty] [--no-unauthorized-check]');
    process.exit(2);
  }
  return args;
}

const results = [];
function check(name, ok, detail) {
  results.push({ name, ok: Boolean(ok) });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? ` (${detail})` : ''}`);
}

// A page that records script errors and fails any request leaving the dashboard's origin.
async function openPage(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems = { errors: [], foreign: [] };
  page.on('pageerror', (e) => problems.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.errors.push(m.text()); });
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === origin || u.protocol === 'data:') return route.continue();
    problems.foreign.push(u.href);
    return route.abort();
  });
  return { context, page, problems };
}

async function checkDashboard(browser, args) {
  const origin = new URL(args.url).origin;
  const { context, page, problems } = await openPage(browser, origin);
  await page.goto(args.url, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS });
  await page.waitForSelector('#drift-chart[data-rendered="true"]', { timeout: TIMEOUT_MS });

  check('the token left the address bar', !page.url().includes('token='), page.url());
  const stored = await page.evaluate(() => localStorage.getItem('driftd.viewerToken'));
  const given = decodeURIComponent(/#token=([^&]+)/.exec(args.url)[1]);
  check('the token is kept in local storage', stored === given);
  check('the token dialog is closed', !(await page.locator('#token-dialog').evaluate((d) => d.open)));
  if (args.empty) {
    check('the fleet status shows a status or says there is none yet',
      (await page.locator('#fleet-body .badge, #fleet-body .empty').count()) > 0);
  } else {
    check('the fleet status shows a status badge', (await page.locator('#fleet-body .badge').count()) > 0);
  }

  if (args.empty) {
    check('devices show an empty state', (await page.locator('#devices-body .empty').count()) === 1);
    check('retrain runs show an empty state', (await page.locator('#retrains-body .empty').count()) === 1);
    check('baselines show an empty state', (await page.locator('#baselines-body .empty').count()) === 1);
  } else {
    await page.waitForSelector('#drift-chart[data-points]:not([data-points="0"])', { timeout: TIMEOUT_MS });
    const points = Number(await page.locator('#drift-chart').getAttribute('data-points'));
    check('the drift chart drew points', points > 0, `points=${points}`);
    check('the chart legend lists features', (await page.locator('#chart-legend input[type=checkbox]').count()) > 0);
    check('the feature table has rows', (await page.locator('#fleet-body table tbody tr').count()) > 0);
    check('the device table has rows', (await page.locator('#devices-body table tbody tr').count()) > 0);
    check('the baseline table has rows', (await page.locator('#baselines-body table tbody tr').count()) > 0);
    const runs = page.locator('#retrains-body table tbody tr');
    check('the retrain table has rows', (await runs.count()) > 0);
    if ((await runs.count()) > 0) {
      await runs.first().locator('button').click();
      await page.waitForSelector('#retrain-detail:not([hidden]) .detail-head', { timeout: TIMEOUT_MS });
      check('a retrain run opens with its steps',
        (await page.locator('#retrain-detail .steps li, #retrain-detail .empty').count()) > 0);
    }
  }
  check('no section shows an error', (await page.locator('.error-box:not(#retrain-detail .error-box)').count()) === 0,
    await page.locator('.error-box').allTextContents().then((t) => t.join(' | ')));
  check('no script error', problems.errors.length === 0, problems.errors.join(' | '));
  check('no request left the dashboard origin', problems.foreign.length === 0, problems.foreign.join(', '));
  await page.screenshot({ path: args.screenshot, fullPage: true });
  await context.close();
}

async function checkUnauthorized(browser, args) {
  const url = new URL(args.url);
  url.hash = 'token=not-a-valid-token';
  const { context, page } = await openPage(browser, url.origin);
  await page.goto(url.href, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await page.waitForFunction(() => document.getElementById('token-dialog').open, null, { timeout: TIMEOUT_MS });
  check('a refused token brings the token dialog back', true);
  const stored = await page.evaluate(() => localStorage.getItem('driftd.viewerToken'));
  check('a refused token is forgotten', stored === null, `stored=${stored}`);
  // Typing the right token into the dialog signs in.
  const given = decodeURIComponent(/#token=([^&]+)/.exec(args.url)[1]);
  await page.fill('#token-input', given);
  await page.click('#token-form button[type=submit]');
  await page.waitForFunction(() => !document.getElementById('token-dialog').open, null, { timeout: TIMEOUT_MS });
  await page.waitForSelector('#fleet-body .badge', { timeout: TIMEOUT_MS });
  check('a token typed into the dialog signs in',
    (await page.evaluate(() => localStorage.getItem('driftd.viewerToken'))) === given);
  // Refusals of the old token that arrive late (run_fixture_check.sh delays them 1.5 s) must
  // leave the new token and the signed-in page alone.
  await page.waitForTimeout(2500);
  check('a late refusal of the old token keeps the new one',
    (await page.evaluate(() => localStorage.getItem('driftd.viewerToken'))) === given &&
      !(await page.locator('#token-dialog').evaluate((d) => d.open)));
  await page.waitForSelector('#retrains-body table tbody tr', { timeout: TIMEOUT_MS });
  check('the sections load with the new token', (await page.locator('#fleet-body .badge').count()) > 0);
  await context.close();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
  });
  try {
    await checkDashboard(browser, args);
    if (args.unauthorized) await checkUnauthorized(browser, args);
  } catch (e) {
    check('the dashboard loaded', false, e.message.split('\n')[0]);
  } finally {
    await browser.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
