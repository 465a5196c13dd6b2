/**
 * The syntax node under an offset, for hover, navigation and selection ranges: the chain of
 * blocks around it and which part of which node the offset touches.
 */
import type { BlockNode, ConfigFile, Identifier, PropertyNode, ValueNode } from './ast';
import type { Span } from './text';

/** What the offset touches. */
export type Hit =
    | { kind: 'block-keyword'; block: BlockNode; node: Identifier }
    | { kind: 'block-name'; block: BlockNode; node: Identifier }
    | { kind: 'key'; property: PropertyNode; node: Identifier }
    | { kind: 'value'; property: PropertyNode; node: ValueNode }
    | { kind: 'none' };

/** The blocks enclosing the offset, outermost first (the offset is inside their span). */
export function enclosingBlocks(file: ConfigFile, offset: number): BlockNode[] {
    const out: BlockNode[] = [];
    let level: readonly BlockNode[] = file.blocks;
    for (;;) {
        const b = level.find((x) => inside(x, offset));
        if (!b) return out;
        out.push(b);
        level = b.members.filter((m): m is BlockNode => m.kind === 'block');
    }
}

/** True when the offset lies in the span or touches its end. */
export function inside(s: Span, offset: number): boolean {
    return s.start <= offset && offset <= s.end;
}

/** The node part at the offset (a word touched at either end counts). */
export function locate(file: ConfigFile, offset: number): Hit {
    const blocks = enclosingBlocks(file, offset);
    const candidates = [...file.strays, ...blocks.flatMap((b) => b.members)];
    for (const b of blocks) {
        if (!b.keyword.missing && inside(b.keyword, offset))
            return { kind: 'block-keyword', block: b, node: b.keyword };
        if (b.name && !b.name.missing && inside(b.name, offset))
            return { kind: 'block-name', block: b, node: b.name };
    }
    for (const m of candidates) {
        if (m.kind !== 'property' || !inside(m, offset)) continue;
        if (!m.key.missing && inside(m.key, offset))
            return { kind: 'key', property: m, node: m.key };
        const v = m.value;
        if (v.kind === 'list') {
            const item = v.items.find((x) => inside(x, offset));
            if (item) return { kind: 'value', property: m, node: item };
        }
        if (v.kind !== 'missing' && inside(v, offset))
            return { kind: 'value', property: m, node: v };
    }
    return { kind: 'none' };
}
