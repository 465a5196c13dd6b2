/**
 * A sample mask opened in the preview editor: the webview's legend lists exactly the classes
 * in the mask with their pixel counts, and a synthesized image from the embedded default model
 * is drawn (a canvas that is not one flat colour). The image step reports itself skipped while
 * the language server says it has no default model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { expect } from '../harness/wait';
import { commandTitle } from '../harness/probe';
import type { Scenario } from '../harness/scenario';
import { closeAllEditors, quickOpen, runCommand, webview } from '../harness/workbench';

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
        if (noModel) {
            skip('a synthesized image from the default model is drawn', noModel);
            await closeAllEditors(page);
            return;
        }
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
                    ctx2d?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
                let min = 255;
                let max = 0;
                for (let i = 0; i < data.length; i += 4) {
                    min = Math.min(min, data[i], data[i + 1], data[i + 2]);
                    max = Math.max(max, data[i], data[i + 1], data[i + 2]);
                }
                return { width: c.width, height: c.height, min, max };
            });
            expect(stats.width > 0 && stats.height > 0, `canvas is ${stats.width}x${stats.height}`);
            expect(
                stats.max - stats.min > 16,
                `the image is flat (values ${stats.min}..${stats.max})`,
            );
            const caption = await frame.locator('#synth-caption').innerText();
            await closeAllEditors(page);
            return `${stats.width}x${stats.height}, ${caption}`;
        });
    },
};

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
