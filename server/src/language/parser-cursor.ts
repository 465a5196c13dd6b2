/**
 * The parser's view of the token stream: position, lookahead, and error reporting with at
 * most one error per position (the first one there is the precise one).
 */
import { diag, type ConfigDiagnostic, type DiagnosticData, type DiagnosticKind } from './catalog';
import type { Token } from './lexer';
import type { Span } from './text';

export class TokenCursor {
    protected pos = 0;
    protected readonly diagnostics: ConfigDiagnostic[] = [];
    private readonly errorAt = new Set<number>();
    /** Loop iterations that consumed nothing (forced forward); 0 unless there is a bug. */
    protected stalls = 0;

    constructor(protected readonly tokens: Token[]) {}

    protected get tok(): Token {
        return this.tokens[this.pos];
    }

    /** Token test that defeats narrowing: `tok` changes as the parser advances. */
    protected at(kind: Token['kind']): boolean {
        return this.tok.kind === kind;
    }

    protected peek(k = 1): Token {
        return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
    }

    protected next(): Token {
        const t = this.tok;
        if (t.kind !== 'eof') this.pos++;
        return t;
    }

    /** End of the last consumed token: where a missing token "should have been". */
    protected get prevEnd(): number {
        return this.pos > 0 ? this.tokens[this.pos - 1].end : 0;
    }

    protected error(
        kind: DiagnosticKind,
        span: Span,
        message: string,
        related?: ConfigDiagnostic['related'],
        data?: DiagnosticData,
    ): void {
        // At most one error per position: the first one is the precise one.
        if (this.errorAt.has(span.start)) return;
        this.errorAt.add(span.start);
        this.diagnostics.push(
            diag(kind, { start: span.start, end: span.end }, message, {
                ...(related ? { related } : {}),
                ...(data ? { data } : {}),
            }),
        );
    }

    protected ensureProgress(before: number): void {
        if (this.pos === before && this.tok.kind !== 'eof') {
            this.stalls++;
            this.next();
        }
    }
}
