/**
 * The mask preview's protocol, declared once for every side:
 *
 * - webview <-> extension host: the `postMessage` messages of the label-map editor
 *   (`HostToWebview`, `WebviewToHost`). Label ids travel as typed arrays, which VS Code
 *   transfers without a JSON round trip.
 * - extension host <-> language server: the `spade/preview/*` LSP requests. Label ids
 *   travel as base64 of their little-endian bytes (`EncodedIds`), images as base64 PNG.
 *
 * No Node, DOM or vscode imports: the webview bundle, the client and the server all import it.
 */

// ---------------------------------------------------------------------------------------------
// Shared value types

/** Element type of a label-id array: one class id per pixel, row-major. */
export type IdsDtype = 'uint8' | 'uint16';

/** The label ids of a mask in memory; `Uint8Array` for `uint8`, `Uint16Array` for `uint16`. */
export type LabelIds = Uint8Array | Uint16Array;

/** An RGB colour, each channel 0..255. */
export type Rgb = [number, number, number];

/**
 * How a mask PNG stores its ids, so that saving writes it back the same way:
 * 8-bit ids stay 8-bit, 16-bit stay 16-bit, a palette PNG keeps its palette.
 */
export type MaskFormat =
    | {
          kind: 'gray';
          /** PNG bit depth of the greyscale channel. */
          bitDepth: 8 | 16;
      }
    | {
          kind: 'palette';
          /** PNG bit depth of the index channel. */
          bitDepth: 1 | 2 | 4 | 8;
          /** The PLTE entries in order; the id of a pixel is its index into this list. */
          palette: Rgb[];
          /** tRNS alpha per palette entry, when the file has one. */
          alpha?: number[];
      };

/**
 * Label ids for the LSP: base64 of the little-endian bytes of a `width * height` array
 * (1 byte per pixel for `uint8`, 2 for `uint16`), row-major from the top-left pixel.
 */
export interface EncodedIds {
    dtype: IdsDtype;
    width: number;
    height: number;
    /** base64 of the little-endian buffer; decode with `idsFromLeBytes`. */
    data: string;
}

/** Names and display colours of the classes; index = class id. */
export interface ClassTable {
    names: string[];
    /** Display colour per class id; ids beyond it get the default colour map. */
    colors?: Rgb[];
    /**
     * The pixel value that means "unlabeled" (255 for COCO-Stuff), with its display name.
     * SPADE maps it to channel `labelClasses` when the model has a dontcare channel.
     */
    dontcare?: { value: number; name: string };
}

/**
 * Which model synthesizes a preview: the embedded default, an exported ONNX file, or a
 * run's latest checkpoint (a run folder or a checkpoint file). Paths are file URIs.
 */
export type ModelRef =
    { kind: 'default' } | { kind: 'onnx'; uri: string } | { kind: 'checkpoint'; uri: string };

/** What the preview needs to know about a model; the server fills it from its metadata. */
export interface ModelInfo {
    /** Short display name, e.g. "coco_256 (epoch 40)" or "model.onnx". */
    name: string;
    kind: ModelRef['kind'];
    /** label_nc: number of label classes, not counting a dontcare channel. */
    labelClasses: number;
    /** Pixel value sent to the extra dontcare channel (255 for COCO-Stuff), when the model has one. */
    dontcareValue?: number;
    /** Total one-hot input channels (classes + dontcare + instance edge). */
    inputChannels: number;
    /** Whether the model has a VAE style encoder: then seeds, samples and style images matter. */
    hasStyleEncoder: boolean;
    /** Output size of one synthesized image. */
    outputWidth: number;
    outputHeight: number;
}

