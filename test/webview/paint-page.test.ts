/**
 * The preview webview in headless Chromium with a stand-in host, on a real COCO-Stuff mask:
 * painting. The brush footprint and fill region are computed here, independently.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import {
    brushFootprint,
    diff,
    PageFixture,
    region,
    saveIds,
    suiteTitle,
    ZOOMED,
} from './page-fixture';
import { assertClean, MODEL, OUT } from './page-fixture';

describe(suiteTitle('preview webview: painting (headless Chromium)'), function () {
    this.timeout(60_000);
    const f = new PageFixture();
    f.hooks();

    it('paints exactly the brush footprint, re-synthesizes, undoes and redoes', async function () {
        const host = await f.open({}, ZOOMED);
        try {
            const first = await host.waitFor((m) => m.type === 'synthesize', 'first synthesize');
            assert.equal(host.posted[0].type, 'ready', 'ready is the first message');
            const cls = 2; // car: absent from this mask, so every covered pixel changes
            await host.page.selectOption('#class-select', String(cls));
            const [y, x0, x1] = [100, 40, 120];
            const a = await f.clientPoint(host, x0, y);
            const b = await f.clientPoint(host, x1, y);
            const before = host.posted.length;
            await host.page.mouse.move(a.x, a.y);
            await host.page.mouse.down();
            await host.page.mouse.move(b.x, b.y, { steps: 12 });
            await host.page.mouse.up();
            const edit = await host.waitFor((m) => m.type === 'edit', 'edit message', 5000, before);
            assert.equal(edit.label, 'Brush');
            assert.equal(await host.page.textContent('#dirty-info'), '● unsaved');

            const expected = new Set(
                [...brushFootprint(f.mask, x0, x1, y, 5)].filter((i) => f.mask.ids[i] !== cls),
            );
            const painted = edit.ids as Uint8Array;
            assert.deepEqual(
                diff(f.mask.ids, painted),
                expected,
                'changed pixels = brush footprint',
            );
            for (const i of expected) assert.equal(painted[i], cls);
            const runs = edit.runs as Uint32Array;
            const named = new Set<number>();
            for (let r = 0; r < runs.length; r += 2)
                for (let i = runs[r]; i < runs[r] + runs[r + 1]; i++) named.add(i);
            assert.deepEqual(named, expected, 'the edit names exactly the painted pixels');

            const synth = await host.waitFor(
                (m) =>
                    m.type === 'synthesize' &&
                    (m.requestId as number) > (first.requestId as number),
                'synthesize after the stroke',
                5000,
                before,
            );
            assert.deepEqual(
                diff(f.mask.ids, synth.ids as Uint8Array),
                expected,
                'the request carries the stroke',
            );
            assert.equal(synth.seed, 7);
            await host.page.waitForFunction(
                () => !document.getElementById('synth')?.classList.contains('busy'),
            );
            await host.page.screenshot({ path: path.join(OUT, 'after-stroke.png') });

            assert.deepEqual(
                diff(f.mask.ids, await saveIds(host)),
                expected,
                'save posts the painted ids',
            );
            // Undo and redo go through the host (VS Code's stack); wait for its pixels.
            await host.page.click('#undo');
            await host.page.waitForSelector('#undo[disabled]');
            assert.equal(diff(f.mask.ids, await saveIds(host)).size, 0, 'undo restores the mask');
            await host.page.keyboard.press('Control+Shift+Z');
            await host.page.waitForSelector('#redo[disabled]');
            assert.deepEqual(diff(f.mask.ids, await saveIds(host)), expected, 'redo paints again');
            assert.deepEqual(host.commands, ['undo', 'redo']);
            assertClean(host, (await host.pageState()).violations);
        } finally {
            await host.close();
        }
    });

    it('flood-fills the 4-connected region under the click', async function () {
        const host = await f.open({}, { ...ZOOMED, tool: 'fill' });
        try {
            const [x, y] = [200, 60];
            const rows = host.page.locator('#legend-table tbody tr');
            const pickId = Number(await rows.nth(2).getAttribute('data-id'));
            await rows.nth(2).click();
            assert.equal(
                await host.page.inputValue('#class-select'),
                String(pickId),
                'legend click picks the class',
            );
            assert.notEqual(
                f.mask.ids[y * f.mask.width + x],
                pickId,
                'the test needs a different class there',
            );
            const p = await f.clientPoint(host, x, y);
            const before = host.posted.length;
            await host.page.mouse.click(p.x, p.y);
            const edit = await host.waitFor(
                (m) => m.type === 'edit',
                'edit after fill',
                5000,
                before,
            );
            assert.equal(edit.label, 'Fill');
            const expected = region(f.mask, x, y);
            assert.ok(expected.size > 100, 'a region worth filling');
            assert.deepEqual(diff(f.mask.ids, edit.ids as Uint8Array), expected);
            const legendCount = Number(
                await host.page.getAttribute(`#legend-table tr[data-id="${pickId}"]`, 'data-count'),
            );
            const was = f.mask.ids.filter((v) => v === pickId).length;
            assert.equal(legendCount, was + expected.size, 'legend counts follow the fill');
            const hover = await host.page.textContent('#hover-info');
            assert.equal(
                hover,
                `x ${x}, y ${y} · ${pickId} ${f.table.names[pickId]}`,
                'readout follows',
            );
            await host.page.screenshot({ path: path.join(OUT, 'after-fill.png') });
        } finally {
            await host.close();
        }
    });

    it('cancels a stale synthesis request when a newer stroke supersedes it', async function () {
        // A long answer time keeps the first request in flight whatever the machine's load.
        const host = await f.open({}, ZOOMED, 2500);
        try {
            await host.waitFor((m) => m.type === 'synthesize', 'first synthesize');
            await host.page.selectOption('#class-select', '2');
            const ids: number[] = [];
            for (const y of [50, 80]) {
                const from = host.posted.length;
                const p = await f.clientPoint(host, 30, y);
                await host.page.mouse.click(p.x, p.y);
                const m = await host.waitFor(
                    (q) => q.type === 'synthesize',
                    `synthesize after y ${y}`,
                    5000,
                    from,
                );
                ids.push(m.requestId as number);
            }
            const synths = host.posted
                .filter((m) => m.type === 'synthesize')
                .map((m) => m.requestId as number);
            const cancels = host.posted
                .filter((m) => m.type === 'cancel')
                .map((m) => m.requestId as number);
            assert.deepEqual(
                synths,
                [...synths].sort((p, q) => p - q),
                'request ids increase',
            );
            assert.equal(new Set(synths).size, synths.length, 'request ids are unique');
            assert.ok(ids[1] > ids[0]);
            assert.ok(
                cancels.includes(ids[0]),
                `the stale request ${ids[0]} is cancelled (cancels: ${cancels})`,
            );
            await host.page.waitForFunction(
                () => !document.getElementById('synth')?.classList.contains('busy'),
            );
            assert.ok(!cancels.includes(ids[1]), 'the latest request stands');
            // The caption follows once the answer's image has decoded (after busy clears).
            await host.page
                .waitForFunction(
                    () =>
                        /image · seed 7 · \d+ ms/.test(
                            document.getElementById('synth-caption')?.textContent ?? '',
                        ),
                    undefined,
                    { timeout: 5000 },
                )
                .catch(() => undefined);
            const caption = await host.page.textContent('#synth-caption');
            assert.match(caption ?? '', /image · seed 7 · \d+ ms/);
        } finally {
            await host.close();
        }
    });

    it('edits a 16-bit mask and posts 16-bit ids', async function () {
        const wide = Uint16Array.from(f.mask.ids, (v) => (v === 255 ? 255 : v + 1000));
        const names = Array.from({ length: 1200 }, (_, i) => `class ${i}`);
        const host = await f.open(
            {
                mask: {
                    ids: wide.slice(),
                    width: f.mask.width,
                    height: f.mask.height,
                    format: { kind: 'gray', bitDepth: 16 },
                },
                classes: { names, dontcare: { value: 255, name: 'unlabeled' } },
                model: { ...MODEL, labelClasses: 1200 },
            },
            { ...ZOOMED, selectedClass: 1150 },
        );
        try {
            const p = await f.clientPoint(host, 50, 50);
            const from = host.posted.length;
            await host.page.mouse.click(p.x, p.y);
            const edit = await host.waitFor((m) => m.type === 'edit', 'edit', 5000, from);
            const ids = edit.ids as Uint16Array;
            assert.ok(ids instanceof Uint16Array, 'ids stay 16-bit');
            assert.deepEqual(diff(wide, ids), new Set(brushFootprint(f.mask, 50, 50, 50, 5)));
            assert.equal(ids[50 * f.mask.width + 50], 1150);
            assert.equal(await host.page.textContent('#dirty-info'), '● unsaved');
            await host.send({ type: 'saved', ok: true });
            assert.equal(await host.page.textContent('#dirty-info'), '', 'saved clears the marker');
            assert.match((await host.page.textContent('#file-info')) ?? '', /16-bit ids/);
        } finally {
            await host.close();
        }
    });
});
