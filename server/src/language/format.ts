/**
 * The formatter. Layout rules (docs/formatting.md): four-space indents; one member per line,
 * except that properties written on one line stay together, two spaces apart; a block written
 * on one line without nested blocks or comments stays on one line; the `=` of consecutive
 * one-property lines line up, and so do their trailing comments; one-line entries of a
 * `layers` list line up as a table. Comments are kept; at most one blank line is kept between
 * members and none after `{` or before `}`. Text with syntax errors is left alone.
 */
import type { BlockNode, ConfigFile, MemberNode, PropertyNode, ValueNode } from './ast';
import type { Comment } from './lexer';
import { specOfBlock } from './registry';

const INDENT = '    ';

/** The formatted text, or undefined when the file has syntax errors (nothing to trust). */
export function format(file: ConfigFile): string | undefined {
    if (file.diagnostics.some((d) => d.severity === 'error') || file.strays.length)
        return undefined;
    const eol = file.text.includes('\r\n') ? '\r\n' : '\n';
    const f = new Formatter(file);
    const lines = f.body(file.blocks, file.comments, 0, file.text.length, 0);
    return lines.length ? lines.join(eol).replace(/[ \t]+$/gm, '') + eol : '';
}

/** One output row before alignment: members sharing a source line, and a trailing comment. */
interface Row {
    members: MemberNode[];
    comment?: Comment;
    /** An own-line comment (no members). */
    alone?: Comment;
    blankBefore: boolean;
}

class Formatter {
    constructor(private readonly file: ConfigFile) {}

    /** Lines for the members and comments between offsets `from` and `to`, at `depth`. */
    body(
        members: readonly MemberNode[],
        comments: readonly Comment[],
        from: number,
        to: number,
        depth: number,
    ): string[] {
        const own = comments.filter(
            (c) =>
                c.start >= from &&
                c.end <= to &&
                !members.some((m) => m.start <= c.start && c.end <= m.end),
        );
        const items: Array<MemberNode | Comment> = [...members, ...own].sort(
            (a, b) => a.start - b.start,
        );
        const rows: Row[] = [];
        let lastEnd = -1;
        for (const item of items) {
            const sameLine = lastEnd >= 0 && !this.lineBreakBetween(lastEnd, item.start);
            const prev = rows[rows.length - 1];
            if ('kind' in item) {
                const joinable =
                    sameLine &&
                    prev &&
                    !prev.alone &&
                    !prev.comment &&
                    item.kind === 'property' &&
                    prev.members.every((m) => m.kind === 'property');
                if (joinable) prev.members.push(item);
                else
                    rows.push({
                        members: [item],
                        blankBefore: lastEnd >= 0 && this.blankBetween(lastEnd, item.start),
                    });
            } else if (sameLine && prev && !prev.alone && !prev.comment) {
                prev.comment = item;
            } else {
                rows.push({
                    members: [],
                    alone: item,
                    blankBefore: lastEnd >= 0 && this.blankBetween(lastEnd, item.start),
                });
            }
            lastEnd = item.end;
        }
        return this.render(rows, depth);
    }

    private render(rows: Row[], depth: number): string[] {
        const pad = INDENT.repeat(depth);
        const out: string[] = [];
        for (let i = 0; i < rows.length;) {
            const group = this.groupAt(rows, i);
            const texts = this.groupTexts(group.rows, group.kind, depth);
            group.rows.forEach((r, k) => {
                if (r.blankBefore && out.length) out.push('');
                out.push(...texts[k].map((t) => (t ? pad + t : t)));
            });
            i += group.rows.length;
        }
        return out;
    }

    /** The alignment group starting at row i: one-property lines, table rows, or a lone row. */
    private groupAt(rows: Row[], i: number): { rows: Row[]; kind: 'props' | 'table' | 'single' } {
        const kindOf = (r: Row): 'props' | 'table' | 'single' => {
            if (r.alone || r.members.length !== 1) return 'single';
            const m = r.members[0];
            if (m.kind === 'property') return 'props';
            return this.oneLine(m) && specOfBlock(m)?.repeatable ? 'table' : 'single';
        };
        const kind = kindOf(rows[i]);
        if (kind === 'single') return { rows: [rows[i]], kind };
        let j = i + 1;
        while (j < rows.length && !rows[j].blankBefore && kindOf(rows[j]) === kind) j++;
        return { rows: rows.slice(i, j), kind };
    }

