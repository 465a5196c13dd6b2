/**
 * A sample mask opened in the preview editor: the webview's legend lists exactly the classes
 * in the mask with their pixel counts, and a synthesized image from the embedded default model
 * is drawn (a canvas that is not one flat colour). The image step reports itself skipped while
 * the language server says it has no default model.
 *
 * Then VS Code's own undo: two strokes make the tab dirty; Ctrl+Z pressed in the webview undoes
 * exactly the last one (VS Code takes the key from the page; a page that also undid by itself
 * would undo both), Redo and Undo from the command palette walk the same history, and undoing
 * both strokes gives back the file's pixels and a clean tab.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { FrameLocator, Page } from 'playwright-core';
import { expect, waitUntil } from '../harness/wait';
import { commandTitle } from '../harness/probe';
import type { Scenario } from '../harness/scenario';
import {
    closeAllEditors,
    quickOpen,
    runCommand,
    SEL,
    toastTexts,
    webview,
} from '../harness/workbench';

const MASK = path.join('scenes', 'masks', 'scene_00000.png');
const OPEN = 'spade.preview.open';
const MODEL_INFO = 'spade/preview/modelInfo';

export const preview: Scenario = {
    name: 'preview',
    probes: (workspace) => ({
        [MODEL_INFO]: {
            maskUri: pathToFileURL(path.join(workspace, MASK)).toString(),
            model: { kind: 'default' },
        },
    }),
    unavailable(ctx) {
        const editor = ctx.manifest.customEditors.find((e) =>
            e.selector.some((s) => /png/i.test(s.filenamePattern)),
        );
        if (!editor)
            return 'the extension contributes no custom editor for mask PNGs (package.json contributes.customEditors)';
        if (!commandTitle(ctx.manifest, OPEN))
            return `the extension does not contribute the command ${OPEN}`;
        return undefined;
    },
    async run(ctx, step, skip) {
        const { page } = ctx;
        const frame = webview(page);
        const counts = await classCounts(path.join(ctx.workspace, MASK));

        await step('open the mask in the preview editor', async () => {
            const t0 = Date.now();
            await quickOpen(page, path.basename(MASK));
            const opened = Date.now() - t0;
            await runCommand(page, commandTitle(ctx.manifest, OPEN) ?? '');
            const ran = Date.now() - t0;
            await frame.locator('#legend-table').waitFor({ timeout: 60_000 });
            return `file open after ${opened} ms, command run after ${ran} ms, legend after ${Date.now() - t0} ms`;
        });

        await step('the legend lists the classes of the mask with their pixel counts', async () => {
            const rows = await frame.locator('#legend-table tr.legend-row').evaluateAll((els) =>
                els.map((r) => ({
                    id: Number(r.getAttribute('data-id')),
                    count: Number(r.getAttribute('data-count')),
                    name: r.querySelector('.legend-name')?.textContent ?? '',
                })),
            );
            const shown = rows.filter((r) => r.count > 0);
            const want = [...counts.entries()].sort((a, b) => a[0] - b[0]);
            const got = shown.map((r) => [r.id, r.count]).sort((a, b) => a[0] - b[0]);
            expect(
                JSON.stringify(got) === JSON.stringify(want),
                `legend ${JSON.stringify(got)}, mask ${JSON.stringify(want)}`,
            );
            // The scenes' class file names the ids; the legend should show those names.
            const classFile = path.join(ctx.workspace, 'scenes', 'classes.json');
            if (fs.existsSync(classFile)) {
                const { names } = JSON.parse(fs.readFileSync(classFile, 'utf8')) as {
                    names: string[];
                };
                const wrong = shown.filter((r) => r.name !== names[r.id]);
                expect(
                    wrong.length === 0,
                    `names not from classes.json: ${wrong.map((r) => `${r.id} "${r.name}" (want "${names[r.id]}")`).join(', ')}`,
                );
            }
            return rows.map((r) => `${r.id} ${r.name} ${r.count}`).join(', ');
        });

        const noModel = ctx.server.methods[MODEL_INFO];
        if (noModel) skip('a synthesized image from the default model is drawn', noModel);
        else
            await step('a synthesized image from the default model is drawn', async () => {
                const image = frame.locator('#synth-grid canvas.synth-image').first();
                const message = frame.locator('#synth-message:not([hidden])');
                await image.or(message).first().waitFor({ timeout: 120_000 });
                if (await message.isVisible())
                    expect(
                        false,
                        `the preview shows a message instead of an image: ${await message.innerText()}`,
                    );
                const stats = await image.evaluate((c: HTMLCanvasElement) => {
                    const ctx2d = c.getContext('2d');
                    const data =
                        ctx2d?.getImageData(0, 0, c.width, c.height).data ??
                        new Uint8ClampedArray();
                    let min = 255;
                    let max = 0;
                    for (let i = 0; i < data.length; i += 4) {
                        min = Math.min(min, data[i], data[i + 1], data[i + 2]);
                        max = Math.max(max, data[i], data[i + 1], data[i + 2]);
                    }
                    return { width: c.width, height: c.height, min, max };
                });
                expect(
                    stats.width > 0 && stats.height > 0,
                    `canvas is ${stats.width}x${stats.height}`,
                );
                expect(
                    stats.max - stats.min > 16,
                    `the image is flat (values ${stats.min}..${stats.max})`,
                );
                const caption = await frame.locator('#synth-caption').innerText();
                return `${stats.width}x${stats.height}, ${caption}`;
            });

        const file = legendOf(counts);
        const original = await maskPixels(frame);
        let afterA = '';
        let afterB = '';
        await step('two strokes change the pixels and mark the tab dirty', async () => {
            await frame.locator('#tool-brush').click();
            afterA = await stroke(page, frame, 8, 1 / 3);
            await page.locator(`${SEL.activeTab}.dirty`).waitFor({ timeout: 10_000 });
            afterB = await stroke(page, frame, 1, 2 / 3);
            expect(
                afterA !== file && afterB !== afterA,
                `legend: ${file} -> ${afterA} -> ${afterB}`,
            );
            return `legend ${afterB}`;
        });

        await step('Ctrl+Z in the editor undoes the last stroke once', async () => {
            // The strokes left the focus in the webview, where a user presses it.
            await page.keyboard.press('Control+Z');
            await legendIs(frame, afterA, 'the first stroke only');
            await page.locator(`${SEL.activeTab}.dirty`).waitFor();
            // Had Ctrl+Z undone twice, VS Code's Redo would bring back the first stroke only.
            await runCommand(page, 'Redo');
            await legendIs(frame, afterB, 'Redo from the palette: both strokes again');
            // VS Code refuses an undo that comes while another runs, with a warning toast.
            const refused = (await toastTexts(page)).filter((t) => /undo|redo/i.test(t));
            expect(refused.length === 0, `VS Code refused an undo: ${refused.join(' | ')}`);
            return `legend ${afterA}, then ${afterB} after Redo`;
        });

        await step("the page's Undo button, then the palette's, give back the file", async () => {
            await frame.locator('#undo').click();
            await legendIs(frame, afterA, "the page's Undo button: the first stroke only");
            await runCommand(page, 'Undo');
            await legendIs(frame, file, 'the file pixels');
            await page.locator(`${SEL.activeTab}:not(.dirty)`).waitFor({ timeout: 10_000 });
            const now = await maskPixels(frame);
            expect(now === original, 'the drawn mask differs from the one before the strokes');
            return `legend ${file}`;
        });

        await step('the editor closes without asking to save', async () => {
            const refused = (await toastTexts(page)).filter((t) => /undo|redo/i.test(t));
            expect(refused.length === 0, `VS Code refused an undo: ${refused.join(' | ')}`);
            await closeAllEditors(page);
        });
    },
};

/** The legend's non-empty rows as "id:count" in id order (a stable summary of the pixels). */
function legendOf(counts: Map<number, number>): string {
    return [...counts.entries()]
        .filter(([, n]) => n > 0)
        .sort((a, b) => a[0] - b[0])
        .map(([id, n]) => `${id}:${n}`)
        .join(' ');
}

