/**
 * The end-to-end suite: packages the extension as a VSIX, installs it into code-server in a
 * throwaway sandbox, drives the workbench in headless Chromium, and prints one line per check,
 * closing with "N passed, N failed" (exit code 1 on any failure). Screenshots of every step go
 * to .test-output/e2e/. Only loopback is used at test time.
 *
 *   node --import tsx test/e2e/run.ts [--vsix FILE] [--only a,b] [--keep]
 *        [--code-server BIN] [--chromium BIN] [--out DIR]
 *
 * Set-up once: bash scripts/e2e/install.sh (code-server into .cache/e2e, Chromium from apt).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from './harness/browser';
import { installVsix, startCodeServer, type CodeServer } from './harness/code-server';
import { probeServer, readManifest } from './harness/probe';
import { Report, StepFailed } from './harness/report';
import { makeSandbox } from './harness/sandbox';
import type { E2eContext, Scenario } from './harness/scenario';
import { openWorkbench, resetEditors } from './harness/workbench';
import { completionHover } from './scenarios/completion-hover';
import { diagnostics } from './scenarios/diagnostics';
import { preview } from './scenarios/preview';
import { leftoverWorkers, train } from './scenarios/train';

const SCENARIOS: Scenario[] = [diagnostics, completionHover, train, preview];
const repoRoot = path.resolve(__dirname, '..', '..');

interface Options {
    codeServer: string;
    chromium: string;
    out: string;
    vsix?: string;
    only?: string[];
    keep: boolean;
}

function parseArgs(argv: string[]): Options {
    const o: Options = {
        codeServer:
            process.env.SPADE_E2E_CODE_SERVER ??
            path.join(repoRoot, '.cache', 'e2e', 'node_modules', '.bin', 'code-server'),
        chromium: process.env.SPADE_E2E_CHROMIUM ?? '/usr/bin/chromium',
        out: path.join(repoRoot, '.test-output', 'e2e'),
        keep: false,
    };
    for (let i = 0; i < argv.length; i++) {
        const value = (): string => {
            const v = argv[++i];
            if (v === undefined) usage(`${argv[i - 1]} needs a value`);
            return v;
        };
        switch (argv[i]) {
            case '--code-server':
                o.codeServer = path.resolve(value());
                break;
            case '--chromium':
                o.chromium = path.resolve(value());
                break;
            case '--out':
                o.out = path.resolve(value());
                break;
            case '--vsix':
                o.vsix = path.resolve(value());
                break;
            case '--only':
                o.only = value().split(',');
                break;
            case '--keep':
                o.keep = true;
                break;
            default:
                usage(`unknown argument ${argv[i]}`);
        }
    }
    const names = SCENARIOS.map((s) => s.name);
    for (const n of o.only ?? [])
        if (!names.includes(n)) usage(`no scenario ${n}; the scenarios are ${names.join(', ')}`);
    return o;
}

function usage(why: string): never {
    process.stderr.write(
        `e2e: ${why}\nusage: node --import tsx test/e2e/run.ts [--vsix FILE] [--only ${SCENARIOS.map((s) => s.name).join(',')}] [--keep] [--code-server BIN] [--chromium BIN] [--out DIR]\n`,
    );
    process.exit(2);
}

async function main(): Promise<number> {
    const opts = parseArgs(process.argv.slice(2));
    for (const [what, bin] of [
        ['code-server', opts.codeServer],
        ['Chromium', opts.chromium],
    ])
        if (!fs.existsSync(bin)) {
            process.stderr.write(
                `e2e: ${what} not found at ${bin}. Install it once with: bash scripts/e2e/install.sh\n`,
            );
            return 2;
        }
    const t0 = Date.now();
    let page: Page | undefined;
    const report = new Report(opts.out, () => page);
    const box = makeSandbox(repoRoot);
    let cs: CodeServer | undefined;
    let session: BrowserSession | undefined;
    const teardown = async (): Promise<void> => {
        await session?.browser.close().catch(() => undefined);
        await cs?.stop();
        // Training workers are detached from code-server's process group on purpose.
        for (const pid of leftoverWorkers(box.workspace)) process.kill(pid, 'SIGKILL');
    };
    process.once('SIGINT', () => void teardown().then(() => process.exit(130)));
    try {
        const vsix = opts.vsix ?? path.join(box.root, 'spade-studio.vsix');
        if (!opts.vsix) {
            const t = Date.now();
            execFileSync(
                process.execPath,
                [path.join(repoRoot, 'scripts', 'package.mjs'), '--out', vsix],
                {
                    stdio: ['ignore', 'ignore', 'inherit'],
                },
            );
            report.record('package the VSIX', fs.existsSync(vsix), vsix, Date.now() - t);
        }
        let t = Date.now();
        const extensionDir = await installVsix(opts.codeServer, box, vsix);
        report.record('install the VSIX into code-server', true, extensionDir, Date.now() - t);

        const chosen = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));
        const probes = Object.assign({}, ...chosen.map((s) => s.probes?.(box.workspace) ?? {}));
        const server = await probeServer(extensionDir, box.workspace, probes);

        cs = await startCodeServer(opts.codeServer, box);
        session = await launchBrowser(opts.chromium, box.chromiumHome, cs.port);
        page = await session.context.newPage();
        page.setDefaultTimeout(30_000);
        t = Date.now();
        await openWorkbench(page, cs.url, box.workspace);
        report.record('workbench opens the workspace', true, cs.url, Date.now() - t);
        await report.screenshot('workbench', 'ready');

        const ctx: E2eContext = {
            page,
            repoRoot,
            workspace: box.workspace,
            extensionDir,
            manifest: readManifest(extensionDir),
            server,
        };
        for (const s of chosen) {
            const why = s.unavailable(ctx);
            if (why) {
                report.skip(s.name, why);
                continue;
            }
            try {
                await s.run(
                    ctx,
                    (title, fn) => report.step(s.name, title, fn),
                    (title, reason) => report.skip(`${s.name}: ${title}`, reason),
                );
            } catch (e) {
                if (!(e instanceof StepFailed))
                    report.record(`${s.name}: unexpected error`, false, String(e));
            }
            // The next scenario starts from an empty editor area, whatever this one left.
            await resetEditors(page).catch((e: unknown) =>
                report.record(`${s.name}: reset the editors`, false, String(e)),
            );
        }
        report.record(
            'no request left 127.0.0.1',
            session.blocked.length === 0,
            session.blocked.slice(0, 5).join(' '),
        );
    } catch (e) {
        report.record('set-up', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
        await report.screenshot('set-up', 'FAILED');
    } finally {
        await teardown();
        keepLogs(box.root, opts.out, cs?.logFile);
        if (opts.keep) process.stdout.write(`sandbox kept: ${box.root}\n`);
        else fs.rmSync(box.root, { recursive: true, force: true });
    }
    const skipped = report.results.filter((r) => r.outcome === 'skipped');
    if (skipped.length)
        process.stdout.write(
            `${skipped.length} skipped: ${skipped.map((r) => r.name).join(', ')}\n`,
        );
    process.stdout.write(
        `screenshots and logs: ${opts.out} (${((Date.now() - t0) / 1000).toFixed(0)} s in all)\n`,
    );
    const failed = report.count('failed');
    process.stdout.write(`${report.count('passed')} passed, ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
}

/** Copies code-server's log and the window's logs (extension host included) next to the screenshots. */
function keepLogs(root: string, out: string, csLog: string | undefined): void {
    const dest = path.join(out, 'logs');
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    if (csLog && fs.existsSync(csLog)) fs.copyFileSync(csLog, path.join(dest, 'code-server.log'));
    const logs = path.join(root, 'user-data', 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, 'user-data'), { recursive: true });
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`e2e: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
    },
);
