/**
 * The semantic model over a parsed file: named blocks per kind, the references between them,
 * and effective property values with where each came from (set here, a dataset-mode default,
 * or the registry default) so hover (#3) can say "35 (cityscapes)".
 */
import type { DatasetMode } from '../engine/options';
import { type BlockNode, type ConfigFile, type NameNode, type PropertyNode } from './ast';
import type { TopLevelKind } from './keywords';
import { isTopLevelKeyword } from './keywords';
import { propertySpec, specOfBlock, topLevelSpec, type BlockSpec, type Scalar } from './registry';
import { readValue } from './values';

/** A property whose value names another block. */
export interface Reference {
    property: PropertyNode;
    name: NameNode;
    target: TopLevelKind;
    /** The block it names; undefined when unresolved. */
    resolved?: BlockNode;
}

/** Symbols and references of one file. */
export interface ConfigModel {
    file: ConfigFile;
    /** The first block of each kind and name (later duplicates are reported, not bound). */
    symbols: Map<TopLevelKind, Map<string, BlockNode>>;
    references: Reference[];
    /** The reference made by a property node. */
    referenceOf: Map<PropertyNode, Reference>;
}

/** Where an effective value came from. */
export type Origin =
    | { kind: 'set'; property: PropertyNode }
    | { kind: 'mode'; mode: DatasetMode }
    | { kind: 'default' }
    | { kind: 'unset' };

/** A property's effective value and its origin. */
export interface Effective {
    value: Scalar | undefined;
    origin: Origin;
}

/** Builds the symbol table and resolves references of a parsed file. */
export function bind(file: ConfigFile): ConfigModel {
    const symbols = new Map<TopLevelKind, Map<string, BlockNode>>();
    for (const b of file.blocks) {
        if (!isTopLevelKeyword(b.keyword.text) || !b.name) continue;
        const table = symbols.get(b.keyword.text) ?? new Map<string, BlockNode>();
        symbols.set(b.keyword.text, table);
        if (!table.has(b.name.text)) table.set(b.name.text, b);
    }
    const references: Reference[] = [];
    const visit = (block: BlockNode): void => {
        const spec = specOfBlock(block);
        for (const m of block.members) {
            if (m.kind === 'block') {
                visit(m);
                continue;
            }
            const ps = spec && propertySpec(spec, m.key.text);
            if (ps?.type.kind !== 'ref' || m.value.kind !== 'name') continue;
            const target = ps.type.target;
            references.push({
                property: m,
                name: m.value,
                target,
                resolved: symbols.get(target)?.get(m.value.text),
            });
        }
    };
    file.blocks.forEach(visit);
    return {
        file,
        symbols,
        references,
        referenceOf: new Map(references.map((r) => [r.property, r])),
    };
}

/** The first property of that name in a block. */
export function findProperty(block: BlockNode | undefined, name: string): PropertyNode | undefined {
    // A plain loop: rules call this for every effective value, so no intermediate arrays.
    if (!block) return undefined;
    for (const m of block.members) if (m.kind === 'property' && m.key.text === name) return m;
    return undefined;
}

/** The first nested block of that kind. */
export function findChild(block: BlockNode | undefined, kind: string): BlockNode | undefined {
    if (!block) return undefined;
    for (const m of block.members) if (m.kind === 'block' && m.keyword.text === kind) return m;
    return undefined;
}

/**
 * The effective value of a property of `spec` in `block` (which may be absent: all
 * defaults). Values that do not read as the property's type fall back to the default; the
 * checker reports them.
 */
export function effective(
    block: BlockNode | undefined,
    spec: BlockSpec,
    name: string,
    mode?: DatasetMode,
): Effective {
    const ps = propertySpec(spec, name);
    if (!ps) return { value: undefined, origin: { kind: 'unset' } };
    const prop = findProperty(block, name);
    if (prop) {
        const r = readValue(prop.value, ps.type);
        if (r.ok) return { value: r.value, origin: { kind: 'set', property: prop } };
    }
    const byMode = mode === undefined ? undefined : ps.modeDefaults?.[mode];
    if (byMode !== undefined && mode !== undefined)
        return { value: byMode, origin: { kind: 'mode', mode } };
    if (ps.default !== undefined) return { value: ps.default, origin: { kind: 'default' } };
    return { value: undefined, origin: { kind: 'unset' } };
}

