/**
 * What the cursor sits in, read from tokens rather than the tree so it works in half-typed,
 * unparseable text: the chain of enclosing block kinds, whether a key or a value is expected,
 * the word or string typed so far, and the keys already set in the enclosing block.
 */
import { isTopLevelKeyword } from './keywords';
import { lex, type Token } from './lexer';
import { topLevelSpec, type BlockSpec } from './registry';
import type { Span } from './text';

/** Where in the grammar the cursor is. */
export type CursorPlace =
    /** Between blocks at top level: a block kind (or its name) is expected. */
    | { kind: 'top' }
    /** After `kind ` at top level: the user types the block's name. */
    | { kind: 'block-name'; blockKind: string }
    /** Inside a block body where a property key or nested block kind goes. */
    | { kind: 'member' }
    /** After `key =` (or inside a list after it): a value goes. */
    | { kind: 'value'; key: string; inString: boolean }
    /** Inside a comment: nothing to offer. */
    | { kind: 'comment' };

/** The cursor context; `path` is the chain of enclosing block kinds, outermost first. */
export interface CursorContext {
    place: CursorPlace;
    path: string[];
    /** The registry spec of the innermost enclosing block; undefined at top level or unknown. */
    spec?: BlockSpec;
    /** What the user typed of the current word (or string content) before the cursor. */
    prefix: string;
    /** The text the completion replaces: the whole word or string content around the cursor. */
    replace: Span;
    /** Keys and nested block kinds already written in the enclosing block (either side). */
    present: Set<string>;
    /** Names of the top-level blocks of a kind in the whole text (read from tokens, cheaply). */
    blockNames(kind: string): string[];
}

interface Frame {
    kind: string;
    present: Set<string>;
}

/** The spec at a chain of block kinds, or undefined when some kind is unknown. */
export function specAtPath(path: readonly string[]): BlockSpec | undefined {
    let s = path.length ? topLevelSpec(path[0]) : undefined;
    for (const k of path.slice(1)) s = s?.blocks.find((b) => b.kind === k);
    return s;
}

/** A line that starts a top-level block: the parser ends any unclosed block there. */
const TOP_START = /[ \t]*(?:dataset|generator|discriminator|train)(?=[ \t]*[A-Za-z_{])/y;

function startsTopBlock(text: string, lineStart: number): boolean {
    TOP_START.lastIndex = lineStart;
    return TOP_START.test(text);
}

/**
 * Reads the context at `offset` of `text`. Only the top-level block around the cursor is
 * scanned (from the line that starts it to the line that starts the next), so the cost does
 * not grow with the document.
 */
export function cursorContext(text: string, offset: number): CursorContext {
    let from = text.lastIndexOf('\n', offset - 1) + 1;
    while (from > 0 && !startsTopBlock(text, from))
        from = from < 2 ? 0 : text.lastIndexOf('\n', from - 2) + 1;
    let to = text.indexOf('\n', offset);
    while (to >= 0 && !startsTopBlock(text, to + 1)) to = text.indexOf('\n', to + 1);
    to = to < 0 ? text.length : to + 1;
    const ctx = contextIn(text.slice(from, to), offset - from);
    return {
        ...ctx,
        replace: { start: ctx.replace.start + from, end: ctx.replace.end + from },
        blockNames: (kind) => blockNamesIn(text, kind),
    };
}

/** The context within a window of text that starts outside any block. */
function contextIn(text: string, offset: number): CursorContext {
    const { tokens, comments } = lex(text);
    for (const c of comments)
        if (c.start < offset && (offset < c.end || (!c.block && offset === c.end)))
            return {
                blockNames: () => [],
                place: { kind: 'comment' },
                path: [],
                prefix: '',
                replace: { start: offset, end: offset },
                present: new Set(),
            };
    const stack: Frame[] = [];
    let i = 0;
    // Walk the tokens before the cursor, keeping the block stack as the parser would.
    for (; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === 'eof' || t.end > offset) break;
        if (t.end === offset && (t.kind === 'ident' || t.kind === 'number' || t.kind === 'string'))
            break;
        if (t.kind === '{') {
            const kw = blockKeywordBefore(tokens, i);
            if (kw !== undefined) stack[stack.length - 1]?.present.add(kw);
            stack.push({ kind: kw ?? '?', present: new Set() });
        } else if (t.kind === '}') {
            stack.pop();
        } else if (t.kind === 'ident' && t.newlineBefore && isTopLevelKeyword(t.text)) {
            // An unclosed block ends where the next top-level block starts, as in the parser.
            if (tokens[i + 1]?.kind === 'ident' || tokens[i + 1]?.kind === '{') stack.length = 0;
        } else if (t.kind === 'ident' && tokens[i + 1]?.kind === '=') {
            stack[stack.length - 1]?.present.add(t.text);
        }
    }
    const current = tokens[i];
    // The word, number or string the cursor is inside or just after.
    const touching =
        current && current.kind !== 'eof' && current.start < offset && offset <= current.end
            ? current
            : undefined;
    let prev = tokens[i - 1];
    const top = stack[stack.length - 1];
    if (top) collectLaterKeys(tokens, touching ? i + 1 : i, top.present);
    const path = stack.map((f) => f.kind);
    const base = {
        blockNames: () => [],
        path,
        spec: specAtPath(path),
        present: top?.present ?? new Set<string>(),
    };

    let prefix = '';
    let replace: Span = { start: offset, end: offset };
    let inString = false;
    if (touching?.kind === 'ident' || touching?.kind === 'number') {
        prefix = text.slice(touching.start, offset);
        replace = { start: touching.start, end: touching.end };
    } else if (touching?.kind === 'string') {
        const closed = touching.end - touching.start >= 2 && text[touching.end - 1] === '"';
        if (closed && offset === touching.end) {
            // Just after the closing quote: the value is done.
            prev = touching;
        } else {
            inString = true;
            prefix = text.slice(touching.start + 1, offset);
            replace = { start: touching.start + 1, end: closed ? touching.end - 1 : touching.end };
        }
    }

    const valueKey = valueKeyBefore(tokens, i - 1, prev);
    if (valueKey !== undefined)
        return { ...base, place: { kind: 'value', key: valueKey, inString }, prefix, replace };
    if (!top) {
        if (prev?.kind === 'ident' && isTopLevelKeyword(prev.text))
            return {
                ...base,
                place: { kind: 'block-name', blockKind: prev.text },
                prefix,
                replace,
            };
        return { ...base, place: { kind: 'top' }, prefix, replace };
    }
    return { ...base, place: { kind: 'member' }, prefix, replace };
}

