/**
 * The registry: every block kind and property of the language, and lookups over it.
 * See registry-types.ts for the shape; docs/language.md is generated from this.
 */
import type { BlockNode } from './ast';
import { TOP_LEVEL_KEYWORDS, type TopLevelKind } from './keywords';
import { DATASET } from './registry-dataset';
import { DISCRIMINATOR, GENERATOR } from './registry-networks';
import { TRAIN } from './registry-train';
import type { BlockSpec, PropertySpec } from './registry-types';

export * from './registry-types';

/** Top-level block kinds, in the order the docs present them. */
export const TOP_LEVEL_BLOCKS: readonly BlockSpec[] = [DATASET, GENERATOR, DISCRIMINATOR, TRAIN];

const byKind = new Map<string, BlockSpec>(TOP_LEVEL_BLOCKS.map((b) => [b.kind, b]));

/** The spec of a top-level kind, or undefined for unknown words. */
export function topLevelSpec(kind: string): BlockSpec | undefined {
    return byKind.get(kind);
}

/** The spec of a block node, found through its parents; undefined for unknown kinds. */
export function specOfBlock(block: BlockNode): BlockSpec | undefined {
    if (!block.parent) return byKind.get(block.keyword.text);
    const parent = specOfBlock(block.parent);
    return parent?.blocks.find((b) => b.kind === block.keyword.text);
}

/** The spec of a property of a block, or undefined when unknown. */
export function propertySpec(block: BlockSpec, name: string): PropertySpec | undefined {
    return block.properties.find((p) => p.name === name);
}

/** Every (block path, property) pair, e.g. ['dataset', 'preprocess'] and its `crop`. */
export function* allProperties(
    specs: readonly BlockSpec[] = TOP_LEVEL_BLOCKS,
    path: string[] = [],
): Generator<{ path: string[]; block: BlockSpec; property: PropertySpec }> {
    for (const b of specs) {
        const p = [...path, b.kind];
        for (const property of b.properties) yield { path: p, block: b, property };
        yield* allProperties(b.blocks, p);
    }
}

/** The top-level kind of a block (its outermost ancestor). */
export function rootKind(block: BlockNode): TopLevelKind | undefined {
    let b = block;
    while (b.parent) b = b.parent;
    return (TOP_LEVEL_KEYWORDS as readonly string[]).includes(b.keyword.text)
        ? (b.keyword.text as TopLevelKind)
        : undefined;
}
