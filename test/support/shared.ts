/**
 * Where the read-only shared material (golden vectors, COCO-Stuff samples, design docs) lives.
 * One setting: SPADE_SHARED, defaulting to ../shared beside the repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const sharedDir = path.resolve(repoRoot, process.env.SPADE_SHARED ?? '../shared');

/** Absolute path of a file under shared/, or undefined when it is not there. */
export function sharedPath(...parts: string[]): string | undefined {
    const p = path.join(sharedDir, ...parts);
    return fs.existsSync(p) ? p : undefined;
}

/**
 * Call at the top of a test or suite body: skips it (reported as pending, with the reason)
 * when the shared material it needs is absent, so a clone outside this workplace still runs.
 */
export function requireShared(ctx: Mocha.Context, ...parts: string[]): string {
    const p = sharedPath(...parts);
    if (p === undefined) {
        const why = `shared material not found: ${path.join(sharedDir, ...parts)} (set SPADE_SHARED)`;
        if (ctx.test) ctx.test.title += ` [skipped: ${why}]`;
        ctx.skip();
    }
    return p;
}
