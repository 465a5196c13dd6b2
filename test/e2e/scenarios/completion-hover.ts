/**
 * Completion at a property position inside a dataset block lists dataset properties (and
 * nothing from other blocks); a typed prefix narrows it to the matching property. Hover on a
 * property shows its documentation. Expected names and docs come from the language registry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET } from '../../../server/src/language/registry-dataset';
import { GENERATOR } from '../../../server/src/language/registry-networks';
import { expect } from '../harness/wait';
import type { Scenario } from '../harness/scenario';
import { SEL, closeAllEditors, goTo, quickOpen, runCommand } from '../harness/workbench';

const FILE = 'custom-small.spade';
/** The new line goes after this line of the dataset block. */
const ANCHOR = /^\s*dontcare\s*=/;
/** Hovered: the `crop` property of `dataset > preprocess`. */
const HOVERED = /^(\s*)crop\s*=/;

export const completionHover: Scenario = {
    name: 'completion-hover',
    unavailable(ctx) {
        const caps = ctx.server.capabilities;
        if (!caps.completionProvider)
            return 'the language server offers no completion yet (no completionProvider in its initialize result)';
        if (!caps.hoverProvider)
            return 'the language server offers no hover yet (no hoverProvider in its initialize result)';
        return undefined;
    },
    async run(ctx, step) {
        const { page } = ctx;
        const lines = fs.readFileSync(path.join(ctx.workspace, FILE), 'utf8').split('\n');
        const anchor = lines.findIndex((l) => ANCHOR.test(l)) + 1;
        const hovered = lines.findIndex((l) => HOVERED.test(l)) + 1;
        const datasetWords = new Set([
            ...DATASET.properties.map((p) => p.name),
            ...DATASET.blocks.map((b) => b.kind),
        ]);
        const foreign = GENERATOR.properties.map((p) => p.name).filter((n) => !datasetWords.has(n));
        // Properties the dataset block does not set yet: each must be offered.
        const start = lines.findIndex((l) => /^dataset\s+\w+\s*\{/.test(l));
        const end = lines.findIndex((l, i) => i > start && /^\}/.test(l));
        const set = new Set(
            lines.slice(start + 1, end).flatMap((l) => /^ {4}(\w+)\s*[={]/.exec(l)?.[1] ?? []),
        );
        expect(
            anchor > 0 && hovered > 0 && start >= 0 && end > start,
            `${FILE} no longer has the lines this scenario uses`,
        );
        const unset = DATASET.properties.map((p) => p.name).filter((n) => !set.has(n));

        await step('open the config', async () => {
            await quickOpen(page, FILE);
            await page.locator(SEL.languageMode, { hasText: /SPADE/i }).waitFor();
        });

        await step(
            'Ctrl+Space on a new line of the dataset block lists dataset properties',
            async () => {
                await goTo(page, anchor, lines[anchor - 1].length + 1);
                await page.keyboard.press('End');
                await page.keyboard.press('Enter');
                await page.keyboard.press('Control+Space');
                await page.locator(SEL.suggestRows).first().waitFor();
                const labels = await suggestLabels();
                const strangers = labels.filter((l) => !datasetWords.has(l));
                expect(
                    labels.length >= 3,
                    `only ${labels.length} suggestions: ${labels.join(', ')}`,
                );
                expect(strangers.length === 0, `not dataset properties: ${strangers.join(', ')}`);
                const missing = unset.filter((n) => !labels.includes(n));
                expect(missing.length === 0, `unset properties not offered: ${missing.join(', ')}`);
                expect(
                    !labels.some((l) => foreign.includes(l)),
                    `generator properties offered in a dataset block: ${labels.join(', ')}`,
                );
                return labels.join(', ');
            },
        );

        await step('typing a prefix narrows the list to the matching property', async () => {
            await page.keyboard.type('max_');
            await page
                .locator(`${SEL.suggestRows}.focused .label-name`, { hasText: /^max_size$/ })
                .waitFor();
            await page.keyboard.press('Escape');
            await page.locator(SEL.suggestWidget).waitFor({ state: 'detached' });
            return 'max_size is the focused suggestion';
        });

        await step('hover on a property shows its documentation', async () => {
            await runCommand(page, 'File: Revert File');
            const indent = HOVERED.exec(lines[hovered - 1])?.[1].length ?? 0;
            await goTo(page, hovered, indent + 2);
            await page.keyboard.press('Control+K');
            await page.keyboard.press('Control+I');
            const crop = DATASET.blocks
                .find((b) => b.kind === 'preprocess')
                ?.properties.find((p) => p.name === 'crop');
            expect(crop, 'the registry has no dataset > preprocess > crop');
            const words = crop.doc.split(/[;.]/)[0];
            const hover = page.locator(SEL.hover, { hasText: words });
            await hover.first().waitFor();
            const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
            await page.keyboard.press('Escape');
            await closeAllEditors(page);
            return text.slice(0, 160);
        });

        async function suggestLabels(): Promise<string[]> {
            return page.locator(`${SEL.suggestRows} .label-name`).allInnerTexts();
        }
    },
};
