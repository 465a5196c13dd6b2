/** Shared helpers for language tests: diagnostics as compact `line:col CODE` strings. */
import * as assert from 'node:assert/strict';
import type { ConfigDiagnostic } from '../../server/src/language/catalog';
import { parse } from '../../server/src/language/parser';
import { analyze, type Analysis } from '../../server/src/language/service';

/** Analyses text that must not be cancelled. */
export function analyzed(text: string): Analysis {
    const a = analyze(text);
    assert.ok(a, 'analysis was unexpectedly cancelled');
    return a;
}

/** `line:character CODE` (0-based, UTF-16) for each diagnostic, in document order. */
export function compact(text: string, ds: readonly ConfigDiagnostic[]): string[] {
    const file = parse(text);
    return ds.map((d) => {
        const p = file.lines.positionAt(d.span.start);
        return `${p.line}:${p.character} ${d.code}`;
    });
}

/** Syntax diagnostics only. */
export function syntaxDiagnostics(text: string): string[] {
    return compact(text, parse(text).diagnostics);
}

/** Every diagnostic (syntax and rules). */
export function allDiagnostics(text: string): string[] {
    return compact(text, analyzed(text).diagnostics);
}

/** Diagnostics with a given code. */
export function withCode(text: string, code: string): ConfigDiagnostic[] {
    return analyzed(text).diagnostics.filter((d) => d.code === code);
}

/** Codes only, sorted, for tests that care what was found rather than where. */
export function codes(text: string): string[] {
    return analyzed(text)
        .diagnostics.map((d) => d.code)
        .sort();
}

/**
 * A minimal valid config around the given members, so each rule test states only what it is
 * about. `ds`, `gen`, `disc` and `train` are block bodies.
 */
export function config(parts: {
    ds?: string;
    gen?: string;
    disc?: string;
    train?: string;
}): string {
    return [
        `dataset d {\n    mode = custom\n    label_dir = "l"\n    image_dir = "i"\n${parts.ds ?? ''}\n}`,
        `generator g {\n${parts.gen ?? ''}\n}`,
        `discriminator x {\n${parts.disc ?? ''}\n}`,
        `train t {\n    data = d\n    generator = g\n    discriminator = x\n${parts.train ?? ''}\n}`,
        '',
    ].join('\n');
}
