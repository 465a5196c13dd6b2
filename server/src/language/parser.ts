/**
 * Error-tolerant recursive-descent parser. Hand-written rather than a library: the grammar is
 * tiny, and TypeScript-style recovery (list contexts, one-token skips, zero-width missing
 * nodes, one error per position) needs control no parser generator gives cheaply.
 * It never throws: every loop either consumes a token or ends its list.
 */
import type {
    BlockNode,
    ConfigFile,
    Identifier,
    ListNode,
    MemberNode,
    PropertyNode,
    ValueNode,
} from './ast';
import { isTopLevelKeyword } from './keywords';
import { lex, type Token } from './lexer';
import { TokenCursor } from './parser-cursor';
import { describe, LEX_KINDS, lexMessage } from './parser-messages';
import { LineIndex, type Span } from './text';

/** Lists the parser can be inside; a bit set, so recovery can ask every open list. */
const enum Ctx {
    File = 1 << 0,
    Block = 1 << 1,
    List = 1 << 2,
}

/** Parses config text into a tree plus syntax diagnostics; never throws. */
export function parse(text: string): ConfigFile {
    return new Parser(text).parseFile();
}

class Parser extends TokenCursor {
    private contexts = 0;
    private readonly lexed;

    constructor(private readonly text: string) {
        const lexed = lex(text);
        super(lexed.tokens);
        this.lexed = lexed;
        for (const e of lexed.errors) this.error(LEX_KINDS[e.what], e, lexMessage(e));
    }

    private enter(c: Ctx): number {
        const saved = this.contexts;
        this.contexts |= c;
        return saved;
    }

    parseFile(): ConfigFile {
        const blocks: BlockNode[] = [];
        const strays: PropertyNode[] = [];
        const saved = this.enter(Ctx.File);
        while (this.tok.kind !== 'eof') {
            const before = this.pos;
            if (this.tok.kind === 'ident') {
                const m = this.parseMember(undefined);
                if (m.kind === 'block') blocks.push(m);
                else {
                    strays.push(m);
                    this.error(
                        'unexpected',
                        m.key,
                        `Property '${m.key.text}' is outside any block. Move it into the block it configures.`,
                    );
                }
            } else {
                this.skipUnexpected();
            }
            this.ensureProgress(before);
        }
        this.contexts = saved;
        return {
            kind: 'file',
            text: this.text,
            lines: new LineIndex(this.text),
            blocks,
            strays,
            comments: this.lexed.comments,
            diagnostics: this.diagnostics.sort((a, b) => a.span.start - b.span.start),
            stalls: this.stalls,
        };
    }

    /** A top-level block header (`dataset coco {`) seen where a member was expected. */
    private atTopLevelStart(): boolean {
        const t = this.tok;
        return (
            t.kind === 'ident' &&
            isTopLevelKeyword(t.text) &&
            this.peek().kind === 'ident' &&
            this.peek(2).kind === '{'
        );
    }

    private isListElement(c: Ctx): boolean {
        const t = this.tok;
        switch (c) {
            case Ctx.File:
                return t.kind === 'ident';
            case Ctx.Block:
                return t.kind === 'ident';
            case Ctx.List:
                return (
                    (t.kind === 'ident' && this.peek().kind !== '=' && !this.atTopLevelStart()) ||
                    t.kind === 'number' ||
                    t.kind === 'string' ||
                    t.kind === '['
                );
        }
    }

    private isListTerminator(c: Ctx): boolean {
        const t = this.tok;
        if (t.kind === 'eof') return true;
        switch (c) {
            case Ctx.File:
                return false;
            case Ctx.Block:
                return t.kind === '}' || this.atTopLevelStart();
            case Ctx.List:
                return t.kind === ']';
        }
    }

    /** True when some enclosing list (not `current`) would take the current token. */
    private enclosingAccepts(current: Ctx): boolean {
        for (const c of [Ctx.File, Ctx.Block, Ctx.List]) {
            if (c === current || (this.contexts & c) === 0) continue;
            if (this.isListElement(c) || this.isListTerminator(c)) return true;
        }
        return false;
    }

