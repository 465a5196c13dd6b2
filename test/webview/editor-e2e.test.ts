/**
 * The preview editor in a real VS Code (code-server 1.100.3 in headless Chromium): the host
 * side of client/src/preview/ with the webview, through a test extension that answers the
 * `spade/preview/*` requests in process. Opt-in: set CODE_SERVER to a code-server binary
 * (install it with shared/e2e/install-code-server.sh); about a minute.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { sharedPath } from '../support/shared';
import { findChromium, repoRoot } from './harness';

/** The parts of shared/e2e/example-driver.mjs used here. */
interface Driver {
    makeSandbox(root: string): { root: string; workspace: string };
    installExtension(cs: string, dirs: object, ext: string): void;
    startCodeServer(
        cs: string,
        dirs: object,
        o: { env: Record<string, string> },
    ): Promise<{ url: string; port: number; stop(): Promise<void> }>;
    launchChromium(c: typeof chromium, exe: string, home: string): Promise<Browser>;
    loopbackOnly(context: BrowserContext, port: number): Promise<string[]>;
    openWorkbench(page: Page, url: string, folder: string): Promise<void>;
    quickOpen(page: Page, name: string): Promise<void>;
    runCommand(page: Page, title: string): Promise<void>;
}

const codeServer = process.env.CODE_SERVER;
const driverFile = sharedPath('e2e', 'example-driver.mjs');
const maskFile = sharedPath('data', 'coco_stuff', 'val_label', '000000000139.png');
const classFile = sharedPath('data', 'coco_stuff', 'classes.json');
const chromiumPath = findChromium().path;
const skipWhy = !codeServer
    ? 'set CODE_SERVER to a code-server 4.100.3 binary (shared/e2e/install-code-server.sh)'
    : !chromiumPath
      ? findChromium().why
      : !driverFile || !maskFile || !classFile
        ? 'shared material not found: e2e/example-driver.mjs or the COCO-Stuff mask (set SPADE_SHARED)'
        : undefined;
const SUITE = 'preview editor in code-server';

/** Builds the test extension (package.json with the preview's contributions) into `dir`. */
async function buildExtension(dir: string): Promise<void> {
    const contributes = JSON.parse(
        fs.readFileSync(path.join(__dirname, 'e2e', 'contributes.json'), 'utf8'),
    );
    const pkg = {
        name: 'spade-preview-smoke',
        publisher: 'spade-studio',
        version: '0.0.1',
        engines: { vscode: '^1.100.0' },
        main: './dist/ext.js',
        activationEvents: [],
        contributes,
    };
    fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    const common = { bundle: true, logLevel: 'silent' as const };
    await esbuild.build({
        ...common,
        entryPoints: [path.join(__dirname, 'e2e', 'smoke-extension.ts')],
        outfile: path.join(dir, 'dist', 'ext.js'),
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: ['vscode', 'sharp'],
    });
    await esbuild.build({
        ...common,
        entryPoints: [path.join(repoRoot, 'webview/src/preview/main.ts')],
        outfile: path.join(dir, 'dist', 'webview-preview.js'),
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
    });
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
}

async function readIds(file: string): Promise<{ ids: Buffer; width: number }> {
    const { data, info } = await sharp(file)
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
    return { ids: data, width: info.width };
}

