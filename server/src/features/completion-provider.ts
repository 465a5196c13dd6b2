/**
 * Completion: block kinds and whole-block snippets at top level; properties not yet set and
 * nested blocks inside a block; enum values, booleans and block names after `=`; paths
 * relative to the config file inside strings, filtered by what the property expects.
 * Reads the cursor from tokens, so it works in text that does not parse.
 */
import {
    CompletionItemKind,
    InsertTextFormat,
    MarkupKind,
    type CompletionItem,
    type CompletionList,
    type CompletionParams,
} from 'vscode-languageserver';
import { cursorContext, type CursorContext } from '../language/cursor';
import { TOP_LEVEL_KEYWORDS } from '../language/keywords';
import {
    propertySpec,
    topLevelSpec,
    type BlockSpec,
    type PathKind,
    type PropertySpec,
    type Scalar,
} from '../language/registry';
import { describeType } from '../language/values';
import { LineIndex, type Position } from '../language/text';
import type { DocumentSnapshot } from './analysis-cache';
import type { ConfigFolders, FolderEntry } from './config-folders';

/** Computes completion items at a position. */
export interface CompletionProvider {
    provide(doc: PositionedDocument, params: CompletionParams): Promise<CompletionList>;
}

/**
 * A document that may convert positions itself (the server's TextDocument keeps its line
 * table between requests); otherwise a line table is built for the request.
 */
export interface PositionedDocument extends DocumentSnapshot {
    offsetAt?(p: Position): number;
    positionAt?(offset: number): Position;
}

const FILE_EXTENSIONS: Partial<Record<PathKind, readonly string[]>> = {
    'class-file': ['.txt', '.json', '.csv', '.yaml', '.yml', '.png', '.pal'],
    weights: ['.safetensors', '.pth', '.pt', '.ckpt', '.onnx', '.bin'],
};

/** Folder names that hint at what a folder holds, to rank the likely ones first. */
const FOLDER_HINTS: Partial<Record<PathKind, RegExp>> = {
    'image-folder': /img|image|photo|rgb|leftimg/i,
    'label-folder': /label|mask|seg|annot|gt/i,
    'instance-folder': /inst/i,
    weights: /weight|checkpoint|ckpt|model|vgg/i,
};

/** Completion from the registry, the document's blocks and the folders on disk. */
export class DefaultCompletionProvider implements CompletionProvider {
    constructor(private readonly folders: ConfigFolders) {}

    /**
     * Reads only tokens, never the tree: completion comes right after a keystroke, before the
     * document is analysed again, and must stay fast on long configs.
     */
    async provide(doc: PositionedDocument, params: CompletionParams): Promise<CompletionList> {
        const text = doc.getText();
        const lines = doc.offsetAt && doc.positionAt ? undefined : new LineIndex(text);
        const offsetAt = (p: Position): number =>
            lines ? lines.offsetAt(p) : (doc.offsetAt as (p: Position) => number)(p);
        const positionAt = (o: number): Position =>
            lines ? lines.positionAt(o) : (doc.positionAt as (o: number) => Position)(o);
        const ctx = cursorContext(text, offsetAt(params.position));
        const items = await this.items(doc, ctx);
        const range = { start: positionAt(ctx.replace.start), end: positionAt(ctx.replace.end) };
        for (const item of items)
            if (!item.textEdit) item.textEdit = { range, newText: item.insertText ?? item.label };
        return { isIncomplete: false, items };
    }

    private async items(doc: DocumentSnapshot, ctx: CursorContext): Promise<CompletionItem[]> {
        switch (ctx.place.kind) {
            case 'comment':
            case 'block-name':
                return [];
            case 'top':
                return topLevelItems();
            case 'member':
                return ctx.spec ? memberItems(ctx.spec, ctx.present) : [];
            case 'value': {
                const ps = ctx.spec && propertySpec(ctx.spec, ctx.place.key);
                if (!ps) return [];
                if (ps.type.kind === 'path') {
                    if (!ctx.place.inString) return [quotedPathItem()];
                    return this.pathItems(doc.uri, ctx.prefix, ps.type.expects);
                }
                if (ctx.place.inString) return [];
                return valueItems(ps, ctx);
            }
        }
    }

    private async pathItems(
        uri: string,
        typed: string,
        expects: PathKind,
    ): Promise<CompletionItem[]> {
        const slash = typed.lastIndexOf('/');
        const dir = slash < 0 ? '' : typed.slice(0, slash + 1);
        const entries = await this.folders.list(uri, dir === '' ? '.' : dir);
        if (!entries) return [];
        const exts = FILE_EXTENSIONS[expects];
        const hint = FOLDER_HINTS[expects];
        return entries
            .filter((e) => !e.name.startsWith('.'))
            .filter(
                (e) =>
                    e.isDirectory || (exts?.some((x) => e.name.toLowerCase().endsWith(x)) ?? false),
            )
            .map((e: FolderEntry) => ({
                label: e.isDirectory ? `${e.name}/` : e.name,
                kind: e.isDirectory ? CompletionItemKind.Folder : CompletionItemKind.File,
                // The whole typed path is replaced, so the filter text carries the folder part.
                filterText: `${dir}${e.name}`,
                insertText: `${dir}${e.name}${e.isDirectory ? '/' : ''}`,
                sortText: `${hint?.test(e.name) ? '0' : '1'}${e.isDirectory && exts ? '1' : '0'}${e.name}`,
                detail: e.isDirectory ? 'folder' : 'file',
                // Re-trigger after a folder, so the user can walk down the tree.
                command: e.isDirectory
                    ? { title: 'next', command: 'editor.action.triggerSuggest' }
                    : undefined,
            }));
    }
}

