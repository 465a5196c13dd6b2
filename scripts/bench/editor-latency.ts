/**
 * Editor latency benchmark: completion, hover and inlay-hint round trips (p50, p95) against
 * the built SPADE server on the generated 5,000-line config, and, in the same run,
 * yaml-language-server answering completion on the equivalent YAML document with a JSON
 * schema generated from the same registry. Completion is timed twice: on an unchanged
 * document, and right after an edit (as when typing). Writes docs/editor-bench.md.
 * Run: node scripts/build.mjs && npx tsx scripts/bench/editor-latency.ts
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import {
    createMessageConnection,
    StreamMessageReader,
    StreamMessageWriter,
    type MessageConnection,
} from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DefaultCompletionProvider } from '../../server/src/features/completion-provider';
import { NO_FOLDERS } from '../../server/src/features/config-folders';
import { generateConfig } from './language-bench';
import { jsonSchema, toYaml } from './yaml-twin';

const root = path.resolve(__dirname, '..', '..');
const LINES = 5000;
const RUNS = 200;
/** yaml-language-server takes hundreds of ms per answer; fewer runs keep the benchmark short. */
const YAML_RUNS = 40;

interface Probe {
    line: number;
    character: number;
}

/** One server under test: a connection and how to open and edit its document. */
interface Session {
    conn: MessageConnection;
    uri: string;
    version: number;
    text: string;
    stop(): void;
}

function stats(xs: number[]): { p50: number; p95: number } {
    const s = [...xs].sort((a, b) => a - b);
    return {
        p50: s[Math.floor(s.length / 2)],
        p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)],
    };
}

/** Key positions (inside `mode`, two letters typed) and value positions (after `mode = `/`mode: `). */
function probes(text: string, keyRe: RegExp, valueRe: RegExp): { keys: Probe[]; values: Probe[] } {
    const lines = text.split('\n');
    const keys: Probe[] = [];
    const values: Probe[] = [];
    lines.forEach((l, line) => {
        const k = keyRe.exec(l);
        if (k) keys.push({ line, character: k.index + k[1].length });
        const v = valueRe.exec(l);
        if (v) values.push({ line, character: v.index + v[0].length });
    });
    const spread = (xs: Probe[]): Probe[] =>
        Array.from({ length: RUNS }, (_, i) => xs[Math.floor((i * xs.length) / RUNS)]);
    return { keys: spread(keys), values: spread(values) };
}

// ---------------------------------------------------------------- servers

async function start(
    cmd: string[],
    uri: string,
    text: string,
    languageId: string,
    settings: object,
    rootUri: string,
): Promise<Session> {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    const conn = createMessageConnection(
        new StreamMessageReader(child.stdout),
        new StreamMessageWriter(child.stdin),
    );
    let published: (() => void) | undefined;
    conn.onNotification('textDocument/publishDiagnostics', () => published?.());
    conn.onNotification(() => undefined);
    conn.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) =>
        p.items.map((i) =>
            i.section ? ((settings as Record<string, unknown>)[i.section] ?? null) : settings,
        ),
    );
    conn.onRequest(() => null);
    conn.listen();
    await conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: 'bench' }],
        capabilities: {
            workspace: { configuration: true },
            textDocument: { completion: { completionItem: { snippetSupport: true } } },
        },
        initializationOptions: { diagnosticsDelayMs: 150 },
    });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('workspace/didChangeConfiguration', { settings });
    const first = new Promise<void>((r) => (published = r));
    await conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId, version: 1, text },
    });
    await Promise.race([first, new Promise((r) => setTimeout(r, 30000))]);
    return {
        conn,
        uri,
        version: 1,
        text,
        stop: () => {
            conn.dispose();
            child.kill();
        },
    };
}

