/**
 * Types shared by the ONNX exporter and the inference session.
 */

export type { StateDict, StateTensor } from '../state';

/** What an exported generator expects and produces; stored in the model's metadata. */
export interface OnnxModelInfo {
    /** Format tag, so a foreign ONNX file is recognised as such. */
    format: 'spade-generator/1';
    /** 'onehot': mlp_shared convs as table lookups (input must be one-hot); 'plain': convs. */
    mode: 'onehot' | 'plain';
    /** One-hot label channels (label_nc plus the dontcare channel when there is one). */
    labelChannels: number;
    labelNc: number;
    containDontcare: boolean;
    /** Whether channel `labelChannels` of `semantics` is the instance edge map. */
    useInstance: boolean;
    /** semantic_nc: channels of the `semantics` input. */
    semanticChannels: number;
    /** Channels of the `image` output (3 for RGB). */
    outputChannels: number;
    /** Input and output height and width. */
    height: number;
    width: number;
    /** z size when the model has a style encoder input, else 0. */
    zDim: number;
    ngf: number;
    /** 'layers' for a user-defined body (its upsampling count is in the size). */
    arch: 'spade' | 'layers';
    upsampling: 'normal' | 'more' | 'most';
}
