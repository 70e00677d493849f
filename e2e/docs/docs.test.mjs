// Real-browser test of the Swagger UI page the server serves at /docs.
//
// It starts the real server (a fresh SQLite file, an ephemeral port), drives
// the Debian chromium with playwright-core (no browser is ever downloaded)
// and checks what a reader of the docs relies on: the operations render,
// "Try it out" reaches this server, the text/csv media type works, the
// Authorize dialog carries the admin token to a protected operation, and the
// page loads nothing from any other host, breaks no CSP rule and logs no
// error. A full-page screenshot lands in build/docs/swagger-ui.png.
//
//   npm ci && node --test docs.test.mjs
//
// Environment:
//   NINJAGOLD_BIN     a prebuilt server binary (otherwise `go build` runs here)
//   GO                the go command to build with (default "go")
//   CHROMIUM          the browser (default /usr/bin/chromium)
//   DOCS_SCREENSHOT   where the screenshot goes (default build/docs/swagger-ui.png)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshotPath = path.resolve(repoRoot, process.env.DOCS_SCREENSHOT || 'build/docs/swagger-ui.png');
const adminToken = 'docs-e2e-admin-token';

// Guards against a hang, not budgets: a slow run is no failure (speed is
// measured in benchmarks). The bounds are generous: on a machine under
// load, with a browser just installed, its nine tests took 73 s (the build,
// when this file does it, comes before and is not counted); at a load
// average of 9 on two cores, two tests of the Authorize dialog, no step of
// them past STEP_TIMEOUT, took over 30 s.
const SUITE_TIMEOUT = 600_000;
const STEP_TIMEOUT = 10_000; // one UI step (render, click, response)
const TEST_TIMEOUT = 90_000; // one test

const state = {
  tmp: '', // temp dir: database, browser profile, maybe the binary
  server: null, // child process
  serverOutput: '', // its stdout+stderr, shown when something fails
  origin: '', // http://127.0.0.1:PORT
  context: null, // persistent browser context (closing it closes chromium)
  page: null,
  requests: [], // every URL the page asked for
  consoleErrors: [], // console messages of type error (CSP violations included)
  expectedConsoleErrors: [], // errors a test provoked on purpose (matched and removed once each)
  pageErrors: [], // uncaught exceptions
  cspViolations: [], // securitypolicyviolation events seen by the page
  docsHeaders: {}, // headers of the /docs response
  encodings: {}, // path of each /docs/ file and of /openapi.yaml -> its Content-Encoding ('' for none)
};

// buildServer compiles the server into the temp dir unless NINJAGOLD_BIN
// names one already.
function buildServer() {
  if (process.env.NINJAGOLD_BIN) return path.resolve(process.env.NINJAGOLD_BIN);
  const bin = path.join(state.tmp, 'ninjagold');
  execFileSync(process.env.GO || 'go', ['build', '-o', bin, './cmd/ninjagold'], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return bin;
}

// startServer runs the binary on 127.0.0.1:0 (the kernel picks a free port,
// so there is no race with other processes) and resolves with the origin the
// server prints once it listens.
function startServer(bin) {
  const db = path.join(state.tmp, 'ninjagold.db');
  const child = spawn(bin, ['--addr', '127.0.0.1:0', '--db', db], {
    cwd: state.tmp,
    env: { ...process.env, NINJAGOLD_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  state.server = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s:\n${state.serverOutput}`)), 15_000);
    const onData = (chunk) => {
      state.serverOutput += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(state.serverOutput);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (c) => (state.serverOutput += c));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${state.serverOutput}`));
    });
  });
}

function stopServer() {
  const child = state.server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// Never leave the server behind, whatever happens to the test process.
function killServer() {
  if (state.server && state.server.exitCode === null && state.server.signalCode === null) state.server.kill('SIGKILL');
}
process.on('exit', killServer);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killServer();
    if (state.tmp) rmSync(state.tmp, { recursive: true, force: true });
    process.exit(130);
  });
}

// isOwn tells whether a URL the page asked for is this server's origin;
// data: and blob: URLs are built in the page and go to no host.
function isOwn(url) {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  try {
    return new URL(url).origin === state.origin;
  } catch {
    return false;
  }
}

// operation returns the opblock of one operation; Swagger UI gives it the id
// operations-<tag>-<operationId>.
function operation(tag, operationId) {
  return state.page.locator(`#operations-${tag}-${operationId}`);
}

