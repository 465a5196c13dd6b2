/**
 * Every diagnostic the language reports, each with a stable code. Tests assert on codes and
 * quick fixes (#3) select on them, so a code is never reused for a different problem.
 * Messages say what is wrong (with actual and expected values) and then what to do.
 */
import type { Span } from './text';

/** Diagnostic severities, as LSP has them. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/**
 * Machine-readable facts for quick fixes: the span to replace and the candidate texts, most
 * likely first. Present only when one change is clearly right or a short list to pick from.
 */
export interface DiagnosticData {
    /** Candidate replacement texts for `span` (or the diagnostic's span when absent). */
    replacements?: string[];
    /** The span a fix edits, when it differs from the diagnostic's range. */
    span?: Span;
    /** Text to insert at the end of `span` (e.g. a missing property line). */
    insert?: string;
    /** The fix removes the whole property or block the diagnostic points at. */
    remove?: Span;
}

/** A related place shown under a diagnostic (e.g. the opening brace of an unclosed block). */
export interface RelatedInfo {
    span: Span;
    message: string;
}

/** A diagnostic of the language core, in offsets; the server converts it to LSP positions. */
export interface ConfigDiagnostic {
    code: Code;
    severity: Severity;
    message: string;
    span: Span;
    related?: RelatedInfo[];
    data?: DiagnosticData;
    /** The text has no effect (editors fade it). */
    unnecessary?: boolean;
}

/** One catalog row: the code's default severity and what it is about (for the docs). */
export interface CatalogEntry {
    code: string;
    severity: Severity;
    title: string;
}