    /** Text lines per row (relative to the indent), aligned within the group. */
    private groupTexts(rows: Row[], kind: 'props' | 'table' | 'single', depth: number): string[][] {
        let heads: string[];
        if (kind === 'props') {
            const props = rows.map((r) => r.members[0] as PropertyNode);
            const width = Math.max(...props.map((p) => p.key.text.length));
            heads = props.map((p) => `${p.key.text.padEnd(width)} = ${this.value(p.value)}`);
        } else if (kind === 'table') {
            const blocks = rows.map((r) => r.members[0] as BlockNode);
            const width = Math.max(...blocks.map((b) => b.keyword.text.length));
            const cells = blocks.map((b) => b.members.map((m) => this.property(m as PropertyNode)));
            const cols = Math.max(...cells.map((c) => c.length));
            for (let c = 0; c < cols; c++) {
                const w = Math.max(...cells.map((row) => (row[c] ?? '').length));
                for (const row of cells) if (c < row.length - 1) row[c] = row[c].padEnd(w);
            }
            heads = blocks.map((b, k) => {
                const inner = cells[k].join('  ');
                return `${b.keyword.text.padEnd(width)} ${inner ? `{ ${inner} }` : '{}'}`;
            });
        } else {
            const r = rows[0];
            if (r.alone) return [this.comment(r.alone)];
            const m = r.members;
            if (m.length === 1 && m[0].kind === 'block') {
                const lines = this.block(m[0], depth);
                if (r.comment) lines[lines.length - 1] += ` ${r.comment.text}`;
                return [lines];
            }
            heads = [m.map((p) => this.property(p as PropertyNode)).join('  ')];
        }
        // Trailing comments of a group line up one space after its longest line.
        const withComment = rows.some((r) => r.comment);
        const col = withComment ? Math.max(...heads.map((h) => h.length)) + 1 : 0;
        return heads.map((h, k) => {
            const c = rows[k].comment;
            return [c ? `${h.padEnd(col)}${c.text}` : h];
        });
    }

    /** A block's lines relative to its own indent (the body is indented one level more). */
    private block(b: BlockNode, depth: number): string[] {
        const head = b.name ? `${b.keyword.text} ${b.name.text}` : b.keyword.text;
        if (this.oneLine(b)) {
            const inner = b.members.map((m) => this.property(m as PropertyNode)).join('  ');
            return [inner ? `${head} { ${inner} }` : `${head} {}`];
        }
        const to = b.close ? b.close.start : b.end;
        // A line comment right after `{` stays there.
        const after = this.file.comments.find(
            (c) =>
                !c.block &&
                c.start >= b.open.end &&
                c.end <= to &&
                !this.lineBreakBetween(b.open.end, c.start),
        );
        const from =
            after && !b.members.some((m) => m.start < after.start) ? after.end : b.open.end;
        const open = from === b.open.end ? `${head} {` : `${head} { ${after?.text ?? ''}`;
        const inner = this.body(b.members, this.file.comments, from, to, depth + 1).map((l) =>
            l ? l.slice(INDENT.repeat(depth).length) : l,
        );
        return [open, ...inner, '}'];
    }

    /** True for a block written on one line holding only properties and no comments. */
    private oneLine(b: BlockNode): boolean {
        const close = b.close;
        if (!close || this.lineBreakBetween(b.open.start, close.end)) return false;
        if (b.members.some((m) => m.kind === 'block')) return false;
        return !this.file.comments.some((c) => c.start > b.open.start && c.end <= close.start);
    }

    private property(p: PropertyNode): string {
        return `${p.key.text} = ${this.value(p.value)}`;
    }

    private value(v: ValueNode): string {
        if (v.kind === 'list') return `[${v.items.map((x) => this.value(x)).join(', ')}]`;
        return this.file.text.slice(v.start, v.end);
    }

    /**
     * A comment on its own line. The inner lines of a block comment are re-indented with the
     * comment (one more space before a leading `*`), which keeps formatting idempotent.
     */
    private comment(c: Comment): string[] {
        if (!c.block) return [c.text];
        return c.text
            .split(/\r\n|\n|\r/)
            .map((l, i) => (i === 0 ? l : l.trim().startsWith('*') ? ` ${l.trim()}` : l.trim()));
    }

    private lineBreakBetween(a: number, b: number): boolean {
        return /[\r\n]/.test(this.file.text.slice(a, b));
    }

    private blankBetween(a: number, b: number): boolean {
        return /(\r\n|\n|\r)[ \t]*(\r\n|\n|\r)/.test(this.file.text.slice(a, b));
    }
}
