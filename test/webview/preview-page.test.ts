/**
 * The preview webview in headless Chromium with a stand-in host, on a real COCO-Stuff mask:
 * what it shows. Every expectation is computed here from the decoded PNG.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { ModelInfo, PreviewViewState } from '../../server/src/protocol/preview';
import { StandInHost } from './harness';
import {
    assertClean,
    MODEL,
    OUT,
    PageFixture,
    suiteTitle,
    testColor,
    ZOOMED,
} from './page-fixture';
import { FixedLatencyBackend } from './stand-in-backend';

describe(
    suiteTitle('preview webview: mask, legend and synthesis (headless Chromium)'),
    function () {
        this.timeout(60_000);
        const f = new PageFixture();
        f.hooks();

        it('shows a legend entry with the right pixel share for every class in the mask', async function () {
            const host = await f.open();
            try {
                const counts = new Map<number, number>();
                for (const v of f.mask.ids) counts.set(v, (counts.get(v) ?? 0) + 1);
                const rows = await host.page.$$eval('#legend-table tbody tr', (trs) =>
                    trs.map((tr) => ({
                        id: Number(tr.getAttribute('data-id')),
                        count: Number(tr.getAttribute('data-count')),
                        name: tr.querySelector('.legend-name')?.textContent ?? '',
                        share: tr.querySelector('.legend-share')?.textContent ?? '',
                    })),
                );
                const present = rows.filter((r) => r.count > 0);
                assert.equal(present.length, counts.size, 'one row per class present');
                const total = f.mask.width * f.mask.height;
                for (const r of present) {
                    assert.equal(r.count, counts.get(r.id), `pixel count of id ${r.id}`);
                    const name = r.id === 255 ? 'unlabeled' : f.table.names[r.id];
                    assert.equal(r.name, name, `name of id ${r.id}`);
                    // Two decimals; shares that would round to 0.00% read "<0.01%".
                    const pct = ((counts.get(r.id) as number) * 100) / total;
                    assert.equal(
                        r.share,
                        pct < 0.005 ? '<0.01%' : `${pct.toFixed(2)}%`,
                        `share of ${r.id}`,
                    );
                }
                for (let i = 1; i < present.length; i++) {
                    assert.ok(present[i - 1].count >= present[i].count, 'rows sorted by share');
                }
                await host.waitFor((m) => m.type === 'synthesize', 'first synthesize');
                await host.page.waitForSelector('#synth-grid canvas');
                await host.page.screenshot({ path: path.join(OUT, 'legend-and-image.png') });
                assertClean(host, (await host.pageState()).violations);
            } finally {
                await host.close();
            }
        });

        it('draws every pixel in its class colour', async function () {
            const host = await f.open();
            try {
                const points = [0, 1234, 55_555, 100_000, 200_001, f.mask.ids.length - 1];
                const colours = await host.page.evaluate((idx) => {
                    const c = document.getElementById('mask-canvas') as HTMLCanvasElement;
                    const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(
                        0,
                        0,
                        c.width,
                        c.height,
                    ).data;
                    return idx.map((i) => [d[i * 4], d[i * 4 + 1], d[i * 4 + 2]]);
                }, points);
                points.forEach((p, k) =>
                    assert.deepEqual(colours[k], testColor(f.mask.ids[p]), `pixel ${p}`),
                );
            } finally {
                await host.close();
            }
        });

        it('names the class under the cursor', async function () {
            const host = await f.open({}, ZOOMED);
            try {
                for (const [x, y] of [
                    [10, 10],
                    [150, 300],
                    [300, 120],
                ]) {
                    const p = await f.clientPoint(host, x, y);
                    await host.page.mouse.move(p.x, p.y);
                    const id = f.mask.ids[y * f.mask.width + x];
                    const name = id === 255 ? 'unlabeled' : f.table.names[id];
                    const text = await host.page.textContent('#hover-info');
                    assert.equal(text, `x ${x}, y ${y} · ${id} ${name}`);
                }
                await host.page.screenshot({ path: path.join(OUT, 'hover.png') });
            } finally {
                await host.close();
            }
        });

        it('waits for the model, then synthesizes with it', async function () {
            const host = await f.open({ model: null, modelMessage: 'Loading the model…' });
            try {
                assert.equal(await host.page.textContent('#synth-message'), 'Loading the model…');
                assert.ok(
                    !host.posted.some((m) => m.type === 'synthesize'),
                    'no request without a model',
                );
                await host.send({
                    type: 'model',
                    model: { ...MODEL, hasStyleEncoder: false },
                    classes: f.table,
                });
                const req = await host.waitFor(
                    (m) => m.type === 'synthesize',
                    'synthesize once the model is there',
                );
                assert.equal(req.samples, 1, 'one sample without a style encoder');
                assert.ok(await host.page.isDisabled('#samples'));
                await host.page.waitForSelector('#synth-grid canvas');
            } finally {
                await host.close();
            }
        });

        it('explains a class-count mismatch instead of synthesizing', async function () {
            const small: ModelInfo = {
                ...MODEL,
                name: 'tiny',
                labelClasses: 100,
                dontcareValue: undefined,
            };
            const host = await f.open({ model: small });
            try {
                const banner = await host.page.textContent('#banner');
                assert.match(
                    banner ?? '',
                    /000000000139\.png has class ids the model cannot take: 101, 104, 117/,
                );
                assert.match(banner ?? '', /Model "tiny" has 100 classes/);
                assert.ok(
                    !host.posted.some((m) => m.type === 'synthesize'),
                    'no synthesis for a mismatched mask',
                );
                await host.page.screenshot({ path: path.join(OUT, 'mismatch.png') });
                assertClean(host, (await host.pageState()).violations);
            } finally {
                await host.close();
            }
        });

        it('restores tool, class, brush size and zoom from the saved webview state', async function () {
            const host = await f.open();
            let state: PreviewViewState | undefined;
            try {
                await host.page.click('#tool-fill');
                await host.page.selectOption('#class-select', '42');
                await host.page.fill('#brush-size', '13');
                await host.page.dispatchEvent('#brush-size', 'change');
                const box = await host.page.locator('#viewport').boundingBox();
                await host.page.mouse.move((box?.x ?? 0) + 100, (box?.y ?? 0) + 100);
                await host.page.mouse.wheel(0, -300);
                state = (await host.pageState()).state;
            } finally {
                await host.close();
            }
            assert.ok(state, 'the webview saved its state');
            const again = await f.open({}, state);
            try {
                assert.equal(await again.page.getAttribute('#tool-fill', 'aria-pressed'), 'true');
                assert.equal(await again.page.inputValue('#class-select'), '42');
                assert.equal(await again.page.inputValue('#brush-size'), '13');
                const zoom = await again.page.textContent('#zoom-info');
                assert.equal(zoom, `${Math.round(state.zoom * 100)}%`);
            } finally {
                await again.close();
            }
        });

        it('downscales a mask above the display budget but hovers full-size ids', async function () {
            const host = await f.open({ maxDisplayPixels: 40_000 });
            try {
                const k = Math.ceil(Math.sqrt((f.mask.width * f.mask.height) / 40_000));
                const size = await host.page.$eval('#mask-canvas', (c) => [
                    (c as HTMLCanvasElement).width,
                    (c as HTMLCanvasElement).height,
                ]);
                assert.deepEqual(size, [Math.ceil(f.mask.width / k), Math.ceil(f.mask.height / k)]);
                assert.match(
                    (await host.page.textContent('#file-info')) ?? '',
                    new RegExp(`shown at 1/${k}`),
                );
                const [x, y] = [333, 222];
                const p = await f.clientPoint(host, x, y);
                await host.page.mouse.move(p.x, p.y);
                const id = f.mask.ids[y * f.mask.width + x];
                assert.match(
                    (await host.page.textContent('#hover-info')) ?? '',
                    new RegExp(`· ${id} `),
                );
                await host.page.screenshot({ path: path.join(OUT, 'downscaled.png') });
            } finally {
                await host.close();
            }
        });

        it('shows a grid of samples for a style model and follows the samples count', async function () {
            const host = await f.open();
            try {
                await host.waitFor((m) => m.type === 'synthesize', 'first synthesize');
                const from = host.posted.length;
                await host.page.fill('#samples', '4');
                await host.page.dispatchEvent('#samples', 'change');
                const req = await host.waitFor(
                    (m) => m.type === 'synthesize',
                    'synthesize with 4 samples',
                    5000,
                    from,
                );
                assert.equal(req.samples, 4);
                await host.page.waitForFunction(
                    () => document.querySelectorAll('#synth-grid canvas').length === 4,
                );
                await host.page.screenshot({ path: path.join(OUT, 'samples.png') });
            } finally {
                await host.close();
            }
        });

        it('shows a fatal message instead of the editor', async function () {
            const fatal =
                '/tmp/elsewhere/mask.png is outside the workspace folders and run folders.';
            const host = await StandInHost.open(f.browser as Browser, {
                backend: new FixedLatencyBackend(10, testColor),
                init: () => ({
                    ...f.init(),
                    fatal,
                    mask: {
                        ids: new Uint8Array(0),
                        width: 0,
                        height: 0,
                        format: { kind: 'gray', bitDepth: 8 },
                    },
                }),
            });
            try {
                await host.page.waitForSelector('#banner:not([hidden])');
                assert.equal(await host.page.textContent('#banner'), fatal);
                assert.ok(await host.page.isDisabled('#tool-brush'));
                assert.deepEqual(host.pageErrors, []);
            } finally {
                await host.close();
            }
        });
    },
);
