/**
 * What the data pipeline reports about files: one shape for warnings and errors, so the
 * dataset check (issue 3), the mask preview (issue 7) and the training worker show the same
 * messages. Every message names the file, the place, what is wrong and what to do.
 */

/** Stable codes; tests and quick fixes select on these, never on message text. */
export type DataIssueCode =
    | 'unreadable'
    | 'truncated'
    | 'not-an-image'
    | 'unsupported-format'
    | 'id-out-of-range'
    | 'dontcare-not-enabled'
    | 'unknown-colour'
    | 'rgb-without-palette'
    | 'rgb-grey'
    | 'alpha-ignored'
    | 'lossy-label'
    | 'exif-oriented'
    | 'size-mismatch'
    | 'missing-image'
    | 'missing-label'
    | 'missing-instance'
    | 'extra-image'
    | 'extra-instance'
    | 'empty-dataset'
    | 'folder-missing'
    | 'mixed-sizes'
    | 'too-small';

export type DataIssueSeverity = 'error' | 'warning' | 'info';

/** One finding about one file (or folder). */
export interface DataIssue {
    severity: DataIssueSeverity;
    code: DataIssueCode;
    /** Absolute path of the file or folder concerned. */
    file: string;
    /** The full sentence(s) shown to the user, starting with the file. */
    message: string;
    /** Machine-readable detail for tools (value, count, first position, colours, names...). */
    detail?: Record<string, unknown>;
}

/** An error carrying its issue; the pipeline throws only these for bad input. */
export class DataError extends Error {
    constructor(readonly issue: DataIssue) {
        super(issue.message);
        this.name = 'DataError';
    }
}

/** Builds an issue whose message is `file: what. hint` (hint optional). */
export function issue(
    severity: DataIssueSeverity,
    code: DataIssueCode,
    file: string,
    what: string,
    hint?: string,
    detail?: Record<string, unknown>,
): DataIssue {
    const message = `${file}: ${what}${hint ? ` ${hint}` : ''}`;
    return detail ? { severity, code, file, message, detail } : { severity, code, file, message };
}

/** Throws a DataError for an error issue. */
export function fail(
    code: DataIssueCode,
    file: string,
    what: string,
    hint?: string,
    detail?: Record<string, unknown>,
): never {
    throw new DataError(issue('error', code, file, what, hint, detail));
}

/** Any thrown value as a DataError about `file` (unexpected errors keep their text). */
export function asDataError(e: unknown, file: string): DataError {
    if (e instanceof DataError) return e;
    // libvips keeps a shared error buffer, so a sharp message can carry lines from earlier
    // failures of other files; the last line is this file's.
    const lines = (e instanceof Error ? e.message : String(e)).split('\n').filter((l) => l.trim());
    const text = lines[lines.length - 1] ?? 'unknown error';
    const truncated = /truncat|premature|end of (file|stream)|unexpected end/i.test(text);
    return new DataError(
        issue(
            'error',
            truncated ? 'truncated' : 'unreadable',
            file,
            truncated
                ? `the file is truncated or damaged (${text}).`
                : `cannot be read as an image (${text}).`,
            'Re-export or re-download the file, or remove it from the dataset.',
        ),
    );
}
