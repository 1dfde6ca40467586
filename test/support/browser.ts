/**
 * The browser tests' harness: Debian's `chromium` driven by playwright-core (Playwright's own
 * browser download needs the internet; .ci/run installs chromium from apt). Where chromium is
 * missing the tests FAIL under CI and are skipped elsewhere (describeIfPresent). The web bundle
 * (dist/web) is rebuilt first when web/ changed since it was built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/paths.js';

/** Where chromium is looked for: SEMHUB_TEST_CHROMIUM alone when set, else Debian's and Ubuntu's paths. */
const CANDIDATES = process.env.SEMHUB_TEST_CHROMIUM ? [process.env.SEMHUB_TEST_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The chromium binary, or null when none is installed. */
export function chromiumPath(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return chromiumPath() ? null : `chromium is not installed (looked for ${CANDIDATES.join(', ')}; apt-get install -y chromium, or set SEMHUB_TEST_CHROMIUM)`;
}

/** Headless chromium; WebGL (the cluster map) on SwiftShader, Chrome's software renderer, so it draws without a GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath()!, args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] });
}

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Bundles web/ into dist/web (bin/build-web.js) unless the bundle is newer than every source. */
export function ensureWebBuilt(): void {
  const built = path.join(PROJECT_ROOT, 'dist', 'web', 'console.js');
  const sources = Math.max(newest(path.join(PROJECT_ROOT, 'web')), statSync(path.join(PROJECT_ROOT, 'bin', 'build-web.js')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs > sources) return;
  const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'build-web.js')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bin/build-web.js failed:\n${run.stderr}`);
}

/** What a page reported: console errors, uncaught errors and Content-Security-Policy violations. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
}

/**
 * A page at 1280x800 in a context of its own (closed with the browser), whose console errors,
 * uncaught exceptions and CSP violations are collected (violations are reported by a
 * `securitypolicyviolation` listener installed before any script). `apiKey`, when given, is put
 * in sessionStorage first, as the console's key prompt would.
 */
export async function openPage(browser: Browser, apiKey?: string): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
  await page.exposeFunction('reportCspViolation', (v: string) => problems.cspViolations.push(v));
  await page.addInitScript((key) => {
    const w = globalThis as unknown as { document: { addEventListener: (t: string, f: (e: Record<string, string>) => void) => void }; sessionStorage: { setItem: (k: string, v: string) => void }; reportCspViolation: (v: string) => void };
    w.document.addEventListener('securitypolicyviolation', (e) => w.reportCspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`));
    if (key) w.sessionStorage.setItem('semhub.apiKey', key);
  }, apiKey ?? null);
  page.on('console', (m) => m.type() === 'error' && problems.consoleErrors.push(m.text()));
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  return { page, problems };
}
