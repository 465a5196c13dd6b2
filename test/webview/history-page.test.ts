/**
 * The preview webview in headless Chromium with a stand-in host, on undo and redo. The host
 * owns the history (as the extension does, on VS Code's stack): the page posts each stroke
 * or fill, asks the host for Undo and Redo, never undoes by itself (so the Ctrl+Z that VS Code
 * takes from the page undoes once), and sets the pixels the host sends, also after a reload.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { PreviewViewState } from '../../server/src/protocol/preview';
import type { StandInDocument, StandInHost } from './harness';
import {
    assertClean,
    diff,
    OUT,
    PageFixture,
    region,
    saveIds,
    suiteTitle,
    ZOOMED,
} from './page-fixture';

describe(
    suiteTitle('preview webview: undo and redo through the host (headless Chromium)'),
    function () {
        this.timeout(60_000);
        const f = new PageFixture();
        f.hooks();

        /** Paints a stroke (class 2 along row 100), then fills around (200, 60) with class 3. */
        async function paint(host: StandInHost): Promise<{ stroke: Uint8Array; fill: Uint8Array }> {
            await host.page.selectOption('#class-select', '2');
            const a = await f.clientPoint(host, 40, 100);
            const b = await f.clientPoint(host, 120, 100);
            let from = host.posted.length;
            await host.page.mouse.move(a.x, a.y);
            await host.page.mouse.down();
            await host.page.mouse.move(b.x, b.y, { steps: 8 });
            await host.page.mouse.up();
            const stroke = await host.waitFor((m) => m.type === 'edit', 'stroke edit', 5000, from);
            await host.page.click('#tool-fill');
            await host.page.selectOption('#class-select', '3');
            const p = await f.clientPoint(host, 200, 60);
            from = host.posted.length;
            await host.page.mouse.click(p.x, p.y);
            const fill = await host.waitFor((m) => m.type === 'edit', 'fill edit', 5000, from);
            return { stroke: stroke.ids as Uint8Array, fill: fill.ids as Uint8Array };
        }

        /** Waits until the page's Undo and Redo buttons are enabled as given. */
        async function buttons(host: StandInHost, undo: boolean, redo: boolean): Promise<void> {
            await host.page.waitForFunction(
                ([u, r]) =>
                    !(document.getElementById('undo') as HTMLButtonElement).disabled === u &&
                    !(document.getElementById('redo') as HTMLButtonElement).disabled === r,
                [undo, redo],
            );
        }

        it('Ctrl+Z undoes exactly one edit, through the host', async function () {
            const host = await f.open({}, ZOOMED);
            try {
                const { stroke, fill } = await paint(host);
                assert.deepEqual(diff(stroke, fill), region(f.mask, 200, 60), 'the fill region');
                const from = host.posted.length;
                await host.page.locator('#viewport').focus();
                await host.page.keyboard.press('Control+Z');
                await buttons(host, true, true);
                assert.deepEqual(host.commands, ['undo'], 'one undo command');
                assert.deepEqual(await saveIds(host), stroke, 'only the fill is undone');
                const posted = host.posted.slice(from).map((m) => m.type);
                assert.ok(!posted.includes('edit'), `the page did not paint by itself: ${posted}`);
                assert.equal(await host.page.textContent('#dirty-info'), '● unsaved');

                await host.page.keyboard.press('Control+Y');
                await buttons(host, true, false);
                assert.deepEqual(await saveIds(host), fill, 'Ctrl+Y redoes the fill');
                const count = Number(
                    await host.page.getAttribute('#legend-table tr[data-id="3"]', 'data-count'),
                );
                const want = [...fill].filter((v) => v === 3).length;
                assert.equal(count, want, 'the legend counts follow the host pixels');
                assertClean(host, (await host.pageState()).violations);
            } finally {
                await host.close();
            }
        });

        it('the buttons ask the host, and the history outlives a page reload', async function () {
            const host = await f.open({}, ZOOMED);
            let doc: StandInDocument | undefined;
            let state: PreviewViewState | undefined;
            let stroke: Uint8Array;
            let fill: Uint8Array;
            try {
                ({ stroke, fill } = await paint(host));
                await host.page.click('#undo');
                await buttons(host, true, true);
                assert.deepEqual(host.commands, ['undo'], 'the button ran the host undo');
                assert.deepEqual(await saveIds(host), stroke);
                doc = host.document;
                state = (await host.pageState()).state;
                assertClean(host, (await host.pageState()).violations);
            } finally {
                await host.close();
            }
            assert.ok(doc, 'the stand-in kept a document');
            assert.ok(state && !('history' in state), 'the page keeps no history of its own');

            // The reload: VS Code gives the page its saved view, the host its document.
            const again = await f.open({}, state, 30, doc);
            try {
                await buttons(again, true, true);
                assert.equal(await again.page.textContent('#dirty-info'), '● unsaved');
                await again.page.click('#redo');
                await buttons(again, true, false);
                assert.deepEqual(await saveIds(again), fill, 'redo repaints the fill');
                await again.page.click('#undo');
                await buttons(again, true, true);
                await again.page.click('#undo');
                await buttons(again, false, true);
                assert.deepEqual(await saveIds(again), f.mask.ids, 'undo restores the file pixels');
                assert.equal(
                    await again.page.textContent('#dirty-info'),
                    '',
                    'back at the saved state',
                );
                await again.page.screenshot({ path: path.join(OUT, 'history-after-reload.png') });
                assertClean(again, (await again.pageState()).violations);
            } finally {
                await again.close();
            }
        });

        it('drops the paint history an older page saved in its state', async function () {
            const old = { ...ZOOMED, history: { undo: [{ label: 'Brush' }] } } as PreviewViewState;
            const host = await f.open({}, old);
            try {
                await buttons(host, false, false);
                await host.page.click('#tool-pan');
                const saved = (await host.pageState()).state;
                assert.ok(saved && !('history' in saved), 'not written back');
                assert.equal(saved.zoom, ZOOMED.zoom, 'the view itself is kept');
            } finally {
                await host.close();
            }
        });
    },
);