async function timeRequests(
    s: Session,
    method: string,
    params: (i: number) => object,
    edit: boolean,
    runs = RUNS,
): Promise<{ p50: number; p95: number; empty: number; runs: number }> {
    const xs: number[] = [];
    let empty = 0;
    // Positions spread over the document whatever the number of runs.
    for (let k = 0; k < runs; k++) {
        const i = Math.floor((k * RUNS) / runs);
        if (edit) {
            // A one-character edit at the end of the document, as typing makes, before each request.
            s.version++;
            const end = s.text.split('\n').length - 1;
            await s.conn.sendNotification('textDocument/didChange', {
                textDocument: { uri: s.uri, version: s.version },
                contentChanges: [
                    {
                        range: {
                            start: { line: end, character: 0 },
                            end: { line: end, character: 0 },
                        },
                        text: s.version % 2 ? ' ' : '',
                    },
                ],
            });
        }
        const t = performance.now();
        const r: unknown = await s.conn.sendRequest(method, params(i));
        xs.push(performance.now() - t);
        const items = Array.isArray(r) ? r : (r as { items?: unknown[] } | null)?.items;
        if (r === null || (items && items.length === 0)) empty++;
    }
    return { ...stats(xs), empty, runs };
}

/** The completion provider alone, in this process, each call right after a one-character edit. */
async function inProcess(
    text: string,
    ps: Probe[],
): Promise<{ p50: number; p95: number; empty: number; runs: number }> {
    let doc = TextDocument.create('file:///bench/big.spade', 'spade', 1, text);
    const provider = new DefaultCompletionProvider(NO_FOLDERS);
    const end = { line: text.split('\n').length - 1, character: 0 };
    const xs: number[] = [];
    let empty = 0;
    for (let k = 0; k < 5 * RUNS; k++) {
        doc = TextDocument.update(
            doc,
            [{ range: { start: end, end }, text: k % 2 ? '' : ' ' }],
            doc.version + 1,
        );
        const t = performance.now();
        const r = await provider.provide(doc, {
            textDocument: { uri: doc.uri },
            position: ps[k % ps.length],
        });
        xs.push(performance.now() - t);
        if (r.items.length === 0) empty++;
    }
    return { ...stats(xs), empty, runs: xs.length };
}

