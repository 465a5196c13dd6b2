/**
 * A stand-in VS Code host for the preview webview: bundles webview/src/preview/main.ts with
 * esbuild, serves it in headless Chromium (playwright-core) under the same HTML and CSP the
 * extension uses, injects `acquireVsCodeApi`, and answers the webview's messages from Node.
 * Synthesis goes through a `SynthBackend`, so a benchmark can swap the fixed-latency stand-in
 * for the real language server.
 *
 * It also stands in for VS Code's undo: like VS Code's webview frame, it forwards Ctrl+Z,
 * Ctrl+Shift+Z and Ctrl+Y pressed in the page to an "undo"/"redo" command, which walks the
 * host's own edit history (client/src/preview/edit-history.ts) and sends the page the pixels.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { EditHistory } from '../../client/src/preview/edit-history';
import { makeNonce, previewHtml } from '../../client/src/preview/html';
import type {
    HostToWebview,
    InitMessage,
    LabelIds,
    PreviewViewState,
    SynthImage,
    SynthesizeMessage,
} from '../../server/src/protocol/preview';

export const repoRoot = path.resolve(__dirname, '..', '..');
const ORIGIN = 'http://spade-preview.test';

/** Chromium's path, or undefined with the reason it is unusable. */
export function findChromium(): { path?: string; why?: string } {
    const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    if (fs.existsSync(p)) return { path: p };
    return { why: `no Chromium at ${p} (apt-get install -y chromium, or set CHROMIUM_PATH)` };
}

let bundled: Promise<string> | undefined;

/** The webview bundle, built in memory with the options of scripts/build.mjs (once per run). */
export function bundlePreview(): Promise<string> {
    bundled ??= esbuild
        .build({
            entryPoints: [path.join(repoRoot, 'webview/src/preview/main.ts')],
            bundle: true,
            platform: 'browser',
            target: 'es2022',
            format: 'iife',
            write: false,
            logLevel: 'silent',
        })
        .then((r) => r.outputFiles[0].text);
    return bundled;
}

/** Launches headless Chromium with the flags of shared/e2e/README.md. */
export async function launchChromium(executablePath: string, tmp: string): Promise<Browser> {
    return chromium.launch({
        executablePath,
        headless: true,
        env: { ...process.env, XDG_CONFIG_HOME: `${tmp}/config`, XDG_CACHE_HOME: `${tmp}/cache` },
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
}

/** Answers synthesis requests (the stand-in's, or the real server's). */
export interface SynthBackend {
    synthesize(msg: SynthesizeMessage): Promise<SynthImage[]>;
}

/** A message posted by the webview, typed arrays revived. */
export type Posted = Record<string, unknown> & { type: string };

// Typed arrays cross the page boundary as base64 (playwright serializes JSON-like values).
const PAGE_CODEC = `
const __kinds = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array };
const __enc = (v) => {
    const kind = Object.keys(__kinds).find((k) => v instanceof __kinds[k]);
    if (kind) {
        const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        let s = '';
        for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
        return { __typed: kind, b64: btoa(s) };
    }
    if (Array.isArray(v)) return v.map(__enc);
    if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = __enc(v[k]); return o; }
    return v;
};
const __dec = (v) => {
    if (v && typeof v === 'object' && v.__typed) {
        const s = atob(v.b64); const b = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
        return new __kinds[v.__typed](b.buffer);
    }
    if (Array.isArray(v)) return v.map(__dec);
    if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = __dec(v[k]); return o; }
    return v;
};`;

const KINDS = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array } as const;
type Kind = keyof typeof KINDS;

function encode(v: unknown): unknown {
    const kind = (Object.keys(KINDS) as Kind[]).find((k) => v instanceof KINDS[k]);
    if (kind) {
        const t = v as Uint8Array | Uint16Array | Uint32Array;
        const b = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
        return { __typed: kind, b64: b.toString('base64') };
    }
    if (Array.isArray(v)) return v.map(encode);
    if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    }
    return v;
}

function decode(v: unknown): unknown {
    if (v && typeof v === 'object' && '__typed' in v) {
        const t = v as { __typed: Kind; b64: string };
        const b = Buffer.from(t.b64, 'base64');
        const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
        return new KINDS[t.__typed](bytes.buffer);
    }
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    }
    return v;
}

