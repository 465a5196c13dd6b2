/** The diagnostics provider on its own: cancellation between phases, LSP conversion, layering. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CancellationToken } from 'vscode-languageserver';
import { DefaultDiagnosticsProvider } from '../../server/src/features/diagnostics-provider';
import { repoRoot } from '../support/shared';

const doc = (text: string) => ({ uri: 'file:///p.spade', version: 1, getText: () => text });

/** A token that reports cancellation from its n-th check on. */
function cancelAfter(n: number): CancellationToken {
    let checks = 0;
    return {
        get isCancellationRequested() {
            return ++checks > n;
        },
        onCancellationRequested: () => ({ dispose: () => undefined }),
    };
}

describe('diagnostics provider', () => {
    const provider = new DefaultDiagnosticsProvider();

    it('returns nothing when cancelled before the first phase or between phases', async () => {
        assert.equal(await provider.provide(doc('datset x {}'), cancelAfter(0)), undefined);
        assert.equal(await provider.provide(doc('datset x {}'), cancelAfter(2)), undefined);
    });

    it('converts diagnostics to LSP with code, source, related information and data', async () => {
        const r = await provider.provide(
            doc('generator a {}\ngenerator a {}\n'),
            cancelAfter(Infinity),
        );
        assert.ok(r);
        const [d] = r.diagnostics;
        assert.equal(d.code, 'SP2004');
        assert.deepEqual(d.range, {
            start: { line: 1, character: 10 },
            end: { line: 1, character: 11 },
        });
        assert.deepEqual(d.relatedInformation?.[0].location.range.start, {
            line: 0,
            character: 10,
        });
        assert.equal(d.severity, 1);
    });

    it('keeps features and the language core off the connection and off Node', () => {
        const read = (dir: string) =>
            fs
                .readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
                .filter((f) => f.endsWith('.ts'))
                .map((f) => ({
                    f: `${dir}/${f}`,
                    text: fs.readFileSync(path.join(repoRoot, dir, f), 'utf8'),
                }));
        for (const { f, text } of read('server/src/features')) {
            assert.ok(
                !/createConnection|from '\.\.\/handlers|Connection\b/.test(text),
                `${f} touches the connection`,
            );
        }
        for (const { f, text } of read('server/src/language')) {
            assert.ok(!/from '(node:|fs|path|vscode)/.test(text), `${f} imports Node or vscode`);
        }
    });
});
