/**
 * Offsets and LSP positions. Offsets index the JavaScript string, so they are UTF-16 code
 * units already: an astral character counts 2 and a tab counts 1, exactly as LSP wants.
 */

/** A zero-based LSP position: line and UTF-16 character within the line. */
export interface Position {
    line: number;
    character: number;
}

/** A half-open LSP range. */
export interface Range {
    start: Position;
    end: Position;
}

/** A half-open span of string offsets [start, end). */
export interface Span {
    start: number;
    end: number;
}

/** Maps offsets to positions and back; lines end at \n, \r\n or a lone \r. */
export class LineIndex {
    private readonly starts: number[] = [0];

    constructor(readonly text: string) {
        for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c === 13) {
                if (text.charCodeAt(i + 1) === 10) i++;
                this.starts.push(i + 1);
            } else if (c === 10) {
                this.starts.push(i + 1);
            }
        }
    }

    get lineCount(): number {
        return this.starts.length;
    }

    positionAt(offset: number): Position {
        const o = Math.max(0, Math.min(offset, this.text.length));
        let lo = 0;
        let hi = this.starts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (this.starts[mid] <= o) lo = mid;
            else hi = mid - 1;
        }
        return { line: lo, character: o - this.starts[lo] };
    }

    offsetAt(p: Position): number {
        if (p.line < 0) return 0;
        if (p.line >= this.starts.length) return this.text.length;
        const start = this.starts[p.line];
        const end = this.lineEnd(p.line);
        return Math.max(start, Math.min(start + p.character, end));
    }

    rangeOf(span: Span): Range {
        return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
    }

    /** Offset of the end of a line's content (before its line break). */
    private lineEnd(line: number): number {
        let end = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
        while (end > this.starts[line]) {
            const c = this.text.charCodeAt(end - 1);
            if (c !== 10 && c !== 13) break;
            end--;
        }
        return end;
    }
}
