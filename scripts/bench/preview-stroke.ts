/**
 * Time from the end of a brush stroke to the new synthesized image on screen, in the real
 * preview webview (headless Chromium) behind the test's stand-in host.
 *
 *   npx tsx scripts/bench/preview-stroke.ts [--strokes 30] [--latency 100] [--size 256]
 *       [--debounce 80] [--backend stand-in|lsp] [--mask FILE]
 *
 * The webview marks `spade:stroke-end` when the pointer goes up and `spade:image-shown` once
 * the image of the first request sent after it is painted; the figure is the gap between
 * the two. `--backend stand-in` answers after a fixed latency (so the figure minus debounce
 * and latency is the preview's own overhead); `--backend lsp` asks the built language
 * server (dist/server.js) for `spade/preview/synthesize` with its default model.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import {
    createMessageConnection,
    StreamMessageReader,
    StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { decodeImages, encodeIds } from '../../client/src/preview/codec';
import { SYNTH_DEBOUNCE_MS } from '../../client/src/preview/limits';
import type {
    ModelInfo,
    ModelInfoResult,
    Rgb,
    SynthesizeResult,
} from '../../server/src/protocol/preview';
import { ModelInfoRequest, SynthesizeRequest } from '../../server/src/protocol/preview';
import { sharedPath } from '../../test/support/shared';
import type { SynthBackend } from '../../test/webview/harness';
import { findChromium, launchChromium, repoRoot, StandInHost } from '../../test/webview/harness';
import { FixedLatencyBackend } from '../../test/webview/stand-in-backend';

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const strokes = Number(arg('strokes', '30'));
const latency = Number(arg('latency', '100'));
const size = Number(arg('size', '256'));
const debounce = Number(arg('debounce', String(SYNTH_DEBOUNCE_MS)));
const backendName = arg('backend', 'stand-in');
/** A label-map PNG to paint on (resized to size x size); default: a COCO-Stuff mask. */
const maskArg = arg('mask', '');

/** `--mask`, else a COCO-Stuff validation mask, resized (nearest) to size x size; else bands. */
async function benchMask(): Promise<{ ids: Uint8Array; source: string }> {
    const file = maskArg
        ? path.resolve(maskArg)
        : sharedPath('data', 'coco_stuff', 'val_label', '000000000139.png');
    if (file) {
        const data = await sharp(file)
            .extractChannel(0)
            .resize(size, size, { kernel: 'nearest', fit: 'fill' })
            .raw()
            .toBuffer();
        return {
            ids: new Uint8Array(data),
            source: `${path.basename(file)} resized to ${size}x${size}`,
        };
    }
    return {
        ids: Uint8Array.from({ length: size * size }, (_, i) => ((i % size) >> 5) * 20),
        source: 'bands',
    };
}

const color = (id: number): Rgb => [(id * 67) % 256, (id * 151) % 256, (id * 29) % 256];

/** The real thing: the built language server over stdio. */
async function lspBackend(
    maskFile: string,
): Promise<{ backend: SynthBackend; model: ModelInfo; close(): void }> {
    const server = path.join(repoRoot, 'dist', 'server.js');
    if (!fs.existsSync(server)) throw new Error(`${server} is missing: run npm run build first`);
    const child = spawn(process.execPath, [server, '--stdio'], {
        stdio: ['pipe', 'pipe', 'inherit'],
    });
    const conn = createMessageConnection(
        new StreamMessageReader(child.stdout),
        new StreamMessageWriter(child.stdin),
    );
    conn.listen();
    await conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
    });
    await conn.sendNotification('initialized', {});
    const maskUri = `file://${maskFile}`;
    let info: ModelInfoResult;
    try {
        info = await conn.sendRequest<ModelInfoResult>(ModelInfoRequest.method, { maskUri });
    } catch (err) {
        conn.dispose();
        child.kill();
        throw new Error(
            `the language server cannot describe its default model: ${(err as Error).message}`,
            { cause: err },
        );
    }
    return {
        model: info.model,
        backend: {
            synthesize: async (msg) => {
                const r = await conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, {
                    maskUri,
                    ids: encodeIds(msg.ids, msg.width, msg.height),
                    seed: msg.seed,
                    samples: msg.samples,
                });
                return decodeImages(r);
            },
        },
        close: () => {
            conn.dispose();
            child.kill();
        },
    };
}

/**
 * Page-side: waits for the image of the first request sent after the last stroke and returns
 * the intervals between the marks. A string, because tsx would wrap the inner functions of a
 * Node-side closure in helpers that do not exist in the page.
 */
const WAIT_FOR_IMAGE = `(async () => {
    const marks = (name) => performance.getEntriesByName(name);
    const idOf = (m) => m.detail.requestId;
    const end = marks('spade:stroke-end').at(-1);
    const deadline = performance.now() + 30000;
    while (performance.now() < deadline) {
        const sent = marks('spade:request-sent').find((m) => m.startTime > end.startTime);
        const got = sent && marks('spade:image-received').find((m) => idOf(m) === idOf(sent));
        const shown = sent && marks('spade:image-shown').find((m) => idOf(m) === idOf(sent));
        if (sent && got && shown) {
            return {
                total: shown.startTime - end.startTime,
                toRequest: sent.startTime - end.startTime,
                host: got.startTime - sent.startTime,
                draw: shown.startTime - got.startTime,
            };
        }
        await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no image within 30 s of the stroke');
})()`;

