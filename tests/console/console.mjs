// The review console in a real browser: Debian's headless Chromium driven by
// playwright-core, JavaScript off (every page must work without it). Run by
// console_test.cc against a custosd it started; settings come from the environment:
//   CONSOLE_URL, CONSOLE_USER (a member), CONSOLE_OUTSIDER (not one), CONSOLE_PASSWORD,
//   CONSOLE_SHOTS (screenshots go there), CONSOLE_PLANTED (JSON list of raw values),
//   CONSOLE_IDLE_SECONDS (the console's idle timeout),
//   PLAYWRIGHT_DIR (the folder holding node_modules/playwright-core).
// Prints one line per check; exits 1 at the first one that fails.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';

const env = process.env;
const require = createRequire(env.PLAYWRIGHT_DIR + '/');
const { chromium } = require('playwright-core');

const url = env.CONSOLE_URL;
const shots = env.CONSOLE_SHOTS;
const planted = JSON.parse(env.CONSOLE_PLANTED);
const compact = (s) => s.replace(/[ .-]/g, '');
mkdirSync(shots, { recursive: true });

function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) throw new Error(what);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const seen = [];  // [url, html] of every page shown
let failed = false;
try {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,  // the test's self-signed certificate
    javaScriptEnabled: false,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(url)) foreign.push(r.url()); });
  const violations = [];
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text()); });
  const keep = async (name) => {
    seen.push([page.url(), await page.content()]);
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  };
  const logIn = async (user, password) => {
    await page.goto(url + '/login');
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return response;
  };

  let r = await page.goto(url + '/findings');
  check(page.url() === url + '/login', 'without a session, a page leads to the login');
  await keep('01-login');

  r = await logIn(env.CONSOLE_USER, 'not-the-password');
  check(r.status() === 401 && (await page.textContent('.message')).includes('Wrong user name or password'),
        'a wrong password is refused');
  await keep('02-login-refused');
  r = await logIn(env.CONSOLE_OUTSIDER, env.CONSOLE_PASSWORD);
  check(r.status() === 403 && (await page.textContent('.message')).includes('not a member'),
        'an account outside the group is refused');
  check((await context.cookies()).every((c) => c.name !== 'custos_session'), 'and gets no session');

  r = await logIn(env.CONSOLE_USER, env.CONSOLE_PASSWORD);
  check(page.url() === url + '/' && (await page.textContent('h1')) === 'Overview', 'the member logs in');
  const session = (await context.cookies()).find((c) => c.name === 'custos_session');
  check(session && session.httpOnly && session.secure && session.sameSite === 'Strict',
        'the session cookie is HttpOnly, Secure, SameSite=Strict');
  check((await page.textContent('header .user')) === env.CONSOLE_USER, 'the header names the user');
  await keep('03-overview');

  // A second session, in a browser of its own, left idle from here on.
  const idle = await browser.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false });
  const idlePage = await idle.newPage();
  await idlePage.goto(url + '/login');
  await idlePage.fill('input[name=user]', env.CONSOLE_USER);
  await idlePage.fill('input[name=password]', env.CONSOLE_PASSWORD);
  await Promise.all([idlePage.waitForNavigation(), idlePage.click('button[type=submit]')]);
  await idlePage.goto(url + '/findings');
  check(idlePage.url() === url + '/findings', 'a second session, left idle from now');
  const idleSince = Date.now();

  await page.click('nav >> text=findings');
  check((await page.textContent('h1')) === 'Findings', 'the findings page');
  await keep('04-findings');
  await page.selectOption('select[name=policy]', 'no-cards');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  check(page.url().includes('policy=no-cards') && (await page.locator('tbody tr').count()) === 2,
        'filtered by policy: two findings');
  await keep('05-findings-filtered');

  await Promise.all([page.waitForNavigation(), page.click('tbody tr:first-child td:first-child a')]);
  const findingUrl = page.url();
  check(/\/findings\/[0-9]+$/.test(findingUrl), 'a finding opens');
  await keep('06-finding');

  await page.fill('form[action$="/ack"] textarea[name=note]', 'owner told, fixing it');
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/ack"] button')]);
  const history = await page.textContent('table');
  check(page.url() === findingUrl && (await page.textContent('.status')) === 'acknowledged',
        'acknowledged');
  check(history.includes(`${env.CONSOLE_USER} (uid`) && history.includes('owner told, fixing it'),
        'the history names the reviewer');
  await keep('07-finding-acknowledged');

  // A form sent without its CSRF token (the browser's cookies, no token) changes nothing.
  const id = findingUrl.split('/').pop();
  r = await context.request.post(`${url}/findings/${id}/note`, { form: { note: 'forged' } });
  check(r.status() === 403, 'a form without its CSRF token is refused');
  await page.reload();
  check(!(await page.content()).includes('forged'), 'and changed nothing');

  for (const [nav, name, title] of [['coverage', '08-coverage', 'Coverage'],
                                     ['roots and scans', '09-scans', 'Roots and scans'],
                                     ['policies', '10-policies', 'Policies']]) {
    await page.click(`nav >> text=${nav}`);
    check((await page.textContent('h1')) === title, `the ${nav} page`);
    await keep(name);
  }
  await page.goto(url + '/findings?status=');
  await keep('11-findings-all');

  // The idle session ends after console.idle_timeout without a request; the one in use
  // (a request every 20 s) does not.
  const idleMs = Number(env.CONSOLE_IDLE_SECONDS) * 1000;
  for (let left; (left = idleSince + idleMs + 3000 - Date.now()) > 0;) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 20000)));
    await page.reload();
  }
  check(page.url() === url + '/findings?status=' && (await page.textContent('h1')) === 'Findings',
        'a session in use outlives the idle timeout');
  await idlePage.goto(url + '/findings');
  check(idlePage.url() === url + '/login', 'a session idle past the idle timeout is sent back to the login');
  seen.push([idlePage.url(), await idlePage.content()]);
  await idlePage.screenshot({ path: `${shots}/12-idle-session-ended.png`, fullPage: true });
  r = await idle.request.post(`${url}/findings/${id}/note`, { form: { note: 'after the timeout' } });
  check(r.status() === 401 && (await r.text()).includes('Your session has ended'),
        'and a form it sends is refused');
  await idle.close();

  // Logout, then the old cookie replayed in a fresh browser.
  const cookies = await context.cookies();
  await Promise.all([page.waitForNavigation(), page.click('form.logout button')]);
  check(page.url() === url + '/login', 'logged out');
  const replay = await browser.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false });
  await replay.addCookies(cookies);
  const other = await replay.newPage();
  await other.goto(`${url}/findings/${id}`);
  check(other.url() === url + '/login', 'the session cookie replayed after logout is refused');
  r = await replay.request.post(`${url}/findings/${id}/note`, { form: { note: 'replayed' } });
  check(r.status() === 401, 'and so is a form posted with it');

  check(foreign.length === 0, 'nothing was fetched from elsewhere: ' + foreign.join(' '));
  check(violations.length === 0, 'no Content-Security-Policy violation: ' + violations.join(' '));
  for (const [where, html] of seen) {
    for (const v of planted) {
      check(!html.includes(v) && !compact(html).includes(compact(v)) && !where.includes(compact(v)),
            `no planted value on ${where}`);
    }
  }
} catch (e) {
  console.log('FAIL ' + e.message);
  failed = true;
} finally {
  writeFileSync(`${shots}/pages.txt`, seen.map(([u]) => u).join('\n') + '\n');
  await browser.close();
}
process.exit(failed ? 1 : 0);