/** The block keyword of the `{` at index i: `kind {` or `kind name {`. */
function blockKeywordBefore(tokens: Token[], i: number): string | undefined {
    const a = tokens[i - 1];
    const b = tokens[i - 2];
    if (a?.kind !== 'ident') return undefined;
    if (b?.kind === 'ident' && isTopLevelKeyword(b.text) && !a.newlineBefore) return b.text;
    return a.text;
}

/** Adds the keys written after the cursor in the same block, up to its end. */
function collectLaterKeys(tokens: Token[], from: number, present: Set<string>): void {
    let depth = 0;
    for (let j = from; j < tokens.length; j++) {
        const t = tokens[j];
        if (t.kind === 'eof') return;
        if (t.kind === '{') {
            if (depth === 0) {
                const kw = blockKeywordBefore(tokens, j);
                if (kw) present.add(kw);
            }
            depth++;
        } else if (t.kind === '}') {
            if (depth === 0) return;
            depth--;
        } else if (t.kind === 'ident' && t.newlineBefore && isTopLevelKeyword(t.text)) {
            if (tokens[j + 1]?.kind === 'ident' || tokens[j + 1]?.kind === '{') return;
        } else if (depth === 0 && t.kind === 'ident' && tokens[j + 1]?.kind === '=') {
            present.add(t.text);
        }
    }
}

/**
 * The key whose value the cursor is in: `key = |`, `key = wo|`, `key = [a, |`. A value that
 * ended on an earlier line means the user started a new member.
 */
function valueKeyBefore(tokens: Token[], j: number, prev: Token | undefined): string | undefined {
    if (!prev) return undefined;
    if (prev.kind === '=') {
        const key = tokens[j - 1];
        return key?.kind === 'ident' ? key.text : undefined;
    }
    if (prev.kind === '[' || prev.kind === ',') {
        // Walk back to the list's `[` and its `key =`.
        let k = j;
        while (k >= 0 && tokens[k].kind !== '[' && tokens[k].kind !== '=') k--;
        if (
            tokens[k]?.kind === '[' &&
            tokens[k - 1]?.kind === '=' &&
            tokens[k - 2]?.kind === 'ident'
        )
            return tokens[k - 2].text;
    }
    return undefined;
}

/** Names declared as `kind name {` at the start of a line, in order, without repeats. */
function blockNamesIn(text: string, kind: string): string[] {
    const re = new RegExp(`^[ \\t]*${kind}[ \\t]+([A-Za-z_][A-Za-z0-9_]*)[ \\t]*\\{`, 'gm');
    const out = new Set<string>();
    for (let m = re.exec(text); m; m = re.exec(text)) out.add(m[1]);
    return [...out];
}
