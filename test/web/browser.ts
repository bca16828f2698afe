import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

// Real headless Chromium: Debian's /usr/bin/chromium (installed by
// platform/bootstrap.sh), driven by playwright-core, which downloads no
// browser. CHROMIUM_PATH points elsewhere if needed.

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots of the main pages (git-ignored), kept as test artifacts. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run npm run bootstrap (it installs Debian's chromium) or set CHROMIUM_PATH`);
  // --no-sandbox: the tests may run as root (containers, CI), where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