    private skipUnexpected(): void {
        const t = this.next();
        const what = t.kind === 'unknown' ? null : describe(t);
        // Bad characters are already reported by the scanner.
        if (what !== null) this.error('unexpected', t, `Unexpected ${what}. Remove it.`);
    }

    private ident(t: Token): Identifier {
        return { kind: 'identifier', text: t.text, start: t.start, end: t.end, missing: false };
    }

    /** A property or a block, starting at an identifier. */
    private parseMember(parent: BlockNode | undefined): MemberNode {
        const key = this.ident(this.next());
        const t = this.tok;
        const sameLine = !t.newlineBefore;
        if (t.kind === '=') return this.parseProperty(key, parent);
        if (t.kind === '{') return this.parseBlock(key, undefined, parent);
        if (t.kind === 'ident' && sameLine && this.peek().kind !== '=') {
            // `kind name {` anywhere, or `kind name` at top level, is a block header; inside
            // a block, `mode coco` or `generator g` is a property that lost its '='.
            if (this.peek().kind === '{' || parent === undefined) {
                return this.parseBlock(key, this.ident(this.next()), parent);
            }
        }
        if (
            sameLine &&
            (t.kind === 'number' || t.kind === 'string' || t.kind === '[' || t.kind === 'ident')
        ) {
            this.error(
                'expected',
                { start: key.end, end: key.end },
                `Expected '=' between '${key.text}' and its value. Insert '='.`,
                undefined,
                { insert: ' =' },
            );
            return this.finishProperty(key, undefined, this.parseValue(key), parent);
        }
        // A half-typed property: the name and nothing after it yet.
        this.error(
            'expected',
            { start: key.end, end: key.end },
            `Expected '=' and a value after '${key.text}'. Complete the property or remove it.`,
        );
        const at = this.prevEnd;
        return this.finishProperty(key, undefined, { kind: 'missing', start: at, end: at }, parent);
    }

    private parseProperty(key: Identifier, parent: BlockNode | undefined): PropertyNode {
        const eq = this.next();
        const equals = { start: eq.start, end: eq.end };
        const t = this.tok;
        const startsValue =
            t.kind === 'number' || t.kind === 'string' || t.kind === '[' || t.kind === 'ident';
        // A word on the next line that begins a property is not this property's value.
        const nextIsMember =
            t.kind === 'ident' &&
            t.newlineBefore &&
            (this.peek().kind === '=' || this.peek().kind === '{');
        if (!startsValue || nextIsMember || this.atTopLevelStart()) {
            this.error(
                'missingValue',
                { start: eq.end, end: eq.end },
                `Property '${key.text}' has no value. Write a value after '='.`,
            );
            return this.finishProperty(
                key,
                equals,
                { kind: 'missing', start: eq.end, end: eq.end },
                parent,
            );
        }
        return this.finishProperty(key, equals, this.parseValue(key), parent);
    }

    private finishProperty(
        key: Identifier,
        equals: Span | undefined,
        value: ValueNode,
        parent: BlockNode | undefined,
    ): PropertyNode {
        return {
            kind: 'property',
            key,
            equals,
            value,
            parent,
            start: key.start,
            end: Math.max(value.end, equals?.end ?? key.end),
        };
    }

    private parseValue(key: Identifier): ValueNode {
        const t = this.tok;
        switch (t.kind) {
            case 'number':
                this.next();
                return {
                    kind: 'number',
                    value: t.value as number,
                    raw: t.text,
                    start: t.start,
                    end: t.end,
                };
            case 'string':
                this.next();
                return { kind: 'string', value: t.value as string, start: t.start, end: t.end };
            case 'ident':
                this.next();
                return { kind: 'name', text: t.text, start: t.start, end: t.end };
            case '[':
                return this.parseList(key);
            default: {
                const at = this.prevEnd;
                this.error(
                    'missingValue',
                    { start: at, end: at },
                    `Property '${key.text}' has no value. Write a value after '='.`,
                );
                return { kind: 'missing', start: at, end: at };
            }
        }
    }

