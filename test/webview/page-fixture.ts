/**
 * Shared set-up of the page tests: the COCO-Stuff mask decoded with sharp, the class names,
 * a test palette, a stand-in model, Chromium, and independent reference computations
 * (brush footprint, flood region, differences) that the webview's results are checked against.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import type {
    ClassTable,
    InitMessage,
    ModelInfo,
    PreviewViewState,
    Rgb,
} from '../../server/src/protocol/preview';
import { sharedPath } from '../support/shared';
import type { StandInDocument } from './harness';
import { findChromium, launchChromium, repoRoot, StandInHost } from './harness';
import { FixedLatencyBackend } from './stand-in-backend';

export const OUT = path.join(repoRoot, '.test-output', 'webview');
export const MASK = ['data', 'coco_stuff', 'val_label', '000000000139.png'];

/** A decoded label map. */
export interface Mask {
    ids: Uint8Array;
    width: number;
    height: number;
}

export async function readMask(file: string): Promise<Mask> {
    const png = fs.readFileSync(file);
    assert.equal(png[25], 0, 'the test expects a greyscale PNG (colour type 0)');
    const { data, info } = await sharp(png)
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
    return { ids: new Uint8Array(data), width: info.width, height: info.height };
}

/** Test palette: hues spread by the golden angle (unrelated to the webview's default map). */
export function testColor(id: number): Rgb {
    if (id === 255) return [20, 20, 20];
    const h = (id * 137.508) % 360;
    const f = (n: number): number => {
        const k = (n + h / 30) % 12;
        return Math.round(255 * (0.55 - 0.4 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
    };
    return [f(0), f(8), f(4)];
}

export const MODEL: ModelInfo = {
    name: 'stand-in coco',
    kind: 'default',
    labelClasses: 182,
    dontcareValue: 255,
    inputChannels: 184,
    hasStyleEncoder: true,
    outputWidth: 256,
    outputHeight: 256,
};

/** Pixels a brush of odd `size` covers along row y from x0 to x1 (centre distance <= size/2). */
export function brushFootprint(
    m: Mask,
    x0: number,
    x1: number,
    y: number,
    size: number,
): Set<number> {
    const out = new Set<number>();
    const r = size / 2;
    for (let cx = x0; cx <= x1; cx++) {
        for (let py = Math.max(0, y - size); py <= Math.min(m.height - 1, y + size); py++) {
            for (let px = Math.max(0, cx - size); px <= Math.min(m.width - 1, cx + size); px++) {
                if (Math.hypot(px - cx, py - y) <= r) out.add(py * m.width + px);
            }
        }
    }
    return out;
}

/** The 4-connected region of (x, y) by a plain breadth-first search. */
export function region(m: Mask, x: number, y: number): Set<number> {
    const target = m.ids[y * m.width + x];
    const seen = new Set<number>([y * m.width + x]);
    const queue = [y * m.width + x];
    while (queue.length > 0) {
        const i = queue.shift() as number;
        const px = i % m.width;
        const near = [px > 0 ? i - 1 : -1, px < m.width - 1 ? i + 1 : -1, i - m.width, i + m.width];
        for (const j of near) {
            if (j >= 0 && j < m.ids.length && !seen.has(j) && m.ids[j] === target) {
                seen.add(j);
                queue.push(j);
            }
        }
    }
    return seen;
}

/** Indices where two id arrays differ. */
export function diff(a: ArrayLike<number>, b: ArrayLike<number>): Set<number> {
    const out = new Set<number>();
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.add(i);
    return out;
}

/** Zoom 2, no pan: mask pixel (x, y) has its centre at client (left + 2x + 1, top + 2y + 1). */
export const ZOOMED: PreviewViewState = {
    zoom: 2,
    panX: 0,
    panY: 0,
    seed: 7,
    samples: 1,
    brushSize: 5,
    tool: 'brush',
    selectedClass: 0,
};

// Checked when the suite is defined, so the reason shows in its title when it is skipped.
const chromium = findChromium();
const maskFile = sharedPath(...MASK);
const classFile = sharedPath('data', 'coco_stuff', 'classes.json');
const skipWhy = !chromium.path
    ? chromium.why
    : !maskFile || !classFile
      ? `shared material not found: ${MASK.join('/')} and classes.json (set SPADE_SHARED)`
      : undefined;

/** A suite title that carries the reason when the suite will be skipped. */
export function suiteTitle(title: string): string {
    return skipWhy ? `${title} [skipped: ${skipWhy}]` : title;
}

/** The page tests' fixture; `hooks()` registers before/after in the calling suite. */
export class PageFixture {
    browser: Browser | undefined;
    mask!: Mask;
    table!: ClassTable;
    private tmp = '';

    hooks(): void {
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- mocha hooks need their own `this`
        const f = this;
        before(async function () {
            if (skipWhy || !chromium.path || !maskFile || !classFile) return this.skip();
            f.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-webview-'));
            const names = (JSON.parse(fs.readFileSync(classFile, 'utf8')) as { names: string[] })
                .names;
            f.mask = await readMask(maskFile);
            const colors = Array.from({ length: 256 }, (_, id) => testColor(id));
            f.table = { names, colors, dontcare: { value: 255, name: 'unlabeled' } };
            fs.mkdirSync(OUT, { recursive: true });
            f.browser = await launchChromium(chromium.path, f.tmp);
        });
        after(async () => {
            await f.browser?.close();
            if (f.tmp) fs.rmSync(f.tmp, { recursive: true, force: true });
        });
    }

    /** The init message for the mask, with overrides. */
    init(over: Partial<InitMessage> = {}): InitMessage {
        const m = this.mask;
        return {
            type: 'init',
            reason: 'open',
            fileName: path.basename(MASK[MASK.length - 1]),
            mask: {
                ids: m.ids.slice(),
                width: m.width,
                height: m.height,
                format: { kind: 'gray', bitDepth: 8 },
            },
            classes: this.table,
            model: MODEL,
            dirty: false,
            canUndo: false,
            canRedo: false,
            maxDisplayPixels: 4_000_000,
            synthDebounceMs: 60,
            ...over,
        };
    }

    /**
     * Opens the page with the stand-in host and waits for the legend; `document`: the one a
     * previous page edited (VS Code reloading the page), else a new one from the init.
     */
    async open(
        over: Partial<InitMessage> = {},
        initialState?: PreviewViewState,
        latencyMs = 30,
        document?: StandInDocument,
    ): Promise<StandInHost> {
        const host = await StandInHost.open(this.browser as Browser, {
            backend: new FixedLatencyBackend(latencyMs, (id) => testColor(id)),
            init: () => this.init(over),
            document,
            initialState,
        });
        await host.page.waitForSelector('#legend-table tbody tr');
        return host;
    }

    /** The client point at the centre of mask pixel (x, y). */
    async clientPoint(host: StandInHost, x: number, y: number): Promise<{ x: number; y: number }> {
        const box = await host.page.locator('#mask-canvas').boundingBox();
        assert.ok(box, 'mask canvas not laid out');
        return {
            x: box.x + ((x + 0.5) * box.width) / this.mask.width,
            y: box.y + ((y + 0.5) * box.height) / this.mask.height,
        };
    }
}

/** Presses Save and returns the ids of the `save` message. */
export async function saveIds(host: StandInHost): Promise<Uint8Array> {
    const from = host.posted.length;
    await host.page.click('#save');
    const saved = await host.waitFor((m) => m.type === 'save', 'save message', 5000, from);
    return saved.ids as Uint8Array;
}

/** No page errors, CSP violations, requests beyond the page, or error messages. */
export function assertClean(host: StandInHost, violations: string[]): void {
    assert.deepEqual(host.pageErrors, [], 'page errors');
    assert.deepEqual(violations, [], 'CSP violations');
    assert.deepEqual(host.blockedRequests, [], 'requests to anything but the page and its script');
    assert.deepEqual(
        host.posted.filter((m) => m.type === 'error'),
        [],
        'error messages',
    );
}
