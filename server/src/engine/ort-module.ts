/**
 * onnxruntime-node, loaded on first use. Its package loads a native library when required; a
 * static import would make every importer (the CLI, `doctor` included) fail when that library
 * cannot be opened, where only the uses of onnxruntime should, each with the reason.
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node package's exports. */
export type OrtModule = typeof Ort;

const load = createRequire(__filename);

/** The package (Node caches it after the first call). */
export function ortModule(): OrtModule {
    return load('onnxruntime-node') as OrtModule;
}
