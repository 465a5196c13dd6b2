/**
 * The syntax tree. Every node carries its span in string offsets (UTF-16 units); nodes the
 * parser had to invent are zero-width and flagged `missing`, so later phases and features
 * can tell typed text from recovery.
 */
import type { Comment } from './lexer';
import type { ConfigDiagnostic } from './catalog';
import type { LineIndex, Span } from './text';

/** A name as written: a block kind, a block name or a property key. */
export interface Identifier extends Span {
    kind: 'identifier';
    text: string;
    missing: boolean;
}

/** `kind name { members }` or `kind { members }`. */
export interface BlockNode extends Span {
    kind: 'block';
    keyword: Identifier;
    name?: Identifier;
    /** The `{` (missing: zero-width where it should be). */
    open: Span & { missing: boolean };
    /** The `}`, absent when the block is not closed. */
    close?: Span;
    members: MemberNode[];
    /** The enclosing block; undefined at top level. */
    parent?: BlockNode;
}

/** `key = value`. */
export interface PropertyNode extends Span {
    kind: 'property';
    key: Identifier;
    /** The `=`, absent when it was left out. */
    equals?: Span;
    value: ValueNode;
    /** The enclosing block; undefined for a stray property at top level. */
    parent?: BlockNode;
}

/** What a block body holds: properties and nested blocks, in source order. */
export type MemberNode = BlockNode | PropertyNode;

/** A number literal; `value` is NaN for a malformed one (already reported). */
export interface NumberNode extends Span {
    kind: 'number';
    value: number;
    raw: string;
}

/** A quoted string with escapes decoded. */
export interface StringNode extends Span {
    kind: 'string';
    value: string;
}

/** A bare word: an enum value, a boolean (true/false/on/off) or a reference to a block. */
export interface NameNode extends Span {
    kind: 'name';
    text: string;
}

/** `[a, b]`; `closed` is false when the `]` is missing. */
export interface ListNode extends Span {
    kind: 'list';
    items: ValueNode[];
    closed: boolean;
}

/** Zero-width stand-in for a value the user has not typed yet. */
export interface MissingNode extends Span {
    kind: 'missing';
}

/** Any value on the right of `=`. */
export type ValueNode = NumberNode | StringNode | NameNode | ListNode | MissingNode;

/** A parsed document: the top-level blocks plus what the scanner and parser found wrong. */
export interface ConfigFile {
    kind: 'file';
    text: string;
    lines: LineIndex;
    blocks: BlockNode[];
    /** Properties written outside any block (already reported). */
    strays: PropertyNode[];
    comments: Comment[];
    /** Lexical and syntax diagnostics, at most one per position. */
    diagnostics: ConfigDiagnostic[];
    /** Loop iterations that consumed no token; always 0 unless the parser has a bug. */
    stalls: number;
}

/** Walks every block, depth first, parents before children. */
export function* allBlocks(blocks: readonly BlockNode[]): Generator<BlockNode> {
    for (const b of blocks) {
        yield b;
        yield* allBlocks(b.members.filter((m): m is BlockNode => m.kind === 'block'));
    }
}

/** The properties of a block, in order. */
export function propertiesOf(b: BlockNode): PropertyNode[] {
    return b.members.filter((m): m is PropertyNode => m.kind === 'property');
}

/** The nested blocks of a block, in order. */
export function childBlocks(b: BlockNode): BlockNode[] {
    return b.members.filter((m): m is BlockNode => m.kind === 'block');
}

/** Printable form of a value for messages. */
export function valueText(v: ValueNode): string {
    switch (v.kind) {
        case 'number':
            return v.raw;
        case 'string':
            return JSON.stringify(v.value);
        case 'name':
            return v.text;
        case 'list':
            return `[${v.items.map(valueText).join(', ')}]`;
        case 'missing':
            return '(nothing)';
    }
}
