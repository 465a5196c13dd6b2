/**
 * Headless Debian Chromium through playwright-core, kept on loopback: a resolver rule that
 * resolves nothing but 127.0.0.1, and a route guard that aborts (and records) every http(s)
 * request that is not to code-server's port.
 */
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** The browser and the one context the scenarios share. */
export interface BrowserSession {
    browser: Browser;
    context: BrowserContext;
    /** URLs the guard aborted; the run fails when any is listed. */
    blocked: string[];
}

/** Launches Chromium with its XDG homes in the sandbox and guards the context. */
export async function launchBrowser(
    executablePath: string,
    home: string,
    port: number,
): Promise<BrowserSession> {
    const browser = await chromium.launch({
        executablePath,
        headless: true,
        // Even with a fresh profile Chromium writes crash reports and dconf under ~.
        env: {
            ...process.env,
            XDG_CONFIG_HOME: path.join(home, 'config'),
            XDG_CACHE_HOME: path.join(home, 'cache'),
        },
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-dev-shm-usage',
            '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
        ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        const local = u.hostname === '127.0.0.1' || u.hostname === 'localhost';
        const web = u.protocol === 'http:' || u.protocol === 'https:';
        if (!web || (local && u.port === String(port))) return route.continue();
        blocked.push(u.href);
        return route.abort();
    });
    return { browser, context, blocked };
}