describe(skipWhy ? `${SUITE} [skipped: ${skipWhy}]` : SUITE, function () {
    this.timeout(180_000);
    let d: Driver;
    let dirs: { root: string; workspace: string };
    let cs: { url: string; port: number; stop(): Promise<void> } | undefined;
    let browser: Browser | undefined;
    let page: Page;
    let blocked: string[];
    const consoleErrors: string[] = [];
    let tmp = '';
    let smokeLog = '';
    const mask = (): string => path.join(dirs.workspace, 'mask.png');
    const frame = (): FrameLocator =>
        page
            .frameLocator('iframe.webview.ready >> visible=true')
            .frameLocator('iframe#active-frame');

    before(async function () {
        if (skipWhy || !codeServer || !chromiumPath || !driverFile || !maskFile || !classFile) {
            return this.skip();
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-cs-'));
        smokeLog = path.join(tmp, 'smoke.log');
        d = (await import(pathToFileURL(driverFile).href)) as Driver;
        dirs = d.makeSandbox(path.join(tmp, 'sandbox'));
        fs.copyFileSync(maskFile, mask());
        fs.writeFileSync(path.join(dirs.workspace, 'notes.txt'), 'notes\n');
        const ext = path.join(tmp, 'extension');
        await buildExtension(ext);
        d.installExtension(codeServer, dirs, ext);
        cs = await d.startCodeServer(codeServer, dirs, {
            env: { SMOKE_LOG: smokeLog, SMOKE_CLASSES: classFile },
        });
        browser = await d.launchChromium(chromium, chromiumPath, path.join(tmp, 'chromium'));
        const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
        blocked = await d.loopbackOnly(context, cs.port);
        page = await context.newPage();
        page.on('console', (m) => {
            if (m.type() === 'error') consoleErrors.push(m.text());
        });
        await d.openWorkbench(page, cs.url, dirs.workspace);
    });

    after(async () => {
        await browser?.close();
        await cs?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('opens the active PNG in the preview from the command palette', async () => {
        await d.quickOpen(page, 'mask.png');
        await d.runCommand(page, 'SPADE: Open Mask Preview');
        await frame().locator('#legend-table tbody tr').first().waitFor({ timeout: 60_000 });
        const { ids } = await readIds(mask());
        assert.equal(await frame().locator('#legend-table tbody tr').count(), new Set(ids).size);
        await frame().locator('#synth-grid canvas').first().waitFor({ timeout: 30_000 });
        assert.match(
            (await frame().locator('#file-info').textContent()) ?? '',
            /mask\.png · 640×426 · 8-bit ids/,
        );
    });

    it('marks the file dirty after a stroke and writes the painted class on Ctrl+S', async () => {
        await frame().locator('#class-select').selectOption('2');
        await frame().locator('#tool-brush').click();
        const box = await frame().locator('#mask-canvas').boundingBox();
        assert.ok(box);
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await page.locator('.tabs-container .tab.active.dirty').waitFor({ timeout: 10_000 });
        await page.screenshot({
            path: path.join(repoRoot, '.test-output', 'webview', 'code-server-preview.png'),
        });
        await page.keyboard.press('Control+S');
        await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor({ timeout: 10_000 });
        const { ids, width } = await readIds(mask());
        assert.equal(ids[213 * width + 320], 2, 'the clicked pixel holds class 2 on disk');
    });

    it('reloads when the file changes on disk under the same name', async () => {
        await page.waitForTimeout(2000); // past the window in which file events count as our own save
        const { ids, width } = await readIds(mask());
        for (let y = 0; y < 100; y++) ids.fill(5, y * width, y * width + 100);
        const next = path.join(dirs.workspace, 'next.png');
        await sharp(ids, { raw: { width, height: ids.length / width, channels: 1 } })
            .png()
            .toFile(next);
        fs.renameSync(next, mask());
        await frame()
            .locator('#legend-table tr[data-id="5"][data-count="10000"]')
            .waitFor({ timeout: 15_000 });
    });

    it('restores the view state after the panel is hidden and shown', async () => {
        await frame().locator('#tool-fill').click();
        await d.quickOpen(page, 'notes.txt');
        await page.locator('.tabs-container .tab', { hasText: 'mask.png' }).nth(1).click();
        await frame().locator('#legend-table tbody tr').first().waitFor({ timeout: 30_000 });
        assert.equal(await frame().locator('#tool-fill').getAttribute('aria-pressed'), 'true');
    });

    it('loaded nothing remote and broke no CSP rule', () => {
        assert.deepEqual(blocked, []);
        assert.deepEqual(
            consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e)),
            [],
        );
        const log = fs.readFileSync(smokeLog, 'utf8');
        assert.doesNotMatch(log, /^(warn|error) /m, log);
    });
});
