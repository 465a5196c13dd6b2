/**
 * Semantic tokens: what the TextMate grammar cannot know. Block kinds, block names (declared
 * and referenced), property keys (known or not), enum values, booleans, numbers and strings,
 * from the tree and the registry. The legend is declared here once.
 */
import type { SemanticTokens, SemanticTokensParams } from 'vscode-languageserver';
import { allBlocks, type PropertyNode, type ValueNode } from '../language/ast';
import { isTopLevelKeyword, LITERAL_KEYWORDS } from '../language/keywords';
import type { ConfigModel } from '../language/model';
import { propertySpec, specOfBlock } from '../language/registry';
import type { Span } from '../language/text';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Token types, in legend order. */
export const TOKEN_TYPES = [
    'keyword',
    'class',
    'property',
    'enumMember',
    'number',
    'string',
    'variable',
] as const;
/** Token modifiers, in legend order (bit i = modifier i). */
export const TOKEN_MODIFIERS = ['declaration', 'readonly'] as const;
/** The legend the server announces. */
export const SEMANTIC_LEGEND = {
    tokenTypes: [...TOKEN_TYPES],
    tokenModifiers: [...TOKEN_MODIFIERS],
};

type TokenType = (typeof TOKEN_TYPES)[number];

/** Computes a document's semantic tokens. */
export interface SemanticTokensProvider {
    provide(doc: DocumentSnapshot, params: SemanticTokensParams): SemanticTokens;
}

interface Tok {
    span: Span;
    type: TokenType;
    mods: number;
}

/** Full-document semantic tokens. */
export class DefaultSemanticTokensProvider implements SemanticTokensProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot): SemanticTokens {
        const { file, model } = this.cache.get(doc);
        const toks: Tok[] = [];
        for (const b of allBlocks(file.blocks)) {
            if (!b.keyword.missing) toks.push({ span: b.keyword, type: 'keyword', mods: 0 });
            if (b.name && !b.name.missing && isTopLevelKeyword(b.keyword.text))
                toks.push({ span: b.name, type: 'class', mods: 1 });
            for (const m of b.members) if (m.kind === 'property') propertyTokens(model, m, toks);
        }
        for (const p of file.strays) propertyTokens(model, p, toks);
        toks.sort((a, b) => a.span.start - b.span.start);
        const data: number[] = [];
        let line = 0;
        let char = 0;
        for (const t of toks) {
            const start = file.lines.positionAt(t.span.start);
            const end = file.lines.positionAt(t.span.end);
            // Tokens never span lines in LSP; an unterminated string ends at its line anyway.
            if (end.line !== start.line || t.span.end <= t.span.start) continue;
            const dl = start.line - line;
            data.push(
                dl,
                dl === 0 ? start.character - char : start.character,
                end.character - start.character,
                TOKEN_TYPES.indexOf(t.type),
                t.mods,
            );
            line = start.line;
            char = start.character;
        }
        return { data };
    }
}

function propertyTokens(model: ConfigModel, p: PropertyNode, out: Tok[]): void {
    if (!p.key.missing) out.push({ span: p.key, type: 'property', mods: 0 });
    const spec = p.parent && specOfBlock(p.parent);
    const ps = spec && propertySpec(spec, p.key.text);
    const isRef = model.referenceOf.has(p);
    const value = (v: ValueNode): void => {
        switch (v.kind) {
            case 'number':
                out.push({ span: v, type: 'number', mods: 0 });
                return;
            case 'string':
                out.push({ span: v, type: 'string', mods: 0 });
                return;
            case 'name':
                if (isRef) out.push({ span: v, type: 'class', mods: 0 });
                else if ((LITERAL_KEYWORDS as readonly string[]).includes(v.text))
                    out.push({ span: v, type: 'keyword', mods: 2 });
                else if (ps?.type.kind === 'enum')
                    out.push({ span: v, type: 'enumMember', mods: 0 });
                else out.push({ span: v, type: 'variable', mods: 0 });
                return;
            case 'list':
                v.items.forEach(value);
                return;
            case 'missing':
                return;
        }
    };
    value(p.value);
}
