/**
 * The training dashboard webview in headless Chromium, under the extension's HTML and CSP, with
 * a stand-in host: it draws what it is sent, loads nothing it was not given, asks to stop, and
 * redraws from its saved state after being hidden (no host reply needed).
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { dashboardHtml, makeNonce } from '../../client/src/jobs/dashboard-html';
import { encodePng } from '../../server/src/jobs/png';
import type {
    DashboardSnapshot,
    MetricsRecord,
    ToDashboard,
} from '../../server/src/protocol/worker';
import { findChromium, launchChromium } from '../webview/harness';
import { scratch } from './fixtures/options';

const ORIGIN = 'http://spade-dashboard.test';
const repoRoot = path.resolve(__dirname, '..', '..');

function records(n: number): MetricsRecord[] {
    return Array.from({ length: n }, (_, i) => ({
        step: i + 1,
        epoch: Math.floor(i / 10) + 1,
        time: 1000 * i,
        losses: { G_GAN: 2 / (i + 1), D_real: 0.7, D_fake: 0.6 + 0.001 * i },
        lrs: { G: 0.0001, D: 0.0004 },
    }));
}

const SNAPSHOT: DashboardSnapshot = {
    job: {
        jobId: 'j1',
        runDir: '/runs/demo',
        name: 'demo',
        pid: 1,
        state: 'running',
        reattached: false,
    },
    backend: 'tensorflow (CPU)',
    metrics: records(40),
    sampleUri: `${ORIGIN}/sample.png`,
    sampleStep: 40,
    progress: {
        type: 'progress',
        step: 40,
        epoch: 4,
        totalSteps: 100,
        totalEpochs: 10,
        percent: 40,
        stepsPerSecond: 2,
        etaSeconds: 30,
        losses: { G_GAN: 0.05 },
    },
};

interface Page_ {
    page: Page;
    posted: { type: string }[];
    blocked: string[];
    errors: string[];
}

async function openPage(
    browser: Browser,
    js: string,
    initialState: unknown,
    replyToReady: boolean,
): Promise<Page_> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const out: Page_ = { page, posted: [], blocked: [], errors: [] };
    const nonce = makeNonce();
    const html = dashboardHtml({
        cspSource: ORIGIN,
        scriptUri: `${ORIGIN}/webview-dashboard.js`,
        nonce,
        title: 'demo',
    });
    const png = encodePng(
        24,
        8,
        Uint8Array.from({ length: 24 * 8 * 3 }, (_, i) => (i * 7) % 256),
    );
    await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url === `${ORIGIN}/index.html`)
            await route.fulfill({ contentType: 'text/html', body: html });
        else if (url === `${ORIGIN}/webview-dashboard.js`)
            await route.fulfill({ contentType: 'text/javascript', body: js });
        else if (url === `${ORIGIN}/sample.png`)
            await route.fulfill({ contentType: 'image/png', body: png });
        else {
            out.blocked.push(url);
            await route.abort();
        }
    });
    page.on('pageerror', (e) => out.errors.push(e.message));
    await page.exposeFunction('__toHost', (m: { type: string }) => {
        out.posted.push(m);
        if (m.type === 'ready' && replyToReady)
            void send(page, { type: 'snapshot', snapshot: SNAPSHOT });
    });
    await page.addInitScript(`(() => {
        let state = ${JSON.stringify(initialState ?? null)} ?? undefined;
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
        window.acquireVsCodeApi = () => ({
            postMessage: (m) => void window.__toHost(m),
            getState: () => state,
            setState: (s) => { state = s; window.__state = s; },
        });
    })();`);
    await page.goto(`${ORIGIN}/index.html`);
    return out;
}

function send(page: Page, m: ToDashboard): Promise<void> {
    return page.evaluate((msg) => window.postMessage(msg, '*'), m);
}

/** Pixels of the first canvas that are not transparent, and whether the first series colour is among them. */
function inkOf(page: Page): Promise<{ ink: number; hasFirstColour: boolean }> {
    return page.evaluate(() => {
        const c = document.querySelector('canvas') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        let hasFirstColour = false;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0) ink++;
            if (d[i] === 0x4e && d[i + 1] === 0x79 && d[i + 2] === 0xa7) hasFirstColour = true;
        }
        return { ink, hasFirstColour };
    });
}

