/**
 * Named blocks as symbols: which one an offset names (its declaration or a reference to it)
 * and every place it occurs, for go to definition, find references and rename.
 */
import type { BlockNode } from './ast';
import { isTopLevelKeyword, type TopLevelKind } from './keywords';
import { inside } from './locate';
import type { ConfigModel } from './model';
import type { Span } from './text';

/** A block name at an offset: its kind and text, the block it names, and the word's span. */
export interface SymbolHit {
    kind: TopLevelKind;
    name: string;
    /** The bound block of that kind and name; undefined for an unresolved reference. */
    block?: BlockNode;
    span: Span;
}

/** The named-block symbol at an offset, if any. */
export function symbolAt(model: ConfigModel, offset: number): SymbolHit | undefined {
    for (const b of model.file.blocks) {
        if (!b.name || b.name.missing || !isTopLevelKeyword(b.keyword.text)) continue;
        if (inside(b.name, offset))
            return {
                kind: b.keyword.text,
                name: b.name.text,
                block: model.symbols.get(b.keyword.text)?.get(b.name.text),
                span: b.name,
            };
    }
    for (const r of model.references)
        if (inside(r.name, offset))
            return { kind: r.target, name: r.name.text, block: r.resolved, span: r.name };
    return undefined;
}

/** Every occurrence of a symbol: the declarations of that kind and name, then the references. */
export function occurrences(
    model: ConfigModel,
    kind: TopLevelKind,
    name: string,
): { declarations: Span[]; references: Span[] } {
    const declarations = model.file.blocks
        .filter((b) => b.keyword.text === kind && b.name?.text === name && !b.name.missing)
        .map((b) => b.name as Span);
    const references = model.references
        .filter((r) => r.target === kind && r.name.text === name)
        .map((r) => r.name as Span);
    return { declarations, references };
}

/** Why a new block name is not acceptable, or undefined when it is. */
export function renameProblem(
    model: ConfigModel,
    kind: TopLevelKind,
    from: string,
    to: string,
): string | undefined {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(to))
        return `'${to}' is not a block name: use letters, digits and _, not starting with a digit.`;
    if (to !== from && model.symbols.get(kind)?.has(to))
        return `A ${kind} block named '${to}' already exists; pick another name.`;
    return undefined;
}