/**
 * The document behind stand-in pages: its ids and edit history, as the host's MaskDocument
 * and VS Code's undo stack keep them. It outlives a page, as they outlive a webview reload.
 */
export class StandInDocument {
    readonly history: EditHistory;

    constructor(
        public ids: LabelIds,
        dirty = false,
    ) {
        this.history = new EditHistory(dirty);
    }

    /** `base` with this document's ids and history state. */
    init(base: InitMessage): InitMessage {
        const h = this.history;
        return {
            ...base,
            mask: { ...base.mask, ids: this.ids.slice() },
            dirty: h.dirty,
            canUndo: h.canUndo,
            canRedo: h.canRedo,
        };
    }
}

/** Options of one stand-in page. */
export interface StandInOptions {
    backend: SynthBackend;
    /** Sent in answer to `ready` (with the document's ids and history when there is one). */
    init: () => HostToWebview;
    /** The document (a page reloaded on the same one); default: one made from the first init. */
    document?: StandInDocument;
    /** The webview state (`getState`) at load: what VS Code restores after hide/show. */
    initialState?: PreviewViewState;
    viewport?: { width: number; height: number };
}

/** One webview page and its stand-in host. */
export class StandInHost {
    readonly posted: Posted[] = [];
    readonly pageErrors: string[] = [];
    readonly blockedRequests: string[] = [];
    /** VS Code commands run: "undo"/"redo", from a forwarded key or the page's buttons. */
    readonly commands: string[] = [];
    document: StandInDocument | undefined;
    private waiters: { pred: (m: Posted) => boolean; resolve: (m: Posted) => void }[] = [];
    private latestSynth = 0;

    private constructor(
        readonly page: Page,
        private readonly opts: StandInOptions,
    ) {
        this.document = opts.document;
    }

    /** Opens the preview page in a new context of `browser`. */
    static async open(browser: Browser, opts: StandInOptions): Promise<StandInHost> {
        const context = await browser.newContext({
            viewport: opts.viewport ?? { width: 1500, height: 900 },
        });
        const page = await context.newPage();
        const host = new StandInHost(page, opts);
        const js = await bundlePreview();
        const nonce = makeNonce();
        const html = previewHtml({
            cspSource: ORIGIN,
            scriptUri: `${ORIGIN}/webview-preview.js`,
            nonce,
            title: 'mask preview',
        });
        await context.route('**/*', async (route) => {
            const url = route.request().url();
            if (url === `${ORIGIN}/index.html`) {
                await route.fulfill({ contentType: 'text/html', body: html });
            } else if (url === `${ORIGIN}/webview-preview.js`) {
                await route.fulfill({ contentType: 'text/javascript', body: js });
            } else {
                host.blockedRequests.push(url);
                await route.abort();
            }
        });
        page.on('pageerror', (e) => host.pageErrors.push(e.message));
        page.on('console', (m) => {
            if (m.type() === 'error') host.pageErrors.push(m.text());
        });
        await page.exposeFunction('__spadeToHost', (m: unknown) =>
            host.receive(decode(m) as Posted),
        );
        await page.exposeFunction('__spadeKey', (k: { code: number; shift: boolean }) =>
            host.runCommand(k.code === 90 && !k.shift ? 'undo' : 'redo'),
        );
        await page.addInitScript(`(() => {
            ${PAGE_CODEC}
            let state = ${JSON.stringify(opts.initialState ?? null)} ?? undefined;
            let acquired = false;
            window.__standIn = { violations: [], state, deliver: (m) => window.postMessage(__dec(m), '*') };
            document.addEventListener('securitypolicyviolation', (e) =>
                window.__standIn.violations.push(e.violatedDirective + ' ' + e.blockedURI));
            // As VS Code's webview frame: Ctrl+Z / Ctrl+Y go to the workbench (registered
            // before the page's own listeners, which still see the event).
            window.addEventListener('keydown', (e) => {
                if (!(e.ctrlKey || e.metaKey) || (e.keyCode !== 90 && e.keyCode !== 89)) return;
                e.preventDefault();
                void window.__spadeKey({ code: e.keyCode, shift: e.shiftKey });
            });
            window.acquireVsCodeApi = () => {
                if (acquired) throw new Error('acquireVsCodeApi may be called only once');
                acquired = true;
                return {
                    postMessage: (m) => { void window.__spadeToHost(__enc(m)); },
                    getState: () => state,
                    setState: (s) => { state = s; window.__standIn.state = s; },
                };
            };
        })();`);
        await page.goto(`${ORIGIN}/index.html`);
        return host;
    }

