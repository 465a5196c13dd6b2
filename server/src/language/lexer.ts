/**
 * The scanner: turns config text into tokens, keeping comments aside (the formatter and
 * hover in #3 need them). Never throws; bad characters become `unknown` tokens.
 */
import type { Span } from './text';

/** Token kinds; punctuation is its own character. */
export type TokenKind =
    'ident' | 'number' | 'string' | '{' | '}' | '[' | ']' | '=' | ',' | 'unknown' | 'eof';

/** One token; `value` holds the decoded string or the number's value. */
export interface Token extends Span {
    kind: TokenKind;
    /** Source text of the token. */
    text: string;
    /** Decoded value for strings and numbers. */
    value?: string | number;
    /** A line break sits between this token and the one before it. */
    newlineBefore: boolean;
}

/** A comment, kept for the formatter and for doc comments. */
export interface Comment extends Span {
    text: string;
    block: boolean;
}

/** A problem found while scanning; the parser turns it into a diagnostic. */
export interface LexError extends Span {
    what: 'unterminated-string' | 'unterminated-comment' | 'bad-char' | 'bad-number' | 'bad-escape';
    text: string;
}

/** The whole scan of a document. */
export interface LexResult {
    tokens: Token[];
    comments: Comment[];
    errors: LexError[];
}

const isIdentStart = (c: number): boolean =>
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

const PUNCT: Record<string, TokenKind> = {
    '{': '{',
    '}': '}',
    '[': '[',
    ']': ']',
    '=': '=',
    ',': ',',
};

/** Scans the whole text; the last token is always `eof`. */
export function lex(text: string): LexResult {
    const tokens: Token[] = [];
    const comments: Comment[] = [];
    const errors: LexError[] = [];
    let i = 0;
    let newline = false;
    const n = text.length;

    const push = (kind: TokenKind, start: number, value?: string | number): void => {
        tokens.push({
            kind,
            start,
            end: i,
            text: text.slice(start, i),
            value,
            newlineBefore: newline,
        });
        newline = false;
    };

    while (i < n) {
        const c = text.charCodeAt(i);
        const start = i;
        if (c === 10 || c === 13) {
            newline = true;
            i++;
        } else if (c === 32 || c === 9 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0) {
            i++;
        } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
            while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
            comments.push({ start, end: i, text: text.slice(start, i), block: false });
        } else if (c === 35) {
            // '#' comments too: users paste from YAML and shell configs.
            while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
            comments.push({ start, end: i, text: text.slice(start, i), block: false });
        } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
            const close = text.indexOf('*/', i + 2);
            i = close < 0 ? n : close + 2;
            if (close < 0) errors.push({ what: 'unterminated-comment', start, end: i, text: '/*' });
            const body = text.slice(start, i);
            if (/[\r\n]/.test(body)) newline = true;
            comments.push({ start, end: i, text: body, block: true });
        } else if (isIdentStart(c)) {
            while (i < n && isIdentPart(text.charCodeAt(i))) i++;
            push('ident', start);
        } else if (isDigit(c) || ((c === 45 || c === 43 || c === 46) && isNumberAhead(text, i))) {
            scanNumber();
        } else if (c === 34) {
            scanString();
        } else if (PUNCT[text[i]] !== undefined) {
            i++;
            push(PUNCT[text[start]], start);
        } else {
            // One whole code point, so an astral character is one bad token, not two halves.
            const low = text.charCodeAt(i + 1);
            i += c >= 0xd800 && c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
            errors.push({ what: 'bad-char', start, end: i, text: text.slice(start, i) });
            push('unknown', start);
        }
    }
    tokens.push({ kind: 'eof', start: n, end: n, text: '', newlineBefore: newline });
    return { tokens, comments, errors };

    function scanNumber(): void {
        const start = i;
        if (text[i] === '-' || text[i] === '+') i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
        if (text[i] === '.' && isDigit(text.charCodeAt(i + 1))) {
            i++;
            while (i < n && isDigit(text.charCodeAt(i))) i++;
        }
        if ((text[i] === 'e' || text[i] === 'E') && /^[eE][+-]?\d/.test(text.slice(i, i + 3))) {
            i++;
            if (text[i] === '+' || text[i] === '-') i++;
            while (i < n && isDigit(text.charCodeAt(i))) i++;
        }
        // A number glued to letters (e.g. 3x3, 10px) is one bad token, not two good ones.
        if (i < n && isIdentPart(text.charCodeAt(i))) {
            while (i < n && (isIdentPart(text.charCodeAt(i)) || text[i] === '.')) i++;
            errors.push({ what: 'bad-number', start, end: i, text: text.slice(start, i) });
            push('number', start, Number.NaN);
            return;
        }
        push('number', start, Number(text.slice(start, i)));
    }

    function scanString(): void {
        const start = i;
        i++;
        let out = '';
        for (;;) {
            if (i >= n || text[i] === '\n' || text[i] === '\r') {
                errors.push({
                    what: 'unterminated-string',
                    start,
                    end: i,
                    text: text.slice(start, i),
                });
                break;
            }
            const ch = text[i];
            if (ch === '"') {
                i++;
                break;
            }
            if (ch === '\\' && i + 1 < n && text[i + 1] !== '\n' && text[i + 1] !== '\r') {
                const e = text[i + 1];
                const map: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
                if (map[e] === undefined) {
                    errors.push({
                        what: 'bad-escape',
                        start: i,
                        end: i + 2,
                        text: text.slice(i, i + 2),
                    });
                    out += e;
                } else {
                    out += map[e];
                }
                i += 2;
                continue;
            }
            out += ch;
            i++;
        }
        push('string', start, out);
    }
}

function isNumberAhead(text: string, i: number): boolean {
    let j = i;
    if (text[j] === '-' || text[j] === '+') j++;
    if (text[j] === '.') j++;
    return isDigit(text.charCodeAt(j));
}