    private parseList(key: Identifier): ListNode {
        const open = this.next();
        const items: ValueNode[] = [];
        const saved = this.enter(Ctx.List);
        let closed = false;
        for (;;) {
            const before = this.pos;
            if (this.tok.kind === ']') {
                this.next();
                closed = true;
                break;
            }
            if (this.isListTerminator(Ctx.List)) break;
            if (this.isListElement(Ctx.List)) {
                items.push(this.parseValue(key));
                if (this.tok.kind === ',') this.next();
                else if (!this.at(']') && this.isListElement(Ctx.List)) {
                    this.error(
                        'expected',
                        { start: this.prevEnd, end: this.prevEnd },
                        `Expected ',' between list items of '${key.text}'. Insert ','.`,
                        undefined,
                        { insert: ',' },
                    );
                }
            } else if (this.tok.kind === ',') {
                this.error(
                    'unexpected',
                    this.tok,
                    `Unexpected ','. Remove it or write an item before it.`,
                );
                this.next();
            } else if (this.enclosingAccepts(Ctx.List)) {
                break;
            } else {
                this.skipUnexpected();
            }
            this.ensureProgress(before);
        }
        this.contexts = saved;
        if (!closed) {
            const at = this.prevEnd;
            this.error(
                'unclosedList',
                { start: at, end: at },
                `The list of '${key.text}' is not closed. Insert ']'.`,
                [{ span: { start: open.start, end: open.end }, message: 'the list opens here' }],
                { insert: ']' },
            );
        }
        return { kind: 'list', items, closed, start: open.start, end: this.prevEnd };
    }

    private parseBlock(
        keyword: Identifier,
        name: Identifier | undefined,
        parent: BlockNode | undefined,
    ): BlockNode {
        const block: BlockNode = {
            kind: 'block',
            keyword,
            name,
            open: { start: this.prevEnd, end: this.prevEnd, missing: true },
            members: [],
            parent,
            start: keyword.start,
            end: this.prevEnd,
        };
        const header = name ? `${keyword.text} ${name.text}` : keyword.text;
        if (this.tok.kind === '{') {
            const t = this.next();
            block.open = { start: t.start, end: t.end, missing: false };
        } else {
            this.error(
                'expected',
                { start: this.prevEnd, end: this.prevEnd },
                `Expected '{' after '${header}'. Insert '{' to open the block.`,
                undefined,
                { insert: ' {' },
            );
            // Without '{' the body is parsed only when it clearly follows on the next lines.
            if (!(this.tok.kind === 'ident' && this.tok.newlineBefore && !this.atTopLevelStart())) {
                block.end = this.prevEnd;
                return block;
            }
        }
        const saved = this.enter(Ctx.Block);
        for (;;) {
            const before = this.pos;
            if (this.at('}')) {
                const t = this.next();
                block.close = { start: t.start, end: t.end };
                break;
            }
            if (this.isListTerminator(Ctx.Block)) break;
            if (this.isListElement(Ctx.Block)) block.members.push(this.parseMember(block));
            else if (this.enclosingAccepts(Ctx.Block)) break;
            else this.skipUnexpected();
            this.ensureProgress(before);
        }
        this.contexts = saved;
        block.end = this.prevEnd;
        if (!block.close && !block.open.missing) {
            const at = this.prevEnd;
            this.error(
                'unclosedBlock',
                { start: at, end: at },
                `Block '${header}' is not closed. Insert '}' after its last member.`,
                [
                    {
                        span: { start: block.open.start, end: block.open.end },
                        message: `'${header}' opens here`,
                    },
                ],
                { insert: '\n}' },
            );
        }
        return block;
    }
}
