/** Wording of the scanner's problems and of tokens in parser messages. */
import type { DiagnosticKind } from './catalog';
import type { LexError, Token } from './lexer';

export const LEX_KINDS: Record<LexError['what'], DiagnosticKind> = {
    'unterminated-string': 'unterminatedString',
    'unterminated-comment': 'unterminatedComment',
    'bad-char': 'badCharacter',
    'bad-number': 'badNumber',
    'bad-escape': 'badEscape',
};

export function describe(t: Token): string {
    switch (t.kind) {
        case 'eof':
            return 'end of file';
        case 'ident':
            return `word '${t.text}'`;
        case 'number':
            return `number ${t.text}`;
        case 'string':
            return `string ${t.text}`;
        default:
            return `'${t.text}'`;
    }
}

export function lexMessage(e: LexError): string {
    switch (e.what) {
        case 'unterminated-string':
            return "This string is not closed. Insert '\"' before the end of the line.";
        case 'unterminated-comment':
            return "This comment is not closed. Insert '*/' where it should end.";
        case 'bad-char':
            return `Character '${e.text}' is not allowed here. Remove it, or put it inside a string.`;
        case 'bad-number':
            return `'${e.text}' is not a number. Write digits only (e.g. 256, 0.5, 2e-4), or quote it as a string.`;
        case 'bad-escape':
            return `Unknown escape '${e.text}' in a string. Use \\\\, \\", \\n or \\t, or write '/' in paths.`;
    }
}
