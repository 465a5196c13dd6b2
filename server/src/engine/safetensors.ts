/**
 * A hand-written safetensors reader and writer: an 8-byte little-endian header length, a JSON
 * header (`{name: {dtype, shape, data_offsets}}` plus an optional `__metadata__` of strings),
 * then little-endian C-order data. Only the dtypes the project uses: F32, I64 and U8.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StateDict } from './state';
import { numel } from './state';

export type SafeDtype = 'F32' | 'I64' | 'U8';

/** One tensor as stored, with data typed by dtype. */
export type SafeTensor =
    | { dtype: 'F32'; shape: number[]; data: Float32Array }
    | { dtype: 'I64'; shape: number[]; data: BigInt64Array }
    | { dtype: 'U8'; shape: number[]; data: Uint8Array };

/** A whole file: tensors in header order and the string metadata. */
export interface SafeFile {
    tensors: Map<string, SafeTensor>;
    metadata: Record<string, string>;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, I64: 8, U8: 1 };

/** Parses a safetensors buffer; `where` names the source in error messages. */
export function parseSafetensors(buf: Uint8Array, where = 'safetensors data'): SafeFile {
    const fail = (what: string): never => {
        throw new Error(`${where}: ${what}; is it a safetensors file?`);
    };
    if (buf.byteLength < 8) fail('shorter than the 8-byte header length');
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const hlen = Number(view.getBigUint64(0, true));
    if (hlen > buf.byteLength - 8) fail(`header length ${hlen} exceeds the file size`);
    let header: Record<string, unknown>;
    try {
        header = JSON.parse(Buffer.from(buf.subarray(8, 8 + hlen)).toString('utf8')) as Record<
            string,
            unknown
        >;
    } catch (e) {
        return fail(`header is not JSON (${(e as Error).message})`);
    }
    const base = 8 + hlen;
    const tensors = new Map<string, SafeTensor>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header)) {
        if (name === '__metadata__') {
            metadata = (raw ?? {}) as Record<string, string>;
            continue;
        }
        const info = raw as { dtype?: string; shape?: number[]; data_offsets?: number[] };
        const dtype = info.dtype as SafeDtype;
        if (!(dtype in BYTES)) fail(`tensor '${name}' has dtype ${info.dtype} (F32, I64, U8 only)`);
        const shape = info.shape ?? [];
        const [b, e] = info.data_offsets ?? [];
        if (b === undefined || e === undefined || base + e > buf.byteLength) {
            fail(`tensor '${name}' has data offsets outside the file`);
        }
        const n = numel(shape);
        if (e - b !== n * BYTES[dtype]) fail(`tensor '${name}' byte size does not match its shape`);
        // Copy so the typed array is aligned whatever the header length was.
        const bytes = new Uint8Array(e - b);
        bytes.set(buf.subarray(base + b, base + e));
        if (dtype === 'F32')
            tensors.set(name, { dtype, shape, data: new Float32Array(bytes.buffer) });
        else if (dtype === 'I64') {
            tensors.set(name, { dtype, shape, data: new BigInt64Array(bytes.buffer) });
        } else tensors.set(name, { dtype, shape, data: new Uint8Array(bytes.buffer) });
    }
    return { tensors, metadata };
}

/** Reads and parses a safetensors file. */
export function readSafetensors(file: string): SafeFile {
    return parseSafetensors(fs.readFileSync(file), file);
}

/** Serialises tensors (in map order) and metadata into a safetensors buffer. */
export function serializeSafetensors(
    tensors: Map<string, SafeTensor>,
    metadata: Record<string, string> = {},
): Buffer {
    const header: Record<string, unknown> = {};
    if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
    let off = 0;
    for (const [name, t] of tensors) {
        if (t.data.length !== numel(t.shape)) {
            throw new Error(`tensor '${name}': ${t.data.length} values for shape [${t.shape}]`);
        }
        const size = t.data.length * BYTES[t.dtype];
        header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + size] };
        off += size;
    }
    let json = JSON.stringify(header);
    // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
    json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
    const hbytes = Buffer.from(json, 'utf8');
    const out = Buffer.alloc(8 + hbytes.length + off);
    out.writeBigUInt64LE(BigInt(hbytes.length), 0);
    hbytes.copy(out, 8);
    let pos = 8 + hbytes.length;
    for (const t of tensors.values()) {
        const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        out.set(src, pos);
        pos += src.byteLength;
    }
    return out;
}

/** Writes a safetensors file atomically (temp file in the same folder, then rename). */
export function writeSafetensors(
    file: string,
    tensors: Map<string, SafeTensor>,
    metadata: Record<string, string> = {},
): void {
    const buf = serializeSafetensors(tensors, metadata);
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, file);
}

/** Any stored tensor as float32 values (I64 and U8 are converted). */
export function toFloat32(t: SafeTensor): Float32Array {
    if (t.dtype === 'F32') return t.data;
    const out = new Float32Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
    return out;
}

/** The tensors whose names start with `prefix` (default `state/`) as a StateDict. */
export function stateFromSafe(file: SafeFile, prefix = ''): StateDict {
    const out: StateDict = new Map();
    for (const [k, t] of file.tensors) {
        if (k.startsWith(prefix))
            out.set(k.slice(prefix.length), { shape: t.shape, data: toFloat32(t) });
    }
    return out;
}

/** A StateDict as F32 safetensors entries, names prefixed with `prefix`. */
export function safeFromState(state: StateDict, prefix = ''): Map<string, SafeTensor> {
    const out = new Map<string, SafeTensor>();
    for (const [k, t] of state) out.set(prefix + k, { dtype: 'F32', shape: t.shape, data: t.data });
    return out;
}