async function main(): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-editor-bench-'));
    const spade = generateConfig(LINES);
    const yaml = toYaml(spade);
    const schemaFile = path.join(tmp, 'spade.schema.json');
    fs.writeFileSync(schemaFile, JSON.stringify(jsonSchema()));
    fs.writeFileSync(path.join(tmp, 'big.spade'), spade);
    fs.writeFileSync(path.join(tmp, 'big.yaml'), yaml);
    const rootUri = pathToFileURL(tmp).toString();
    const schemaUri = pathToFileURL(schemaFile).toString();

    const ours = await start(
        [process.execPath, path.join(root, 'dist', 'server.js'), '--stdio'],
        `${rootUri}/big.spade`,
        spade,
        'spade',
        {},
        rootUri,
    );
    const yls = await start(
        [
            process.execPath,
            path.join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'),
            '--stdio',
        ],
        `${rootUri}/big.yaml`,
        yaml,
        'yaml',
        {
            yaml: {
                schemas: { [schemaUri]: '*.yaml' },
                completion: true,
                hover: true,
                validate: true,
                schemaStore: { enable: false },
            },
        },
        rootUri,
    );

    const sp = probes(spade, /^( {4}mo)de\s+= custom/, /^ {4}mode\s+= /);
    const yp = probes(yaml, /^( {4}mo)de: custom/, /^ {4}mode: /);
    const complete = (s: Session, ps: Probe[]) => (i: number) => ({
        textDocument: { uri: s.uri },
        position: ps[i],
    });
    const rows: Array<
        [
            string,
            { p50: number; p95: number; empty: number; runs: number },
            { p50: number; p95: number; empty: number; runs: number } | undefined,
        ]
    > = [];
    // Interleave the two servers per measure, so both see the same machine load.
    for (const [name, edit, key] of [
        ['completion of a key, document unchanged', false, 'keys'],
        ['completion of a value, document unchanged', false, 'values'],
        ['completion of a key, right after an edit', true, 'keys'],
        ['completion of a value, right after an edit', true, 'values'],
    ] as const) {
        const a = await timeRequests(
            ours,
            'textDocument/completion',
            complete(ours, sp[key]),
            edit,
        );
        const b = await timeRequests(
            yls,
            'textDocument/completion',
            complete(yls, yp[key]),
            edit,
            YAML_RUNS,
        );
        rows.push([name, a, b]);
    }
    // Hover and inlay hints on an analysed document (the diagnostics pass has run).
    await new Promise((r) => setTimeout(r, 500));
    rows.push([
        'hover on a key',
        await timeRequests(ours, 'textDocument/hover', complete(ours, sp.keys), false),
        await timeRequests(yls, 'textDocument/hover', complete(yls, yp.keys), false, YAML_RUNS),
    ]);
    const viewport = (i: number) => {
        const start = Math.floor((i * (LINES - 60)) / RUNS);
        return {
            textDocument: { uri: ours.uri },
            range: {
                start: { line: start, character: 0 },
                end: { line: start + 60, character: 0 },
            },
        };
    };
    rows.push([
        'inlay hints, 60-line viewport',
        await timeRequests(ours, 'textDocument/inlayHint', viewport, false),
        undefined,
    ]);
    const whole = () => ({
        textDocument: { uri: ours.uri },
        range: { start: { line: 0, character: 0 }, end: { line: LINES, character: 0 } },
    });
    rows.push([
        'inlay hints, whole document',
        await timeRequests(ours, 'textDocument/inlayHint', whole, false),
        undefined,
    ]);
    rows.push([
        'completion of a key, in process, after an edit (provider CPU only)',
        await inProcess(spade, sp.keys),
        undefined,
    ]);
    ours.stop();
    yls.stop();
    fs.rmSync(tmp, { recursive: true, force: true });

    const f = (x: { p50: number; p95: number; runs: number }) =>
        `${x.p50.toFixed(1)} / ${x.p95.toFixed(1)} ms (${x.runs})`;
    const table = [
        '| request (round trip over stdio; p50 / p95, number of runs) | SPADE server | yaml-language-server |',
        '|---|---|---|',
        ...rows.map(
            ([n, a, b]) =>
                `| ${n} | ${f(a)}${a.empty ? ` (${a.empty} empty)` : ''} | ${b ? `${f(b)}${b.empty ? ` (${b.empty} empty)` : ''}` : 'n/a'} |`,
        ),
    ].join('\n');
    const ylsVersion = (
        JSON.parse(
            fs.readFileSync(
                path.join(root, 'node_modules', 'yaml-language-server', 'package.json'),
                'utf8',
            ),
        ) as { version: string }
    ).version;
    const md = `# Editor latency

<!-- Written by scripts/bench/editor-latency.ts; rerun it to refresh. -->

The generated config of the language benchmark (${LINES} lines, ${(spade.length / 1024).toFixed(0)} KiB) is opened in the built SPADE
server; the same content as YAML (${yaml.split('\n').length - 1} lines) is opened in yaml-language-server ${ylsVersion} with a JSON
schema generated from the same property registry. Each request is timed from send to answer over stdio,
${RUNS} times (yaml-language-server ${YAML_RUNS} times, as it answers slowly) at positions spread over the whole document: keys with two letters typed (\`mo|de\`) and values
right after \`mode =\` / \`mode:\`. "After an edit" sends a one-character change before each request, as typing does.
Both servers run in the same run, measure by measure, on the same machine.
Machine: ${os.cpus()[0]?.model.trim() ?? 'unknown'} (${os.cpus().length} cores, shared with other jobs: load average ${os.loadavg()[0].toFixed(1)} at the end of the run), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

${table}

Goal: p95 completion under 10 ms and faster than yaml-language-server. SPADE completion reads only tokens
around the cursor (no parse), so an edit does not slow it down; hover and inlay hints use the document's
analysis, which the diagnostics pass has already made.

On this shared 2-core machine the p95 of a round trip moves with the load of the other jobs: in an
earlier run at load average 12, one completion row reached 12.5 ms p95 (its p50 stayed under 1 ms). The
in-process row is the provider's own cost, which the load barely touches.

Run it with \`node scripts/build.mjs && npx tsx scripts/bench/editor-latency.ts\`.
`;
    const out = path.join(root, 'docs', 'editor-bench.md');
    fs.writeFileSync(
        out,
        await prettier.format(md, {
            parser: 'markdown',
            ...((await prettier.resolveConfig(out)) ?? {}),
        }),
    );
    process.stdout.write(`${table}\n`);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(
            `editor-latency: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
        );
        process.exit(1);
    });
}