/** Why the model cannot take these ids (ids it has no channel for), or undefined. */
function misfit(ids: Uint8Array, model: ModelInfo): string | undefined {
    const bad = new Set<number>();
    for (const v of ids) if (v >= model.labelClasses && v !== model.dontcareValue) bad.add(v);
    if (bad.size === 0) return undefined;
    const list = [...bad].sort((a, b) => a - b).slice(0, 8);
    return `ids ${list.join(', ')} are beyond ${model.name}'s ${model.labelClasses} classes`;
}

function stats(xs: number[]): { median: number; p90: number; min: number; max: number } {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
    return { median: at(0.5), p90: at(0.9), min: s[0], max: s[s.length - 1] };
}

async function main(): Promise<void> {
    const chromium = findChromium();
    if (!chromium.path) throw new Error(chromium.why);
    const { ids, source } = await benchMask();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-bench-'));
    let model: ModelInfo = {
        name: 'stand-in',
        kind: 'default',
        labelClasses: 182,
        dontcareValue: 255,
        inputChannels: 184,
        hasStyleEncoder: false,
        outputWidth: 256,
        outputHeight: 256,
    };
    let backend: SynthBackend = new FixedLatencyBackend(latency, color);
    let close = (): void => undefined;
    if (backendName === 'lsp') {
        const maskFile = path.join(tmp, 'mask.png');
        await sharp(Buffer.from(ids), { raw: { width: size, height: size, channels: 1 } })
            .png()
            .toFile(maskFile);
        const real = await lspBackend(maskFile);
        const unfit = misfit(ids, real.model);
        if (unfit) {
            real.close();
            throw new Error(
                `${source}: ${unfit}, so the preview would not synthesize. Pass --mask with a ` +
                    'label map the model can take (the default model: ' +
                    'samples/scenes/masks/scene_00000.png).',
            );
        }
        backend = real.backend;
        model = real.model;
        close = () => real.close();
    }
    const browser = await launchChromium(chromium.path, tmp);
    const host = await StandInHost.open(browser, {
        backend,
        viewport: { width: 1400, height: 900 },
        initialState: {
            zoom: 2,
            panX: 0,
            panY: 0,
            seed: 1,
            samples: 1,
            brushSize: 6,
            tool: 'brush',
            selectedClass: 2,
        },
        init: () => ({
            type: 'init',
            reason: 'open',
            fileName: 'bench.png',
            mask: {
                ids: ids.slice(),
                width: size,
                height: size,
                format: { kind: 'gray', bitDepth: 8 },
            },
            classes: { names: [], colors: Array.from({ length: 256 }, (_, i) => color(i)) },
            model,
            dirty: false,
            canUndo: false,
            canRedo: false,
            maxDisplayPixels: 4_000_000,
            synthDebounceMs: debounce,
        }),
    });
    const page = host.page;
    await page.waitForFunction(
        () => performance.getEntriesByName('spade:image-shown').length > 0,
        undefined,
        { timeout: 60_000 },
    );
    const box = await page.locator('#mask-canvas').boundingBox();
    if (!box) throw new Error('mask canvas not laid out');
    const times = {
        total: [] as number[],
        toRequest: [] as number[],
        host: [] as number[],
        draw: [] as number[],
    };
    for (let i = 0; i < strokes; i++) {
        const y = box.y + 20 + ((i * 37) % Math.max(1, Math.min(box.height, 800) - 40));
        await page.mouse.move(box.x + 30, y);
        await page.mouse.down();
        await page.mouse.move(box.x + 30 + Math.min(box.width - 60, 200), y, { steps: 8 });
        await page.mouse.up();
        const t = await page.evaluate<Record<keyof typeof times, number>>(WAIT_FOR_IMAGE);
        for (const k of Object.keys(times) as (keyof typeof times)[]) times[k].push(t[k]);
    }
    await host.close();
    await browser.close();
    close();
    fs.rmSync(tmp, { recursive: true, force: true });
    const r = (x: number): string => x.toFixed(1);
    const row = (label: string, xs: number[]): string => {
        const s = stats(xs);
        return `| ${label} | ${r(s.median)} | ${r(s.p90)} | ${r(s.min)} | ${r(s.max)} |`;
    };
    const what = backendName === 'lsp' ? `lsp (${model.name})` : `stand-in (${latency} ms)`;
    console.log(`mask: ${source}; backend: ${what}; debounce ${debounce} ms; ${strokes} strokes`);
    console.log('| ms | median | p90 | min | max |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(row('stroke end -> image on screen', times.total));
    console.log(row('stroke end -> request posted (debounce)', times.toRequest));
    console.log(row('request posted -> image received (host + synthesis)', times.host));
    console.log(row('image received -> on screen (decode, draw, frame)', times.draw));
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
});
