/** The shape of a scenario and what the runner hands it. */
import { execFile } from 'node:child_process';
import type { Page } from 'playwright-core';
import * as path from 'node:path';
import type { Manifest, ServerFacts } from './probe';

/** Everything a scenario may use; one page and one workspace are shared by all scenarios. */
export interface E2eContext {
    page: Page;
    repoRoot: string;
    /** The folder open in the workbench (a copy of samples/ plus fixtures under e2e/). */
    workspace: string;
    /** The installed extension's folder. */
    extensionDir: string;
    manifest: Manifest;
    server: ServerFacts;
}

/** Runs one step: a check line plus a screenshot; throws (ending the scenario) on failure. */
export type Step = <T>(title: string, fn: () => Promise<T>) => Promise<T>;

/** Reports a step that cannot run against this build, with the reason. */
export type Skip = (title: string, reason: string) => void;

/** One user journey. */
export interface Scenario {
    /** Short id: screenshot names and `--only`. */
    name: string;
    /** Custom LSP requests to probe (method -> params) before the run, given the workspace. */
    probes?(workspace: string): Record<string, unknown>;
    /** Why the scenario cannot run against this build (its feature is missing), or undefined. */
    unavailable(ctx: E2eContext): string | undefined;
    run(ctx: E2eContext, step: Step, skip: Skip): Promise<void>;
}

/** One line of `spade check` output. */
export interface CliDiagnostic {
    line: number;
    column: number;
    severity: string;
    code: string;
    message: string;
}

/** Runs the packaged CLI's `spade check` on a file; resolves with its exit code and lines. */
export function spadeCheck(
    ctx: E2eContext,
    file: string,
): Promise<{ code: number; diagnostics: CliDiagnostic[]; output: string }> {
    const cli = path.join(ctx.extensionDir, 'bin', 'spade.js');
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [cli, 'check', file],
            { timeout: 30_000 },
            (err, stdout, stderr) => {
                const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
                const diagnostics: CliDiagnostic[] = [];
                for (const line of stdout.split('\n')) {
                    const m = /^.*:(\d+):(\d+): (\w+) (\w+): (.*)$/.exec(line);
                    if (m)
                        diagnostics.push({
                            line: Number(m[1]),
                            column: Number(m[2]),
                            severity: m[3],
                            code: m[4],
                            message: m[5],
                        });
                }
                resolve({ code, diagnostics, output: `${stdout}${stderr}`.trim() });
            },
        );
    });
}
