/**
 * The preview webview in headless Chromium with a stand-in host: the paint history survives
 * the page being reloaded (VS Code reloads it when the panel is hidden and shown), and a
 * history that does not belong to the ids the host sends is not applied.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { PreviewViewState } from '../../server/src/protocol/preview';
import type { StandInHost } from './harness';
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
    suiteTitle('preview webview: undo history across reloads (headless Chromium)'),
    function () {
        this.timeout(60_000);
        const f = new PageFixture();
        f.hooks();

        /** Paints a stroke (class 2 along row 100), then fills around (200, 60) with class 3. */
        async function paint(host: StandInHost): Promise<void> {
            await host.page.selectOption('#class-select', '2');
            const a = await f.clientPoint(host, 40, 100);
            const b = await f.clientPoint(host, 120, 100);
            let from = host.posted.length;
            await host.page.mouse.move(a.x, a.y);
            await host.page.mouse.down();
            await host.page.mouse.move(b.x, b.y, { steps: 8 });
            await host.page.mouse.up();
            await host.waitFor((m) => m.type === 'edit', 'stroke edit', 5000, from);
            await host.page.click('#tool-fill');
            await host.page.selectOption('#class-select', '3');
            const p = await f.clientPoint(host, 200, 60);
            from = host.posted.length;
            await host.page.mouse.click(p.x, p.y);
            await host.waitFor((m) => m.type === 'edit', 'fill edit', 5000, from);
        }

        it('undo and redo after a reload restore the earlier pixels', async function () {
            const host = await f.open({}, ZOOMED);
            let afterStroke: Uint8Array;
            let afterFill: Uint8Array;
            let state: PreviewViewState | undefined;
            try {
                await paint(host);
                afterFill = await saveIds(host);
                await host.page.click('#undo');
                afterStroke = await saveIds(host);
                assert.ok(diff(f.mask.ids, afterStroke).size > 100, 'the stroke changed pixels');
                assert.deepEqual(
                    diff(afterStroke, afterFill),
                    region(f.mask, 200, 60),
                    'the fill changed its region',
                );
                state = (await host.pageState()).state;
                assertClean(host, (await host.pageState()).violations);
            } finally {
                await host.close();
            }
            assert.ok(state?.history, 'the history is in the webview state');
            assert.ok(
                JSON.stringify(state.history).length < 8000,
                'a stroke and a fill take a few kilobytes',
            );

            // The reload: VS Code gives the page its saved state, the host the edited ids.
            const again = await f.open(
                { mask: { ...f.init().mask, ids: afterStroke.slice() }, dirty: true },
                state,
            );
            try {
                assert.equal(await again.page.isDisabled('#undo'), false, 'undo is available');
                assert.equal(await again.page.isDisabled('#redo'), false, 'redo is available');
                assert.equal(await again.page.textContent('#dirty-info'), '● unsaved');
                await again.page.click('#redo');
                assert.deepEqual(await saveIds(again), afterFill, 'redo repaints the fill');
                await again.page.click('#undo');
                await again.page.click('#undo');
                assert.deepEqual(await saveIds(again), f.mask.ids, 'undo restores the file pixels');
                assert.equal(
                    await again.page.textContent('#dirty-info'),
                    '',
                    'back at the saved state',
                );
                assert.equal(await again.page.isDisabled('#undo'), true);
                await again.page.screenshot({ path: path.join(OUT, 'history-after-reload.png') });
                assertClean(again, (await again.pageState()).violations);
            } finally {
                await again.close();
            }
        });

        it('does not apply a saved history to ids it does not belong to', async function () {
            const host = await f.open({}, ZOOMED);
            let state: PreviewViewState | undefined;
            try {
                await paint(host);
                state = (await host.pageState()).state;
            } finally {
                await host.close();
            }
            // The file changed on disk meanwhile: the host sends the file's (original) ids.
            const again = await f.open({}, state);
            try {
                assert.equal(await again.page.isDisabled('#undo'), true, 'nothing to undo');
                assert.equal(await again.page.isDisabled('#redo'), true, 'nothing to redo');
                assert.deepEqual(await saveIds(again), f.mask.ids);
                const saved = (await again.pageState()).state;
                assert.deepEqual(saved?.history?.undo, [], 'the stale history is dropped');
            } finally {
                await again.close();
            }
        });
    },
);