/** One synthesized image as PNG bytes (webview side) or base64 (LSP side). */
export interface SynthImage {
    width: number;
    height: number;
    /** PNG file bytes. */
    png: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Webview <-> extension host messages

/** Mask as handed to the webview: ids in memory plus how the file stores them. */
export interface WebviewMask {
    ids: LabelIds;
    width: number;
    height: number;
    format: MaskFormat;
}

/**
 * Host -> webview: everything needed to show a mask. Sent after `ready`, and again when the
 * file changed on disk or was reverted (`reason: 'reload'`). The undo history is the host's
 * (see `ChangeMessage`), so it survives the page being reloaded.
 */
export interface InitMessage {
    type: 'init';
    reason: 'open' | 'reload';
    /** File name shown in the toolbar and in messages (not a path: the webview needs no more). */
    fileName: string;
    mask: WebviewMask;
    classes: ClassTable;
    /**
     * The chosen model, or null while it loads or when none could be loaded (`modelMessage`
     * says which); a `model` message follows when it is ready.
     */
    model: ModelInfo | null;
    modelMessage?: string;
    /** The ids differ from the file (unsaved edits kept across hide/show). */
    dirty: boolean;
    /** VS Code's Undo (Redo) has an edit of this document to undo (redo). */
    canUndo: boolean;
    canRedo: boolean;
    /** Masks with more pixels than this are downscaled for display (ids stay full size). */
    maxDisplayPixels: number;
    /** Milliseconds to wait after the last stroke before asking for a new image. */
    synthDebounceMs: number;
    /** A blocking problem (e.g. the file is outside the allowed folders): shown instead of the editor. */
    fatal?: string;
}

/** Host -> webview: the model changed or finished loading; the mask and its history stay. */
export interface ModelMessage {
    type: 'model';
    model: ModelInfo | null;
    /** Why there is no model (null model), for the synthesis pane. */
    modelMessage?: string;
    /** Class names and colours, which may come with the model. */
    classes: ClassTable;
}

/** Host -> webview: the images of a synthesis request. */
export interface ImageMessage {
    type: 'image';
    requestId: number;
    images: SynthImage[];
    /** Time the host spent on the request (server round trip included). */
    elapsedMs: number;
}

/** Host -> webview: a synthesis request failed or was refused (message is for the user). */
export interface SynthesisFailedMessage {
    type: 'synthesisFailed';
    requestId: number;
    message: string;
}

/** Host -> webview: outcome of a save. */
export interface SavedMessage {
    type: 'saved';
    ok: boolean;
    /** For `ok: false`, what went wrong and what to do. */
    message?: string;
}

/** Host -> webview: a notice for the banner (file changed on disk while dirty, style picked...). */
export interface NoticeMessage {
    type: 'notice';
    level: 'info' | 'warning' | 'error';
    message: string;
}

/** Host -> webview: the style image now used for synthesis (null: none, random style). */
export interface StyleMessage {
    type: 'style';
    name: string | null;
}

/**
 * Host -> webview: the document's ids changed without this page painting: VS Code undid or
 * redid an edit (Edit > Undo, Ctrl+Z, the page's buttons), or another panel on the same file
 * painted. The page sets the pixels and keeps its view; the host owns the history.
 */
export interface ChangeMessage {
    type: 'change';
    /** What happened, for the page's log: "Undo Brush", "Redo Fill", "Brush"... */
    label: string;
    /** Changed pixels as runs of row-major indices: start, length, start, length..., ascending. */
    runs: Uint32Array;
    /** The new id of every pixel of the runs, in run order (the mask's dtype). */
    ids: LabelIds;
    /** The document's state after the change. */
    dirty: boolean;
    canUndo: boolean;
    canRedo: boolean;
}

/** Every message the host posts to the preview webview. */
export type HostToWebview =
    | InitMessage
    | ModelMessage
    | ChangeMessage
    | ImageMessage
    | SynthesisFailedMessage
    | SavedMessage
    | NoticeMessage
    | StyleMessage;

/** Webview -> host: the script runs and listens; the host answers with `init`. */
export interface ReadyMessage {
    type: 'ready';
}

/** Webview -> host: synthesize from these ids. A newer request supersedes older ones. */
export interface SynthesizeMessage {
    type: 'synthesize';
    /** Increasing per webview; the webview ignores answers to any but its latest. */
    requestId: number;
    ids: LabelIds;
    width: number;
    height: number;
    seed: number;
    /** Number of images (more than 1 only for models with a style encoder). */
    samples: number;
}

/** Webview -> host: drop a request that a newer one made stale. */
export interface CancelMessage {
    type: 'cancel';
    requestId: number;
}

/**
 * Webview -> host: the user painted (a stroke or a fill). The host takes the painted pixels
 * into the document as one edit on VS Code's undo stack.
 */
export interface EditMessage {
    type: 'edit';
    /** What changed, for the host's log and VS Code's undo label ("Brush", "Fill"). */
    label: string;
    /** The page's ids after the edit. */
    ids: LabelIds;
    /**
     * The pixels the edit painted, as runs (start, length, ...; ascending): the host takes only
     * these from `ids`, so a stroke sent before the page saw a `change` does not undo it.
     */
    runs: Uint32Array;
}

/**
 * Webview -> host: the page's Undo or Redo button. The page does not undo by itself: the host
 * runs VS Code's `undo`/`redo` command, whose edit answers with a `ChangeMessage`, so the
 * buttons, Edit > Undo and the Ctrl+Z that VS Code takes from the page walk one history.
 */
export interface UndoRedoMessage {
    type: 'undoRedo';
    action: 'undo' | 'redo';
}

/**
 * Webview -> host: the user pressed the Save button. The host saves the document's ids through
 * VS Code (as Ctrl+S does); `ids` are the page's, which the host checks against its own.
 */
export interface SaveMessage {
    type: 'save';
    ids: LabelIds;
    width: number;
    height: number;
}

/** Webview -> host: the user wants to pick a style image (`clear`: go back to a random style). */
export interface PickStyleMessage {
    type: 'pickStyle';
    clear?: boolean;
}

/** Webview -> host: save synthesized image `index` of request `requestId` (host asks where). */
export interface SaveImageMessage {
    type: 'saveImage';
    requestId: number;
    index: number;
}

/** Webview -> host: the user wants another model (host shows its picker). */
export interface ChooseModelMessage {
    type: 'chooseModel';
}

/** Webview -> host: an unexpected error inside the webview, for the host's log. */
export interface WebviewErrorMessage {
    type: 'error';
    message: string;
}

/** Every message the preview webview posts to the host. */
export type WebviewToHost =
    | ReadyMessage
    | SynthesizeMessage
    | CancelMessage
    | EditMessage
    | UndoRedoMessage
    | SaveMessage
    | PickStyleMessage
    | SaveImageMessage
    | ChooseModelMessage
    | WebviewErrorMessage;

/** Persisted with the webview's `setState`: the view survives hide/show and reloads. */
export interface PreviewViewState {
    zoom: number;
    panX: number;
    panY: number;
    seed: number;
    samples: number;
    brushSize: number;
    tool: 'pan' | 'brush' | 'fill';
    selectedClass: number;
}

// ---------------------------------------------------------------------------------------------
// Extension host <-> language server requests

/**
 * An LSP request declared without any LSP library, so this module stays importable from the
 * webview. `P`/`R` are phantom: `ParamsOf`/`ResultOf` recover them on either side.
 */
export interface RequestDecl<P, R> {
    method: string;
    /** Never set; carries the types. */
    readonly _types?: { params: P; result: R };
}
export type ParamsOf<D> = D extends RequestDecl<infer P, unknown> ? P : never;
export type ResultOf<D> = D extends RequestDecl<unknown, infer R> ? R : never;

function request<P, R>(method: string): RequestDecl<P, R> {
    return { method };
}

/** Params of `spade/preview/readMask`. */
export interface ReadMaskParams {
    /** file URI of the mask PNG. */
    uri: string;
}
/** Result of `spade/preview/readMask`: the ids, how the file stores them, and class names if known. */
export interface ReadMaskResult {
    ids: EncodedIds;
    format: MaskFormat;
    /** Names found for this mask (a dataset's class file), when any. */
    classes?: ClassTable;
}
/** Reads a label-map PNG; errors (ResponseError) name the file and the problem. */
export const ReadMaskRequest = request<ReadMaskParams, ReadMaskResult>('spade/preview/readMask');

/** Params of `spade/preview/writeMask`. */
export interface WriteMaskParams {
    /** file URI to write (atomically: temp file + rename). */
    uri: string;
    ids: EncodedIds;
    /** Write in this format (the one `readMask` reported), e.g. keep the palette. */
    format: MaskFormat;
}
/** Result of `spade/preview/writeMask`. */
export interface WriteMaskResult {
    bytesWritten: number;
}
/** Writes a label map in the given format; refuses ids the format cannot hold. */
export const WriteMaskRequest = request<WriteMaskParams, WriteMaskResult>(
    'spade/preview/writeMask',
);

/** Params of `spade/preview/modelInfo`. */
export interface ModelInfoParams {
    /** The mask the model is for (the server may pick a model trained on its dataset). */
    maskUri: string;
    /** The user's choice; absent: the server's default for this mask. */
    model?: ModelRef;
}
/** Result of `spade/preview/modelInfo`. */
export interface ModelInfoResult {
    model: ModelInfo;
    /** Class names the model was trained with, when known. */
    classes?: ClassTable;
}
/** Describes (and loads) the model a mask will be synthesized with. */
export const ModelInfoRequest = request<ModelInfoParams, ModelInfoResult>(
    'spade/preview/modelInfo',
);

/** Params of `spade/preview/synthesize`. Cancellable with `$/cancelRequest`. */
export interface SynthesizeParams {
    maskUri: string;
    /** The ids to synthesize from: the edited ones, not necessarily the file's. */
    ids: EncodedIds;
    model?: ModelRef;
    seed: number;
    samples: number;
    /** A style image (file URI) for models with a style encoder. */
    styleUri?: string;
}
/** Result of `spade/preview/synthesize`. */
export interface SynthesizeResult {
    images: { width: number; height: number; /** base64 PNG */ png: string }[];
    /** Time spent in the server, for the log and benchmarks. */
    elapsedMs: number;
}
/** Synthesizes images; a class-count mismatch is a ResponseError with a message for the user. */
export const SynthesizeRequest = request<SynthesizeParams, SynthesizeResult>(
    'spade/preview/synthesize',
);

// ---------------------------------------------------------------------------------------------
// Helpers every side needs

/** Whether this platform stores multi-byte numbers little-endian (all VS Code targets do). */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of ids (a view when possible, a swapped copy on big-endian hosts). */
export function leBytesOf(ids: LabelIds): Uint8Array {
    const bytes = new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
    if (ids instanceof Uint8Array || littleEndian) return bytes;
    const out = new Uint8Array(ids.byteLength);
    const view = new DataView(out.buffer);
    for (let i = 0; i < ids.length; i++) view.setUint16(i * 2, ids[i], true);
    return out;
}

/** Ids from little-endian bytes; throws when the byte count does not fit the size. */
export function idsFromLeBytes(
    bytes: Uint8Array,
    dtype: IdsDtype,
    width: number,
    height: number,
): LabelIds {
    const per = dtype === 'uint8' ? 1 : 2;
    if (bytes.length !== width * height * per) {
        throw new Error(
            `label ids: expected ${width}x${height}x${per} = ${width * height * per} bytes, ` +
                `got ${bytes.length}`,
        );
    }
    if (dtype === 'uint8') return new Uint8Array(bytes);
    const out = new Uint16Array(width * height);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
    return out;
}

/** The dtype of an ids array. */
export function dtypeOf(ids: LabelIds): IdsDtype {
    return ids instanceof Uint16Array ? 'uint16' : 'uint8';
}
