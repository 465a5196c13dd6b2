/**
 * Results and screenshots. Each scenario is a list of steps; a step is one check line
 * (`ok` / `FAIL`) and one screenshot in the output folder, named after the scenario and step,
 * so a failure can be looked at afterwards. The first failed step ends its scenario.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

/** One recorded check. */
export interface Result {
    name: string;
    outcome: 'passed' | 'failed' | 'skipped';
    detail: string;
    ms: number;
}

/** Collects results and prints them as they come. */
export class Report {
    readonly results: Result[] = [];
    private shot = 0;

    constructor(
        readonly outDir: string,
        private readonly page: () => Page | undefined,
    ) {
        fs.mkdirSync(outDir, { recursive: true });
        for (const f of fs.readdirSync(outDir))
            if (f.endsWith('.png')) fs.rmSync(path.join(outDir, f));
    }

    /** Records an outcome decided outside a step (set-up checks, the loopback guard). */
    record(name: string, ok: boolean, detail = '', ms = 0): void {
        this.add({ name, outcome: ok ? 'passed' : 'failed', detail, ms });
    }

    /** Records a scenario that cannot run against this build, with the reason. */
    skip(name: string, reason: string): void {
        this.add({ name, outcome: 'skipped', detail: reason, ms: 0 });
    }

    /** Runs a step and screenshots the page after it, failed or not; rethrows failures. */
    async step<T>(scenario: string, title: string, fn: () => Promise<T>): Promise<T> {
        const t0 = Date.now();
        try {
            const value = await fn();
            await this.screenshot(scenario, title);
            this.add({
                name: `${scenario}: ${title}`,
                outcome: 'passed',
                detail: typeof value === 'string' ? value : '',
                ms: Date.now() - t0,
            });
            return value;
        } catch (e) {
            const shot = await this.screenshot(scenario, `${title} FAILED`);
            const why = e instanceof Error ? (e.name === 'CheckFailed' ? e.message : e.stack) : e;
            this.add({
                name: `${scenario}: ${title}`,
                outcome: 'failed',
                detail: `${String(why)}\n     screenshot: ${shot}`,
                ms: Date.now() - t0,
            });
            throw new StepFailed(title);
        }
    }

    /** Saves a screenshot and returns its path ('' when the page is gone). */
    async screenshot(scenario: string, title: string): Promise<string> {
        const page = this.page();
        if (!page || page.isClosed()) return '';
        this.shot++;
        const slug = `${scenario}-${title}`.replace(/[^\w]+/g, '-').replace(/^-|-$/g, '');
        const file = path.join(this.outDir, `${String(this.shot).padStart(2, '0')}-${slug}.png`);
        try {
            await page.screenshot({ path: file, timeout: 10_000 });
            return file;
        } catch {
            return '';
        }
    }

    count(outcome: Result['outcome']): number {
        return this.results.filter((r) => r.outcome === outcome).length;
    }

    private add(r: Result): void {
        this.results.push(r);
        const tag = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' }[r.outcome];
        const ms = r.ms ? ` (${(r.ms / 1000).toFixed(1)} s)` : '';
        process.stdout.write(`${tag} ${r.name}${ms}${r.detail ? ` -- ${r.detail}` : ''}\n`);
    }
}

/** Thrown by Report.step after it has recorded the failure; ends the scenario quietly. */
export class StepFailed extends Error {
    override name = 'StepFailed';
}