    /** Posts a host message into the webview. */
    async send(msg: HostToWebview): Promise<void> {
        await this.page.evaluate((m) => {
            (window as unknown as { __standIn: { deliver(x: unknown): void } }).__standIn.deliver(
                m,
            );
        }, encode(msg));
    }

    /** Resolves with the first message (already posted or future) matching `pred`. */
    waitFor(
        pred: (m: Posted) => boolean,
        what: string,
        timeoutMs = 10_000,
        from = 0,
    ): Promise<Posted> {
        const hit = this.posted.slice(from).find(pred);
        if (hit) return Promise.resolve(hit);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`timed out waiting for ${what}`)),
                timeoutMs,
            );
            this.waiters.push({
                pred,
                resolve: (m) => {
                    clearTimeout(timer);
                    resolve(m);
                },
            });
        });
    }

    /** The webview state as last set, CSP violations seen. */
    async pageState(): Promise<{ state: PreviewViewState | undefined; violations: string[] }> {
        return this.page.evaluate(() => {
            const s = (
                window as unknown as {
                    __standIn: { state?: PreviewViewState; violations: string[] };
                }
            ).__standIn;
            return { state: s.state, violations: s.violations };
        });
    }

    async close(): Promise<void> {
        await this.page.context().close();
    }

    private receive(m: Posted): void {
        this.posted.push(m);
        this.waiters = this.waiters.filter((w) => {
            if (!w.pred(m)) return true;
            w.resolve(m);
            return false;
        });
        // Answers may land after a test closed its page; only a live page gets them.
        const quiet = (p: Promise<void>) => p.catch(() => undefined);
        if (m.type === 'ready') void quiet(this.send(this.initMessage()));
        if (m.type === 'synthesize') void quiet(this.answer(m as unknown as SynthesizeMessage));
        if (m.type === 'cancel' && m.requestId === this.latestSynth) this.latestSynth = -1;
        const doc = this.document;
        if (m.type === 'edit' && doc)
            doc.history.record(String(m.label), doc.ids, m.ids as LabelIds, m.runs as Uint32Array);
        if (m.type === 'undoRedo') void quiet(this.runCommand(m.action as 'undo' | 'redo'));
    }

    private initMessage(): HostToWebview {
        const init = this.opts.init();
        if (init.type !== 'init' || init.fatal) return init;
        this.document ??= new StandInDocument(init.mask.ids.slice(), init.dirty);
        return this.document.init(init);
    }

    /** VS Code's Undo or Redo on the custom editor: the next edit of its stack, if any. */
    async runCommand(action: 'undo' | 'redo'): Promise<void> {
        this.commands.push(action);
        const doc = this.document;
        const edit = doc?.history.next(action);
        if (!doc || !edit) return;
        const h = doc.history;
        const change = action === 'undo' ? h.undo(edit, doc.ids) : h.redo(edit, doc.ids);
        await this.send({
            type: 'change',
            label: `${action} ${edit.label}`,
            ...change,
            dirty: h.dirty,
            canUndo: h.canUndo,
            canRedo: h.canRedo,
        });
    }

    /** Like the real host: a newer request or a cancel drops the answer to an older one. */
    private async answer(msg: SynthesizeMessage): Promise<void> {
        this.latestSynth = msg.requestId;
        const t0 = performance.now();
        const images = await this.opts.backend.synthesize(msg);
        if (this.latestSynth !== msg.requestId) return;
        await this.send({
            type: 'image',
            requestId: msg.requestId,
            images,
            elapsedMs: performance.now() - t0,
        });
    }
}
