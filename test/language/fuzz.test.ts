/**
 * Fuzz: random truncations and mutations of the samples never throw, every parser loop
 * consumes input, and every diagnostic range lies inside its document. Seeded, so a failure
 * names its seed and can be replayed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toLsp } from '../../server/src/features/diagnostics-provider';
import { analyze, type Analysis } from '../../server/src/language/service';
import type { Range } from '../../server/src/language/text';
import { repoRoot } from '../support/shared';
import { makeRandom as rng } from '../../server/src/data/rng';

const PIECES = [
    '{',
    '}',
    '[',
    ']',
    '=',
    ',',
    '"',
    '\r\n',
    '\n',
    '\t',
    '/*',
    '//',
    '\u{1F600}',
    'dataset x ',
    '-',
    '1e',
    'generator',
    '\\',
    '#',
    '\r',
    '\uD800',
];

function mutate(text: string, r: () => number): string {
    let t = text;
    const edits = 1 + Math.floor(r() * 6);
    for (let i = 0; i < edits; i++) {
        const at = Math.floor(r() * (t.length + 1));
        const op = r();
        if (op < 0.35) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 8));
        else if (op < 0.8)
            t = t.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + t.slice(at);
        else t = t.slice(0, at);
    }
    return t;
}

function checkOne(text: string, label: string): void {
    let a: Analysis | undefined;
    try {
        a = analyze(text);
    } catch (e) {
        assert.fail(
            `${label}: threw ${(e as Error).stack}\n--- input ---\n${JSON.stringify(text)}`,
        );
    }
    assert.ok(a, label);
    assert.equal(a.file.stalls, 0, `${label}: a parser loop consumed no input`);
    const lastLine = a.file.lines.lineCount - 1;
    for (const d of a.diagnostics) {
        assert.ok(
            d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length,
            `${label}: span ${d.span.start}-${d.span.end} outside ${text.length}`,
        );
        const r: Range = toLsp(d, a.file.lines, 'file:///f.spade').range;
        for (const p of [r.start, r.end]) {
            assert.ok(
                p.line >= 0 && p.line <= lastLine,
                `${label}: line ${p.line} outside the document`,
            );
            // A position inside its line maps to an offset and back to itself.
            assert.deepEqual(
                a.file.lines.positionAt(a.file.lines.offsetAt(p)),
                p,
                `${label}: position ${p.line}:${p.character} is past its line`,
            );
        }
        assert.ok(
            d.message.length > 0 && /^SP\d{4}$/.test(d.code),
            `${label}: bad diagnostic ${d.code}`,
        );
    }
}

describe('fuzz', () => {
    const dir = path.join(repoRoot, 'samples');
    const samples = [
        ...fs.readdirSync(dir),
        ...fs.readdirSync(path.join(dir, 'errors')).map((f) => `errors/${f}`),
    ]
        .filter((f) => f.endsWith('.spade'))
        .map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));

    it('finds the samples to mutate', () => {
        assert.ok(samples.length >= 3);
    });

    it('survives every truncation of every sample', () => {
        for (const s of samples) {
            for (let n = 0; n <= s.text.length; n += 3)
                checkOne(s.text.slice(0, n), `${s.name} cut at ${n}`);
        }
    });

    it('survives 1500 seeded random mutations', () => {
        for (let seed = 1; seed <= 1500; seed++) {
            const r = rng(seed);
            const s = samples[seed % samples.length];
            checkOne(mutate(s.text, r), `${s.name} seed ${seed}`);
        }
    });

    it('survives random bytes and random token soup', () => {
        for (let seed = 1; seed <= 300; seed++) {
            const r = rng(seed * 7919);
            let t = '';
            const n = Math.floor(r() * 200);
            for (let i = 0; i < n; i++)
                t +=
                    r() < 0.5
                        ? String.fromCharCode(Math.floor(r() * 0x3000))
                        : PIECES[Math.floor(r() * PIECES.length)];
            checkOne(t, `soup seed ${seed}`);
        }
    });
});
