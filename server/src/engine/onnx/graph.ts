/**
 * A small ONNX graph builder over the `onnx-proto` message classes: unique value names,
 * float and int64 initializers, nodes with typed attributes, and serialisation. It knows
 * nothing about SPADE; export.ts builds the generator with it.
 */
import { onnx } from 'onnx-proto';

/** ONNX opset the exporter targets; onnxruntime 1.31 runs every op used here at this opset. */
export const OPSET = 13;

/** An attribute value: numbers are INT unless listed in `floatAttrs` of `node()`. */
export type AttrValue = number | number[] | string;

/** One graph input or output: name, element type and dims (a string dim is symbolic). */
export interface ValueSpec {
    name: string;
    type: 'float32' | 'int64' | 'int32';
    dims: (number | string)[];
}

const ELEM: Record<ValueSpec['type'], number> = {
    float32: onnx.TensorProto.DataType.FLOAT,
    int64: onnx.TensorProto.DataType.INT64,
    int32: onnx.TensorProto.DataType.INT32,
};

function valueInfo(spec: ValueSpec): onnx.IValueInfoProto {
    return {
        name: spec.name,
        type: {
            tensorType: {
                elemType: ELEM[spec.type],
                shape: {
                    dim: spec.dims.map((d) =>
                        typeof d === 'string' ? { dimParam: d } : { dimValue: d },
                    ),
                },
            },
        },
    };
}

function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Builds one graph; value names are unique per builder. */
export class GraphBuilder {
    private readonly nodes: onnx.INodeProto[] = [];
    private readonly inits: onnx.ITensorProto[] = [];
    private readonly names = new Set<string>();
    private readonly constCache = new Map<string, string>();

    /** A fresh value name based on `base`. */
    fresh(base: string): string {
        let name = base;
        for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
        this.names.add(name);
        return name;
    }

    /** Adds a float32 initializer and returns its name. */
    floatInit(base: string, dims: number[], data: Float32Array): string {
        const size = dims.reduce((a, b) => a * b, 1);
        if (size !== data.length) {
            throw new Error(`initializer ${base}: ${data.length} values for shape [${dims}]`);
        }
        const name = this.fresh(base);
        this.inits.push({
            name,
            dims,
            dataType: onnx.TensorProto.DataType.FLOAT,
            rawData: bytesOf(data),
        });
        return name;
    }

    /** Adds an int64 initializer (shared when the same values were added before). */
    intInit(base: string, dims: number[], values: number[]): string {
        const key = `${dims.join('x')}:${values.join(',')}`;
        const cached = this.constCache.get(key);
        if (cached !== undefined) return cached;
        const name = this.fresh(base);
        this.inits.push({
            name,
            dims,
            dataType: onnx.TensorProto.DataType.INT64,
            rawData: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))),
        });
        this.constCache.set(key, name);
        return name;
    }

    /** Adds a node with one output and returns the output's name. */
    op(
        opType: string,
        inputs: string[],
        attrs: Record<string, AttrValue> = {},
        floatAttrs: string[] = [],
        outBase = opType.toLowerCase(),
    ): string {
        return this.opN(opType, inputs, 1, attrs, floatAttrs, outBase)[0];
    }

    /** Adds a node with `outputs` outputs. */
    opN(
        opType: string,
        inputs: string[],
        outputs: number,
        attrs: Record<string, AttrValue> = {},
        floatAttrs: string[] = [],
        outBase = opType.toLowerCase(),
    ): string[] {
        const out = Array.from({ length: outputs }, () => this.fresh(outBase));
        const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
            const T = onnx.AttributeProto.AttributeType;
            if (typeof v === 'string') {
                return { name, type: T.STRING, s: new TextEncoder().encode(v) };
            }
            if (Array.isArray(v)) {
                return floatAttrs.includes(name)
                    ? { name, type: T.FLOATS, floats: v }
                    : { name, type: T.INTS, ints: v };
            }
            return floatAttrs.includes(name)
                ? { name, type: T.FLOAT, f: v }
                : { name, type: T.INT, i: v };
        });
        this.nodes.push({ opType, input: inputs, output: out, attribute, name: out[0] });
        return out;
    }

    /** Renames the producer's output so the graph output gets a stable public name. */
    rename(from: string, to: string): void {
        for (const n of this.nodes) {
            n.output = (n.output ?? []).map((o) => (o === from ? to : o));
            n.input = (n.input ?? []).map((i) => (i === from ? to : i));
        }
        this.names.add(to);
    }

    /** Serialises the model. `meta` becomes metadata_props (strings). */
    encode(
        inputs: ValueSpec[],
        outputs: ValueSpec[],
        meta: Record<string, string>,
        docString: string,
        graphName = 'spade_generator',
        opset = OPSET,
    ): Uint8Array {
        const model: onnx.IModelProto = {
            irVersion: 7,
            opsetImport: [{ domain: '', version: opset }],
            producerName: 'spade-studio',
            producerVersion: '0.1.0',
            docString,
            metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
            graph: {
                name: graphName,
                node: this.nodes,
                initializer: this.inits,
                input: inputs.map(valueInfo),
                output: outputs.map(valueInfo),
            },
        };
        return onnx.ModelProto.encode(model).finish();
    }
}