// openTryItOut opens an operation, presses "Try it out" and returns its block.
async function openTryItOut(tag, operationId) {
  const op = operation(tag, operationId);
  await op.locator('.opblock-summary-control').click();
  await op.locator('button.try-out__btn').click();
  await op.locator('button.execute').waitFor({ state: 'visible' });
  return op;
}

// parameter returns the Try-it-out input of one parameter of an operation.
function parameter(op, name) {
  return op.locator(`tr[data-param-name="${name}"] input`);
}

// execute presses Execute and returns the status code, body text and
// headers text of the live response. A previous response is cleared first so
// the one read is the answer to this request.
async function execute(op) {
  const clear = op.locator('button.btn-clear');
  if (await clear.isVisible()) {
    await clear.click();
    await op.locator('.live-responses-table').waitFor({ state: 'detached' });
  }
  await op.locator('button.execute').click();
  const response = op.locator('.live-responses-table .response').first();
  const status = response.locator('.response-col_status');
  await status.waitFor({ state: 'visible' });
  const body = response.locator('.response-col_description pre').first();
  await body.waitFor({ state: 'visible' });
  return {
    status: (await status.innerText()).trim(),
    body: await body.innerText(),
    headers: await response.locator('.response-col_description').innerText(),
  };
}

function serverLog() {
  return `\n--- server output ---\n${state.serverOutput}`;
}

state.tmp = mkdtempSync(path.join(tmpdir(), 'ninjagold-docs-e2e-'));
let serverBin;
try {
  serverBin = buildServer(); // may take a while on a cold build cache
} catch (err) {
  rmSync(state.tmp, { recursive: true, force: true });
  throw err;
}

