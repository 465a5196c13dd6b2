/**
 * The language's one entry point: text in, tree + model + diagnostics out. Features (#3) reuse
 * the analysis instead of parsing again.
 */
import type { ConfigFile } from './ast';
import type { ConfigDiagnostic } from './catalog';
import { check } from './checker';
import { bind, type ConfigModel } from './model';
import { parse } from './parser';
import { RULES } from './rules';

/** Everything known about one document version. */
export interface Analysis {
    file: ConfigFile;
    model: ConfigModel;
    /** Syntax diagnostics first, then the rules', each group in document order. */
    diagnostics: ConfigDiagnostic[];
}

/** Parses, binds and checks; undefined when `isCancelled` says stop between phases. */
export function analyze(
    text: string,
    isCancelled: () => boolean = () => false,
): Analysis | undefined {
    const file = parse(text);
    if (isCancelled()) return undefined;
    const model = bind(file);
    const semantic = check(model, RULES, isCancelled);
    if (!semantic) return undefined;
    semantic.sort((a, b) => a.span.start - b.span.start);
    return { file, model, diagnostics: [...file.diagnostics, ...semantic] };
}
