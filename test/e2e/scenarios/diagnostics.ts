/**
 * A sample config with a deliberate error: the editor underlines it, the Problems panel lists
 * exactly what `spade check` prints (message, code, line and column), and correcting the value
 * by keyboard clears the problem; the saved file then passes `spade check`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, waitUntil } from '../harness/wait';
import { spadeCheck, type Scenario } from '../harness/scenario';
import {
    SEL,
    closeAllEditors,
    goTo,
    quickOpen,
    readMarkers,
    showProblems,
    statusCounts,
    type Marker,
} from '../harness/workbench';

/** The sample and the correction: crop 90 is not a multiple of 32; 96 is. */
const FILE = path.join('errors', 'crop-90.spade');
const WRONG = '90';
const RIGHT = '96';

export const diagnostics: Scenario = {
    name: 'diagnostics',
    unavailable: () => undefined,
    async run(ctx, step) {
        const file = path.join(ctx.workspace, FILE);
        const { page } = ctx;

        const expected = await step('spade check reports the deliberate error', async () => {
            const res = await spadeCheck(ctx, file);
            expect(res.code === 1, `spade check exited ${res.code}, expected 1: ${res.output}`);
            expect(res.diagnostics.length === 1, `expected one diagnostic: ${res.output}`);
            return res.diagnostics[0];
        });

        await step(
            'open the config: the language is SPADE and the error is underlined',
            async () => {
                await quickOpen(page, path.basename(FILE));
                await page.locator(SEL.languageMode, { hasText: /SPADE/i }).waitFor();
                await page.locator(SEL.squiggleError).first().waitFor();
                return 'squiggle shown';
            },
        );

        // The editor may add findings `spade check` does not make (e.g. dataset folders missing
        // on disk), so the CLI's diagnostic is looked up among the panel's rows by its message.
        const before = await step(
            'Problems panel shows the message and position spade check prints',
            async () => {
                await showProblems(page);
                const markers = await waitUntil(
                    `a Problems row saying "${expected.message}"`,
                    async () => {
                        const all = await readMarkers(page);
                        return all.some((m) => m.message === expected.message) && all;
                    },
                );
                const m = markers.find((x) => x.message === expected.message) as Marker;
                expect(
                    m.line === expected.line && m.column === expected.column,
                    `position: panel ${m.line}:${m.column}, CLI ${expected.line}:${expected.column}`,
                );
                expect(
                    m.severity === expected.severity,
                    `severity: panel ${m.severity}, CLI ${expected.severity}`,
                );
                expect(
                    m.code.includes(expected.code) || m.source.includes(expected.code),
                    `code: panel "${m.source} ${m.code}", CLI ${expected.code}`,
                );
                const counts = await statusCounts(page);
                expect(counts.errors >= 1, `status bar shows ${counts.errors} errors`);
                return { markers, counts };
            },
        );

        await step(`typing ${RIGHT} over ${WRONG} clears the problem`, async () => {
            const text = fs.readFileSync(file, 'utf8').split('\n')[expected.line - 1];
            expect(
                text.slice(expected.column - 1).startsWith(WRONG),
                `line ${expected.line} does not have ${WRONG} at column ${expected.column}: ${text}`,
            );
            await goTo(page, expected.line, expected.column);
            await page.keyboard.press('Control+Shift+ArrowRight');
            await page
                .locator('#status\\.editor\\.selection', { hasText: `(${WRONG.length} selected)` })
                .waitFor();
            await page.keyboard.type(RIGHT);
            // The editor republishes in phases (checks, then files on disk), so wait until the rows
            // settle to exactly the earlier ones less the corrected one.
            const others = before.markers.filter((m) => m.message !== expected.message);
            const after = await waitUntil(
                `the rows to become: ${show(others) || 'none'}`,
                async () => {
                    const all = await readMarkers(page);
                    return show(all) === show(others) && all;
                },
            );
            if (after.length === 0)
                await page.locator(SEL.squiggleError).first().waitFor({ state: 'detached' });
            const counts = await waitUntil('the status bar to count one error less', async () => {
                const c = await statusCounts(page);
                return c.errors === before.counts.errors - 1 && c;
            });
            return `rows ${before.markers.length} -> ${after.length}; errors ${before.counts.errors} -> ${counts.errors}`;
        });

        await step('the saved file passes spade check', async () => {
            await page.keyboard.press('Control+S');
            await page.locator(`${SEL.activeTab}.dirty`).waitFor({ state: 'detached' });
            const res = await spadeCheck(ctx, file);
            expect(res.code === 0 && res.diagnostics.length === 0, `spade check: ${res.output}`);
            expect(
                fs.readFileSync(file, 'utf8').includes(`crop = ${RIGHT}`),
                'the saved text does not hold the correction',
            );
            await closeAllEditors(page);
            return res.output;
        });
    },
};

function show(markers: Marker[]): string {
    return markers
        .map((m) => `${m.line}:${m.column} ${m.message}`)
        .sort()
        .join(' | ');
}