describe('Swagger UI at /docs', { timeout: SUITE_TIMEOUT }, () => {
  before(async () => {
    const bin = serverBin;
    state.origin = new URL(await startServer(bin)).origin;

    // A persistent context on a fresh profile dir: the "fresh user data
    // dir" is ours, inside the temp dir that is removed at the end.
    state.context = await chromium.launchPersistentContext(path.join(state.tmp, 'profile'), {
      executablePath,
      headless: true,
      // playwright-core adds its own defaults; these keep chromium from
      // phoning home so the request log only holds what the page asked for.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
      timeout: 30_000,
    });
    state.context.setDefaultTimeout(STEP_TIMEOUT);

    // Record every request; only this server's origin may be reached, so
    // anything else is aborted (and reported by the last test).
    await state.context.route('**/*', (route) => {
      const url = route.request().url();
      state.requests.push(url);
      return isOwn(url) ? route.continue() : route.abort('blockedbyclient');
    });
    // CSP violations also show up as console errors; the event gives the
    // blocked URI and the directive, which makes the failure readable.
    await state.context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });

    const page = state.context.pages()[0] ?? (await state.context.newPage());
    state.page = page;
    page.on('request', (req) => {
      if (!state.requests.includes(req.url())) state.requests.push(req.url());
    });
    page.on('console', (msg) => {
      const text = msg.text();
      if (text.startsWith('CSP violation:')) state.cspViolations.push(text);
      else if (msg.type() === 'error') {
        const loc = msg.location();
        state.consoleErrors.push(`${text}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
      }
    });
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (isOwn(res.url()) && (url.pathname.startsWith('/docs/') || url.pathname === '/openapi.yaml')) {
        // headers() is at hand when the event fires: the test that reads
        // it never waits on a promise still pending.
        state.encodings[url.pathname] = res.headers()['content-encoding'] ?? '';
      }
    });
    page.on('pageerror', (err) => state.pageErrors.push(String(err && err.stack ? err.stack : err)));
  });

  after(async () => {
    try {
      if (state.page) {
        mkdirSync(path.dirname(screenshotPath), { recursive: true });
        await state.page.screenshot({ path: screenshotPath, fullPage: true }).catch((err) => {
          console.error(`screenshot failed: ${err}`);
        });
        console.log(`screenshot: ${path.relative(repoRoot, screenshotPath)}`);
      }
    } finally {
      await state.context?.close().catch(() => {});
      await stopServer();
      if (state.tmp) rmSync(state.tmp, { recursive: true, force: true });
    }
  });

  test('/ redirects to /docs, which renders every operation under its CSP', { timeout: TEST_TIMEOUT }, async () => {
    const page = state.page;
    const response = await page.goto(`${state.origin}/`, { waitUntil: 'load' });
    assert.ok(response, 'no response for /');
    assert.equal(new URL(page.url()).pathname, '/docs', 'GET / should land on /docs');
    assert.equal(response.status(), 200, `/docs answered ${response.status()}${serverLog()}`);
    state.docsHeaders = await response.allHeaders();
    const csp = state.docsHeaders['content-security-policy'] || '';
    assert.match(csp, /connect-src 'self'/, `/docs must send its Content-Security-Policy, got ${JSON.stringify(csp)}`);

    await page.locator('.information-container .title').filter({ hasText: 'Ninja Gold API' }).waitFor();
    await operation('locations', 'listLocations').waitFor();
    const count = await page.locator('.opblock').count();
    assert.ok(count >= 10, `expected the contract's operations to render, found ${count} blocks`);
    // The spec loaded from this server, not an error box.
    assert.equal(await page.locator('.errors-wrapper').count(), 0, 'Swagger UI shows spec errors');
    // The 1.7 MB script and the contract came gzip-compressed, as
    // Chromium's Accept-Encoding asks, and worked: the page above rendered
    // from them.
    for (const p of ['/docs/swagger-ui-bundle.js', '/openapi.yaml']) {
      assert.equal(state.encodings[p], 'gzip', `Content-Encoding of ${p}: ${JSON.stringify(state.encodings)}`);
    }
  });

  test('GET /locations: Try it out -> Execute shows 200 and the seeded locations', { timeout: TEST_TIMEOUT }, async (t) => {
    const op = await openTryItOut('locations', 'listLocations');
    // Swagger UI prefills every parameter with its `example`. A cursor
    // example (eyJpZCI6NCwibGlzdCI6Ii9sb2NhdGlvbnMifQ, {"id":4,"list":"/locations"})
    // would ask for the page after the fourth location, an empty list on a
    // freshly seeded database; a reader wants the first page, so clear it
    // as they would.
    const cursor = parameter(op, 'cursor');
    const prefill = await cursor.inputValue();
    if (prefill) t.diagnostic(`Swagger UI prefilled cursor=${prefill} from the contract's example; cleared it`);
    await cursor.fill('');
    const res = await execute(op);
    assert.equal(res.status, '200', `status ${res.status}, body:\n${res.body}${serverLog()}`);
    for (const name of ['Farm', 'Cave', 'House', 'Casino']) {
      assert.ok(res.body.includes(`"${name}"`), `response body lacks seeded location ${name}:\n${res.body}`);
    }
    // The request URL Swagger UI shows must be this server.
    const reqUrl = await op.locator('.request-url pre').innerText();
    assert.equal(new URL(reqUrl).origin, state.origin, `Try it out called ${reqUrl}`);
  });

  test('GET /locations with the text/csv media type returns CSV', { timeout: TEST_TIMEOUT }, async () => {
    const op = operation('locations', 'listLocations');
    // The responses "Media type" select controls the Accept header of Try it out.
    await op.locator('.responses-wrapper select[aria-label="Media Type"]').first().selectOption('text/csv; charset=utf-8');
    const res = await execute(op);
    assert.equal(res.status, '200', `status ${res.status}, body:\n${res.body}${serverLog()}`);
    assert.match(res.body, /^id,name,min_gold,max_gold,description,created_at,updated_at/m, `not CSV:\n${res.body}`);
    assert.match(res.body, /^1,Farm,/m, `CSV lacks the Farm row:\n${res.body}`);
    assert.match(res.headers, /content-type: text\/csv; charset=utf-8/i, `response headers:\n${res.headers}`);
    const curl = await op.locator('.curl-command').innerText();
    assert.match(curl, /accept: text\/csv/i, `curl command does not send Accept: text/csv:\n${curl}`);
    // Back to JSON so the screenshot shows the JSON response of the happy path.
    await op.locator('.responses-wrapper select[aria-label="Media Type"]').first().selectOption('application/json');
    const again = await execute(op);
    assert.equal(again.status, '200');
    assert.ok(again.body.includes('"Farm"'), `JSON body after switching back:\n${again.body}`);
    // The executed GET /locations on its own, parameters, Execute and the
    // live response, for the README (docs/images/swagger-ui-list-locations.png
    // is a copy of it). Taken here, while the block is open and executed.
    // The block runs on below the live response (every declared response):
    // the shot ends with the live response, the viewport made tall enough.
    // A picture for the README: a failure to take it is logged, not a failed test.
    const page = state.page;
    const opShot = path.join(path.dirname(screenshotPath), 'list-locations.png');
    const vp = page.viewportSize();
    try {
      mkdirSync(path.dirname(opShot), { recursive: true });
      const live = op.locator('.live-responses-table').first();
      await op.evaluate((el) => el.scrollIntoView());
      const [top, end] = [await op.boundingBox(), await live.boundingBox()];
      const height = Math.ceil(end.y + end.height - top.y) + 16;
      await page.setViewportSize({ width: vp.width, height: Math.max(vp.height, height) });
      await op.evaluate((el) => el.scrollIntoView());
      const box = await op.boundingBox();
      await page.screenshot({ path: opShot, clip: { x: box.x, y: box.y, width: box.width, height } });
      console.log(`screenshot: ${path.relative(repoRoot, opShot)}`);
    } catch (err) {
      console.error(`operation screenshot failed: ${err}`);
    } finally {
      await page.setViewportSize(vp);
    }
  });

  test('GET /docs/{asset}: a PNG shows as an image, within the page\'s CSP', { timeout: TEST_TIMEOUT }, async () => {
    // Swagger UI shows an image response through a blob: URL, which the
    // page's img-src must allow (the last test checks no CSP rule broke).
    const op = await openTryItOut('meta', 'getDocsAsset');
    await parameter(op, 'asset').fill('favicon-32x32.png');
    await op.locator('.responses-wrapper select[aria-label="Media Type"]').first().selectOption('image/png');
    await op.locator('button.execute').click();
    const response = op.locator('.live-responses-table .response').first();
    await response.locator('.response-col_status').waitFor({ state: 'visible' });
    assert.equal((await response.locator('.response-col_status').innerText()).trim(), '200', `the PNG's status${serverLog()}`);
    const img = response.locator('.response-col_description img').first();
    await img.waitFor({ state: 'visible' });
    const width = await img.evaluate((el) => new Promise((resolve) => {
      if (el.complete) resolve(el.naturalWidth);
      else el.addEventListener('load', () => resolve(el.naturalWidth)), el.addEventListener('error', () => resolve(0));
    }));
    assert.equal(width, 32, 'the favicon did not show in the live response');
  });

  test('POST /locations without authorization is 401, with the admin token from Authorize is 201', { timeout: TEST_TIMEOUT }, async () => {
    const page = state.page;
    const op = await openTryItOut('locations', 'createLocation');
    const body = JSON.stringify({ name: 'Dojo', min_gold: 15, max_gold: 30, description: 'Spar with the masters.' }, null, 2);
    await op.locator('textarea.body-param__text').fill(body);

    const unauth = await execute(op);
    assert.equal(unauth.status, '401', `without a token: status ${unauth.status}, body:\n${unauth.body}`);
    // Chromium logs every 4xx answer to fetch as a console error; this one is on purpose.
    state.expectedConsoleErrors.push(`Failed to load resource: the server responded with a status of 401 (Unauthorized) (${state.origin}/locations:0)`);

    // Authorize dialog: give adminToken a value.
    await page.locator('.scheme-container .btn.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.waitFor();
    const admin = dialog.locator('.auth-container').filter({ has: page.locator('h4 code', { hasText: /^adminToken$/ }) });
    await admin.locator('input').fill(adminToken);
    await admin.locator('button.authorize').click();
    await admin.locator('h6', { hasText: 'Authorized' }).waitFor();
    await dialog.locator('button.btn-done').first().click();
    await dialog.waitFor({ state: 'detached' });
    // The lock on the operation now shows it is authorized.
    await op.locator('button.authorization__btn[aria-label="authorization button locked"]').first().waitFor();
    // The token lives in the page only: nothing the origin stores keeps it.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(adminToken), `the admin token was stored by the page: ${stored}`);

    const created = await execute(op);
    assert.equal(created.status, '201', `with the admin token: status ${created.status}, body:\n${created.body}${serverLog()}`);
    const loc = JSON.parse(created.body);
    assert.equal(loc.name, 'Dojo');
    assert.equal(loc.min_gold, 15);
    assert.equal(loc.max_gold, 30);
    assert.match(created.headers, /location: \/locations\/\d+/i, `response headers:\n${created.headers}`);
    const curl = await op.locator('.curl-command').innerText();
    assert.ok(curl.includes(`Bearer ${adminToken}`), `curl command lacks the bearer token:\n${curl}`);

    // The new location is visible to a reader too.
    const list = operation('locations', 'listLocations');
    const listed = await execute(list);
    assert.ok(listed.body.includes('"Dojo"'), `GET /locations after the create:\n${listed.body}`);
  });

  test('PATCH /locations/{id} sends a merge patch with the admin token and the If-Match it was given', { timeout: TEST_TIMEOUT }, async () => {
    // The admin token is still authorized from the previous test.
    const op = await openTryItOut('locations', 'updateLocation');
    await parameter(op, 'id').fill('1');
    await op.locator('textarea.body-param__text').fill(JSON.stringify({ max_gold: 25, description: null }, null, 2));
    const patched = await execute(op);
    assert.equal(patched.status, '200', `status ${patched.status}, body:\n${patched.body}${serverLog()}`);
    const loc = JSON.parse(patched.body);
    assert.equal(loc.name, 'Farm');
    assert.equal(loc.max_gold, 25);
    assert.equal(loc.description, '');
    const curl = await op.locator('.curl-command').innerText();
    assert.match(curl, /content-type: application\/merge-patch\+json/i, `curl command:\n${curl}`);
    assert.ok(curl.includes(`Bearer ${adminToken}`), `curl command lacks the bearer token:\n${curl}`);

    // A stale If-Match is refused with 412 and changes nothing.
    await parameter(op, 'If-Match').fill('"999"');
    const stale = await execute(op);
    assert.equal(stale.status, '412', `stale If-Match: status ${stale.status}, body:\n${stale.body}`);
    state.expectedConsoleErrors.push(`Failed to load resource: the server responded with a status of 412 (Precondition Failed) (${state.origin}/locations/1:0)`);
  });

  test('POST /players/{id}/visits from Try it out twice makes two visits: no Idempotency-Key is filled in', { timeout: TEST_TIMEOUT }, async () => {
    const page = state.page;
    const res = await fetch(`${state.origin}/players`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ first_name: 'Hattori', last_name: 'Hanzo' }),
    });
    assert.equal(res.status, 201, `POST /players: ${res.status}`);
    const player = await res.json();

    await page.locator('.scheme-container .btn.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.waitFor();
    const scheme = dialog.locator('.auth-container').filter({ has: page.locator('h4 code', { hasText: /^playerToken$/ }) });
    await scheme.locator('input').fill(player.token);
    await scheme.locator('button.authorize').click();
    await scheme.locator('h6', { hasText: 'Authorized' }).waitFor();
    await dialog.locator('button.btn-done').first().click();
    await dialog.waitFor({ state: 'detached' });

    const op = await openTryItOut('visits', 'createVisit');
    await parameter(op, 'id').fill(String(player.id));
    assert.equal(await parameter(op, 'Idempotency-Key').inputValue(), '', 'Swagger UI filled in an Idempotency-Key');
    await op.locator('textarea.body-param__text').fill(JSON.stringify({ location_id: 1 }));
    const ids = [];
    for (const _ of [1, 2]) {
      const visit = await execute(op);
      assert.equal(visit.status, '201', `visit: status ${visit.status}, body:\n${visit.body}${serverLog()}`);
      assert.doesNotMatch(visit.headers, /idempotent-replayed/i, `a replay:\n${visit.headers}`);
      ids.push(JSON.parse(visit.body).id);
    }
    assert.notEqual(ids[0], ids[1], 'the second Execute replayed the first visit');
  });

  test('a token an earlier release kept in localStorage is removed when /docs loads', { timeout: TEST_TIMEOUT }, async () => {
    const page = state.page;
    await page.evaluate((token) => localStorage.setItem('authorized',
      JSON.stringify({ adminToken: { name: 'adminToken', schema: { type: 'http', scheme: 'bearer' }, value: token } })), adminToken);
    await page.reload({ waitUntil: 'load' });
    await operation('locations', 'listLocations').waitFor();
    const left = await page.evaluate(() => localStorage.getItem('authorized'));
    assert.equal(left, null, `localStorage still holds: ${left}`);
  });

  test('the page reached only its own origin, broke no CSP rule and logged no error', () => {
    // The recorder saw the page's own loads, so an empty "foreign" list means something.
    for (const own of ['/docs', '/docs/swagger-ui-bundle.js', '/docs/initializer.js', '/openapi.yaml', '/locations?limit=20']) {
      assert.ok(state.requests.includes(state.origin + own), `no request for ${own} was recorded:\n  ${state.requests.join('\n  ')}`);
    }
    const errors = [...state.consoleErrors];
    for (const expected of state.expectedConsoleErrors) {
      const i = errors.indexOf(expected);
      if (i >= 0) errors.splice(i, 1);
    }
    // Report every kind of problem at once.
    const problems = [
      [`requests to hosts other than ${state.origin}`, [...new Set(state.requests.filter((u) => !isOwn(u)))]],
      ['CSP violations', state.cspViolations],
      ['uncaught page errors', state.pageErrors],
      ['console errors', errors],
    ].filter(([, list]) => list.length > 0);
    assert.deepEqual(problems, [], problems.map(([what, list]) => `${what}:\n  ${list.join('\n  ')}`).join('\n'));
  });
});