async function legendNow(frame: FrameLocator): Promise<string> {
    const rows = await frame
        .locator('#legend-table tr.legend-row')
        .evaluateAll((els) =>
            els.map((r) => [
                Number(r.getAttribute('data-id')),
                Number(r.getAttribute('data-count')),
            ]),
        );
    return legendOf(new Map(rows as [number, number][]));
}

/** Waits until the legend shows `want` (the page redraws when the host's pixels arrive). */
async function legendIs(frame: FrameLocator, want: string, what: string): Promise<void> {
    let got = '';
    try {
        await waitUntil(what, async () => (got = await legendNow(frame)) === want, 15_000);
    } catch {
        expect(false, `${what}: the legend shows ${got}, expected ${want}`);
    }
}

/** Paints class `id` across the mask at `row` (a fraction of its height); the legend after it. */
async function stroke(page: Page, frame: FrameLocator, id: number, row: number): Promise<string> {
    await frame.locator('#class-select').selectOption(String(id));
    const box = await frame.locator('#mask-canvas').boundingBox();
    expect(box, 'the mask canvas is not laid out');
    const y = box.y + box.height * row;
    const before = await legendNow(frame);
    await page.mouse.move(box.x + box.width * 0.15, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.85, y, { steps: 12 });
    await page.mouse.up();
    return waitUntil(
        `the legend to change after a stroke of class ${id}`,
        async () => {
            const after = await legendNow(frame);
            return after !== before && after;
        },
        10_000,
    );
}

/** A digest of the mask canvas's pixels (what the user sees), to compare two moments. */
function maskPixels(frame: FrameLocator): Promise<string> {
    return frame.locator('#mask-canvas').evaluate((c: HTMLCanvasElement) => {
        const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
        let h = 0;
        for (let i = 0; i < data.length; i++) h = (Math.imul(h, 31) + data[i]) | 0;
        return `${c.width}x${c.height}:${h}`;
    });
}

/** Pixels per class id of a one-channel label map. */
async function classCounts(file: string): Promise<Map<number, number>> {
    const meta = await sharp(file).metadata();
    expect(meta.channels === 1, `${file} has ${meta.channels} channels; expected a label map`);
    // raw() would expand grey to sRGB; take the one channel as it is stored.
    const data = await sharp(file).extractChannel(0).raw().toBuffer();
    const counts = new Map<number, number>();
    for (const v of data) counts.set(v, (counts.get(v) ?? 0) + 1);
    return counts;
}