function topLevelItems(): CompletionItem[] {
    const out: CompletionItem[] = [];
    TOP_LEVEL_KEYWORDS.forEach((kind, i) => {
        const spec = topLevelSpec(kind) as BlockSpec;
        out.push({
            label: kind,
            kind: CompletionItemKind.Keyword,
            detail: `${kind} block`,
            documentation: { kind: MarkupKind.Markdown, value: spec.doc },
            sortText: `0${i}`,
        });
        out.push({
            label: `${kind} block`,
            kind: CompletionItemKind.Snippet,
            detail: 'whole block with its defaults',
            documentation: { kind: MarkupKind.Markdown, value: spec.doc },
            filterText: kind,
            insertText: blockSnippet(spec, kind),
            insertTextFormat: InsertTextFormat.Snippet,
            sortText: `1${i}`,
        });
    });
    return out;
}

function memberItems(spec: BlockSpec, present: Set<string>): CompletionItem[] {
    const out: CompletionItem[] = [];
    spec.properties.forEach((p, i) => {
        if (present.has(p.name)) return;
        out.push({
            label: p.name,
            kind: CompletionItemKind.Property,
            detail: `${describeType(p.type)}${p.default !== undefined ? ` = ${show(p.default)}` : ''}`,
            documentation: { kind: MarkupKind.Markdown, value: propertyDoc(p) },
            insertText: `${p.name} = `,
            sortText: `${p.required ? '0' : '1'}${String(i).padStart(3, '0')}`,
            command: { title: 'values', command: 'editor.action.triggerSuggest' },
        });
    });
    spec.blocks.forEach((b, i) => {
        if (present.has(b.kind) && !b.repeatable) return;
        out.push({
            label: b.kind,
            kind: CompletionItemKind.Module,
            detail: `${b.kind} { ... }`,
            documentation: { kind: MarkupKind.Markdown, value: b.doc },
            insertText: blockSnippet(b, b.kind),
            insertTextFormat: InsertTextFormat.Snippet,
            sortText: `2${String(i).padStart(3, '0')}`,
        });
    });
    return out;
}

function valueItems(ps: PropertySpec, ctx: CursorContext): CompletionItem[] {
    const t = ps.type;
    const isDefault = (v: Scalar): boolean => ps.default === v;
    const mark = (v: string): string => (isDefault(v) ? '0' : '1') + v;
    switch (t.kind) {
        case 'enum':
            return t.values.map((v) => ({
                label: v,
                kind: CompletionItemKind.EnumMember,
                detail: isDefault(v) ? 'default' : undefined,
                documentation: ps.valueDocs?.[v],
                sortText: mark(v),
            }));
        case 'bool':
            return ['on', 'off', 'true', 'false'].map((v, i) => ({
                label: v,
                kind: CompletionItemKind.Value,
                detail: ps.default === (i % 2 === 0) ? 'default' : undefined,
                sortText: String(i),
            }));
        case 'int':
            return (t.oneOf ?? (ps.default !== undefined ? [ps.default] : [])).map((v) => ({
                label: String(v),
                kind: CompletionItemKind.Value,
                detail: isDefault(v) ? 'default' : undefined,
            }));
        case 'float':
            return ps.default !== undefined
                ? [{ label: String(ps.default), kind: CompletionItemKind.Value, detail: 'default' }]
                : [];
        case 'ref':
            return ctx.blockNames(t.target).map((name) => ({
                label: name,
                kind: CompletionItemKind.Reference,
                detail: `${t.target} block`,
            }));
        default:
            return [];
    }
}

function quotedPathItem(): CompletionItem {
    return {
        label: '""',
        kind: CompletionItemKind.File,
        detail: 'a path relative to this file',
        insertText: '"$1"',
        insertTextFormat: InsertTextFormat.Snippet,
        command: { title: 'paths', command: 'editor.action.triggerSuggest' },
    };
}

/** Markdown for a property: its doc, type and default. */
export function propertyDoc(p: PropertySpec): string {
    const parts = [p.doc, `Type: ${describeType(p.type)}.`];
    if (p.default !== undefined) parts.push(`Default: \`${show(p.default)}\`.`);
    else if (p.defaultText) parts.push(`Default: ${p.defaultText}.`);
    if (p.note) parts.push(`*Note:* ${p.note}`);
    return parts.join('\n\n');
}

function show(v: Scalar): string {
    return typeof v === 'boolean' ? (v ? 'on' : 'off') : typeof v === 'string' ? v : String(v);
}

/**
 * A snippet for a whole block: required properties and those with a default, each value a
 * placeholder holding the default. Options the engine never reads are left out.
 */
export function blockSnippet(spec: BlockSpec, kind: string): string {
    let stop = 1;
    const head = spec.topLevel
        ? `${kind} \${${stop++}:${kind === 'train' ? 'run' : 'name'}}`
        : kind;
    const props = spec.properties.filter(
        (p) =>
            (p.required || p.default !== undefined) &&
            p.type.kind !== 'word' &&
            !/never reads/.test(p.note ?? ''),
    );
    const body = props.map((p) => {
        const v = p.default === undefined ? '' : show(p.default);
        const value =
            p.type.kind === 'path' || p.type.kind === 'string'
                ? `"\${${stop++}:${v}}"`
                : `\${${stop++}:${v}}`;
        return `\t${p.name} = ${value}`;
    });
    // Layer entries are written one per line, as a table (docs/editor.md, Formatting).
    if (spec.repeatable) return `${head} { ${body.map((b) => b.slice(1)).join('  ')} }`;
    if (body.length === 0) return `${head} {\n\t$0\n}`;
    return `${head} {\n${body.join('\n')}\n\t$0\n}`;
}