const entries = {
    unterminatedString: { code: 'SP1001', severity: 'error', title: 'string not closed' },
    unterminatedComment: { code: 'SP1002', severity: 'error', title: 'block comment not closed' },
    badCharacter: { code: 'SP1003', severity: 'error', title: 'character not allowed here' },
    badNumber: { code: 'SP1004', severity: 'error', title: 'malformed number' },
    badEscape: { code: 'SP1005', severity: 'error', title: 'unknown escape in a string' },
    expected: { code: 'SP1010', severity: 'error', title: 'expected a token' },
    unclosedBlock: { code: 'SP1011', severity: 'error', title: 'block not closed' },
    unclosedList: { code: 'SP1012', severity: 'error', title: 'list not closed' },
    unexpected: { code: 'SP1013', severity: 'error', title: 'unexpected token skipped' },
    missingValue: { code: 'SP1014', severity: 'error', title: 'property without a value' },
    unknownBlock: { code: 'SP2001', severity: 'error', title: 'unknown block kind' },
    unknownProperty: { code: 'SP2002', severity: 'error', title: 'unknown property' },
    duplicateProperty: { code: 'SP2003', severity: 'error', title: 'property set twice' },
    duplicateName: { code: 'SP2004', severity: 'error', title: 'two blocks with one name' },
    duplicateBlock: { code: 'SP2005', severity: 'error', title: 'nested block given twice' },
    missingName: { code: 'SP2006', severity: 'error', title: 'top-level block without a name' },
    unexpectedName: { code: 'SP2007', severity: 'error', title: 'nested block with a name' },
    unresolvedReference: { code: 'SP2008', severity: 'error', title: 'reference to no block' },
    missingRequired: { code: 'SP2009', severity: 'error', title: 'required property missing' },
    wrongType: { code: 'SP3001', severity: 'error', title: 'value of the wrong type' },
    outOfRange: { code: 'SP3002', severity: 'error', title: 'number out of range' },
    notAllowed: { code: 'SP3003', severity: 'error', title: 'value not among the allowed ones' },
    latentNotWhole: { code: 'SP4001', severity: 'error', title: 'crop size not divisible by 2^n' },
    heightMismatch: {
        code: 'SP4002',
        severity: 'error',
        title: 'generator and image height differ',
    },
    dontcareCollision: { code: 'SP4003', severity: 'error', title: 'dontcare value is a class id' },
    inputChannels: { code: 'SP4004', severity: 'error', title: 'input channels disagree' },
    noInstanceMaps: { code: 'SP4005', severity: 'error', title: 'instance maps unavailable' },
    unlabeled255: {
        code: 'SP4006',
        severity: 'warning',
        title: 'dataset holds 255 without dontcare',
    },
    layerOutput: { code: 'SP4007', severity: 'error', title: 'layer list ends wrongly' },
    decayAfterEnd: { code: 'SP4008', severity: 'warning', title: 'schedule does nothing' },
    syncBatchOneDevice: {
        code: 'SP4009',
        severity: 'information',
        title: 'sync-batch on one device',
    },
    cropExceedsLoad: {
        code: 'SP4010',
        severity: 'error',
        title: 'crop larger than the resized image',
    },
    widthMismatch: { code: 'SP4011', severity: 'error', title: 'generator and image width differ' },
    styleCropTooSmall: {
        code: 'SP4012',
        severity: 'error',
        title: 'style encoder with crop below 256',
    },
    noEffect: { code: 'SP5001', severity: 'warning', title: 'option has no effect' },
    // SP6xxx: the dataset's files on disk (features/dataset-checks-*), not the config text.
    dataFolderMissing: { code: 'SP6001', severity: 'error', title: 'dataset folder missing' },
    dataUnpaired: { code: 'SP6002', severity: 'error', title: 'label without image or instance' },
    dataExtra: { code: 'SP6003', severity: 'warning', title: 'files no label uses' },
    dataEmpty: { code: 'SP6004', severity: 'error', title: 'no complete sample on disk' },
    dataOutOfRange: { code: 'SP6005', severity: 'error', title: 'label value >= classes' },
    data255: { code: 'SP6006', severity: 'error', title: 'label maps hold 255, dontcare off' },
    dataRgbMask: { code: 'SP6007', severity: 'error', title: 'RGB colour masks, no palette' },
    dataPaletteIndices: {
        code: 'SP6008',
        severity: 'information',
        title: 'palette PNG labels: indices are ids',
    },
    data16Bit: { code: 'SP6009', severity: 'information', title: '16-bit label maps' },
    dataLossy: { code: 'SP6010', severity: 'warning', title: 'JPEG (lossy) label maps' },
    dataTooSmall: { code: 'SP6011', severity: 'warning', title: 'images smaller than load/crop' },
    dataExifRotated: {
        code: 'SP6012',
        severity: 'error',
        title: 'EXIF rotation changes the image size',
    },
    dataSizeMismatch: { code: 'SP6013', severity: 'error', title: 'label and image sizes differ' },
    dataUnreadable: { code: 'SP6014', severity: 'error', title: 'file cannot be read' },
    dataPartial: { code: 'SP6015', severity: 'information', title: 'dataset check sampled' },
    dataUnknownColour: { code: 'SP6016', severity: 'error', title: 'mask colours not in palette' },
    dataClassFile: { code: 'SP6017', severity: 'error', title: 'class file cannot be read' },
} as const satisfies Record<string, CatalogEntry>;

/** The catalog, keyed by a readable name. */
export const CATALOG: { readonly [K in keyof typeof entries]: CatalogEntry } = entries;
/** A catalog key, e.g. `unknownProperty`. */
export type DiagnosticKind = keyof typeof entries;
/** A stable diagnostic code, e.g. `SP2002`. */
export type Code = (typeof entries)[DiagnosticKind]['code'];

/** Builds a diagnostic from the catalog. */
export function diag(
    kind: DiagnosticKind,
    span: Span,
    message: string,
    extra: Partial<Pick<ConfigDiagnostic, 'related' | 'data' | 'unnecessary' | 'severity'>> = {},
): ConfigDiagnostic {
    const e = entries[kind];
    return { code: e.code, severity: e.severity, message, span, ...extra };
}