/** Effective value helpers bound to one block, for rules that read many properties. */
export class Settings {
    constructor(
        readonly block: BlockNode | undefined,
        readonly spec: BlockSpec,
        readonly mode?: DatasetMode,
    ) {}

    get(name: string): Effective {
        return effective(this.block, this.spec, name, this.mode);
    }
    num(name: string): number {
        return this.get(name).value as number;
    }
    str(name: string): string {
        return this.get(name).value as string;
    }
    bool(name: string): boolean {
        return this.get(name).value === true;
    }
    /** The property node when the user set it (valid or not). */
    written(name: string): PropertyNode | undefined {
        return findProperty(this.block, name);
    }
    child(kind: string): Settings {
        const spec = this.spec.blocks.find((b) => b.kind === kind);
        if (!spec) throw new Error(`registry: ${this.spec.kind} has no nested ${kind}`);
        return new Settings(findChild(this.block, kind), spec, this.mode);
    }
}

/** The dataset mode of a dataset block (its default when unset or invalid). */
export function datasetMode(dataset: BlockNode | undefined): DatasetMode {
    return effective(dataset, spec('dataset'), 'mode').value as DatasetMode;
}

/** The registry spec of a top-level kind. */
export function spec(kind: TopLevelKind): BlockSpec {
    const s = topLevelSpec(kind);
    if (!s) throw new Error(`registry: no top-level kind ${kind}`);
    return s;
}

/**
 * The combinations cross-field rules check: every train block with its resolved dataset
 * and networks, plus every dataset no train uses (with the default networks), so a config
 * without a train block is still checked.
 */
export interface TrainContext {
    train?: BlockNode;
    dataset: BlockNode;
    generator?: BlockNode;
    discriminator?: BlockNode;
    mode: DatasetMode;
}

const contextCache = new WeakMap<ConfigModel, TrainContext[]>();

/** The block a reference property of `block` names, if it resolves. */
export function referenced(
    model: ConfigModel,
    block: BlockNode,
    name: string,
): BlockNode | undefined {
    const p = findProperty(block, name);
    return p ? model.referenceOf.get(p)?.resolved : undefined;
}

/** The train contexts of a model, computed once per model. */
export function trainContexts(model: ConfigModel): TrainContext[] {
    const cached = contextCache.get(model);
    if (cached) return cached;
    const out: TrainContext[] = [];
    contextCache.set(model, out);
    const used = new Set<BlockNode>();
    const target = (train: BlockNode, name: string): BlockNode | undefined =>
        referenced(model, train, name);
    for (const train of model.symbols.get('train')?.values() ?? []) {
        const dataset = target(train, 'data');
        if (!dataset) continue;
        used.add(dataset);
        out.push({
            train,
            dataset,
            generator: target(train, 'generator'),
            discriminator: target(train, 'discriminator'),
            mode: datasetMode(dataset),
        });
    }
    for (const dataset of model.symbols.get('dataset')?.values() ?? []) {
        if (!used.has(dataset)) out.push({ dataset, mode: datasetMode(dataset) });
    }
    return out;
}

/**
 * The dataset mode whose defaults apply inside a block: a dataset's own mode; for a train
 * block, its dataset's; for a generator or discriminator, that of the first train block using
 * it. Undefined when nothing ties the block to a dataset (then only registry defaults apply).
 */
export function modeFor(model: ConfigModel, block: BlockNode): DatasetMode | undefined {
    let top = block;
    while (top.parent) top = top.parent;
    const kind = top.keyword.text;
    if (kind === 'dataset') return datasetMode(top);
    if (kind === 'train') {
        const ds = referenced(model, top, 'data');
        return ds ? datasetMode(ds) : undefined;
    }
    if (kind === 'generator' || kind === 'discriminator') {
        return trainContexts(model).find((c) => c.train && c[kind] === top)?.mode;
    }
    return undefined;
}

/** An effective value in words with its origin, e.g. "35 (cityscapes)", "more (set here)". */
export function describeEffective(e: Effective): string {
    const v =
        e.value === undefined
            ? 'unset'
            : typeof e.value === 'boolean'
              ? e.value
                  ? 'on'
                  : 'off'
              : String(e.value);
    switch (e.origin.kind) {
        case 'set':
            return `${v} (set here)`;
        case 'mode':
            return `${v} (${e.origin.mode})`;
        case 'default':
            return `${v} (default)`;
        case 'unset':
            return v;
    }
}