describe('training dashboard webview (headless Chromium)', function () {
    this.timeout(60000);
    let browser: Browser | undefined;
    let js: string;
    let tmp: ReturnType<typeof scratch>;

    before(async function () {
        const chromium = findChromium();
        if (!chromium.path) {
            this.test!.title += ` [skipped: ${chromium.why}]`;
            this.skip();
        }
        tmp = scratch('dash');
        const r = await esbuild.build({
            entryPoints: [path.join(repoRoot, 'webview/src/dashboard/main.ts')],
            bundle: true,
            platform: 'browser',
            target: 'es2022',
            format: 'iife',
            write: false,
            logLevel: 'silent',
        });
        js = r.outputFiles[0].text;
        browser = await launchChromium(chromium.path, tmp.dir);
    });
    after(async () => {
        await browser?.close();
        tmp?.cleanup();
    });

    it('draws loss curves, progress and the sample grid from a snapshot, loading nothing else', async () => {
        const p = await openPage(browser!, js, undefined, true);
        await p.page.waitForFunction(() =>
            document.querySelector('header')?.textContent?.includes('epoch 4/10'),
        );
        const header = await p.page.textContent('header');
        assert.match(
            header!,
            /demo.*running.*backend: tensorflow \(CPU\).*step 40\/100 · 40\.0% · 2\.00 step\/s · ETA 30s/,
        );
        const ink = await inkOf(p.page);
        assert.ok(ink.ink > 1000, `the loss chart is drawn (${ink.ink} pixels)`);
        assert.ok(ink.hasFirstColour, 'the first series is drawn in its colour');
        await p.page.waitForFunction(
            () => (document.querySelector('.sample img') as HTMLImageElement)?.naturalWidth === 24,
        );
        const legend = await p.page.textContent('.legend');
        assert.equal(legend, '■ G_GAN■ D_real■ D_fake');
        assert.deepEqual(
            await p.page.evaluate(
                () => (window as unknown as { __violations: string[] }).__violations,
            ),
            [],
        );
        assert.deepEqual(p.blocked, []);
        assert.deepEqual(p.errors, []);
        await p.page.context().close();
    });

    it('posts stop, appends live metrics, and redraws from its saved state after being hidden', async () => {
        const p = await openPage(browser!, js, undefined, true);
        await p.page.waitForFunction(() =>
            document.querySelector('header')?.textContent?.includes('epoch 4/10'),
        );
        await p.page.click('header button');
        assert.deepEqual(
            p.posted.map((m) => m.type),
            ['ready', 'stop'],
        );
        await send(p.page, { type: 'metrics', record: records(41)[40] });
        await send(p.page, { type: 'state', state: 'stopped' });
        // The page saves its state after it has drawn the message; give it that moment.
        await p.page
            .waitForFunction(
                () => {
                    const st = (
                        window as unknown as { __state?: { metrics: unknown[]; state: string } }
                    ).__state;
                    return st?.metrics.length === 41 && st.state === 'stopped';
                },
                undefined,
                { timeout: 5000 },
            )
            .catch(() => undefined);
        const saved = await p.page.evaluate(
            () => (window as unknown as { __state: { metrics: unknown[]; state: string } }).__state,
        );
        assert.equal(saved.metrics.length, 41);
        assert.equal(saved.state, 'stopped');
        assert.equal(await p.page.$('header button'), null, 'no Stop button once stopped');
        await p.page.context().close();

        // Shown again: VS Code re-creates the page with its state; it draws before any host reply.
        const again = await openPage(browser!, js, saved, false);
        await again.page.waitForFunction(() =>
            document.querySelector('header')?.textContent?.includes('stopped'),
        );
        assert.ok((await inkOf(again.page)).ink > 1000);
        assert.deepEqual(
            again.posted.map((m) => m.type),
            ['ready'],
        );
        assert.deepEqual(again.errors, []);
        await again.page.context().close();
    });
});
