/**
 * The shape of the property registry: one description per block and property, read by the
 * checker, the resolver, the generated reference (docs/language.md) and, in #3, completion
 * and hover. Nothing about a property is written down anywhere else.
 */
import type { DatasetMode } from '../engine/options';
import type { TopLevelKind } from './keywords';

export const DATASET_MODES: readonly DatasetMode[] = [
    'coco',
    'ade20k',
    'cityscapes',
    'custom',
    'facades',
];

/** What a path property points at; completion (#3) filters candidates by it. */
export type PathKind =
    | 'folder'
    | 'image-folder'
    | 'label-folder'
    | 'instance-folder'
    | 'class-file'
    | 'weights'
    | 'run-folder';

/** A property's value type, with its constraints. */
export type ValueType =
    | { kind: 'int'; min?: number; max?: number; oneOf?: readonly number[] }
    | { kind: 'float'; min?: number; max?: number; minExclusive?: boolean }
    | { kind: 'bool' }
    | { kind: 'enum'; values: readonly string[] }
    | { kind: 'string' }
    | { kind: 'path'; expects: PathKind }
    | { kind: 'ref'; target: TopLevelKind }
    /** Any bare word (kept only to warn about reference options that are never read). */
    | { kind: 'word' };

/** A plain value as the registry and the resolver hold it. */
export type Scalar = number | string | boolean;

/** One property of a block. */
export interface PropertySpec {
    name: string;
    type: ValueType;
    /** One or two sentences: what it does, in the user's terms. */
    doc: string;
    /** Default when nothing sets it; undefined when there is none. */
    default?: Scalar;
    /** Default described in words when it is derived (e.g. "runs/<train name>"). */
    defaultText?: string;
    /** Defaults that the dataset mode overrides, as the reference's dataset setters do. */
    modeDefaults?: Partial<Record<DatasetMode, Scalar>>;
    required?: boolean;
    /** The reference implementation's option, for users coming from it. */
    reference?: string;
    /** Meaning of each allowed value, for enums. */
    valueDocs?: Readonly<Record<string, string>>;
    /** A caveat shown in the docs and hover (traps of the reference, engine limits). */
    note?: string;
}

/** A block kind: top-level (named, referenced by name) or nested inside another block. */
export interface BlockSpec {
    kind: string;
    doc: string;
    /** Top-level blocks carry a name; nested ones never do. */
    topLevel: boolean;
    properties: readonly PropertySpec[];
    /** Nested block kinds allowed inside. */
    blocks: readonly BlockSpec[];
    /** May appear more than once in its parent (layer entries). */
    repeatable?: boolean;
}
