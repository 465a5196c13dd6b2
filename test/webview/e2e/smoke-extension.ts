/**
 * A test-only extension around the real preview editor (`registerPreview`), with an
 * in-process stand-in for the language server's `spade/preview/*` requests (sharp reads and
 * writes 8-bit masks, synthesis colours and blurs the mask). Bundled by editor-e2e.test.ts.
 */
import * as fs from 'node:fs';
import sharp from 'sharp';
import * as vscode from 'vscode';
import { registerPreview } from '../../../client/src/preview/index';
import type {
    ModelInfoResult,
    ReadMaskParams,
    ReadMaskResult,
    SynthesizeParams,
    SynthesizeResult,
    WriteMaskParams,
    WriteMaskResult,
} from '../../../server/src/protocol/preview';

const trace = (line: string): void => {
    if (process.env.SMOKE_LOG) fs.appendFileSync(process.env.SMOKE_LOG, `${line}\n`);
};
const names = process.env.SMOKE_CLASSES
    ? (JSON.parse(fs.readFileSync(process.env.SMOKE_CLASSES, 'utf8')) as { names: string[] }).names
    : [];

async function readMask(p: ReadMaskParams): Promise<ReadMaskResult> {
    const file = vscode.Uri.parse(p.uri).fsPath;
    const { data, info } = await sharp(file)
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
    return {
        ids: {
            dtype: 'uint8',
            width: info.width,
            height: info.height,
            data: data.toString('base64'),
        },
        format: { kind: 'gray', bitDepth: 8 },
        classes: { names, dontcare: { value: 255, name: 'unlabeled' } },
    };
}

async function writeMask(p: WriteMaskParams): Promise<WriteMaskResult> {
    const file = vscode.Uri.parse(p.uri).fsPath;
    const raw = { width: p.ids.width, height: p.ids.height, channels: 1 as const };
    await sharp(Buffer.from(p.ids.data, 'base64'), { raw }).png().toFile(`${file}.tmp.png`);
    fs.renameSync(`${file}.tmp.png`, file);
    return { bytesWritten: fs.statSync(file).size };
}

async function synthesize(p: SynthesizeParams): Promise<SynthesizeResult> {
    const ids = Buffer.from(p.ids.data, 'base64');
    const rgb = Buffer.alloc(ids.length * 3);
    for (let i = 0; i < ids.length; i++)
        rgb.set([(ids[i] * 67) % 256, (ids[i] * 151) % 256, (ids[i] * 29) % 256], i * 3);
    const raw = { width: p.ids.width, height: p.ids.height, channels: 3 as const };
    const png = await sharp(rgb, { raw })
        .resize(256, 256, { fit: 'fill' })
        .blur(2)
        .png()
        .toBuffer();
    return { images: [{ width: 256, height: 256, png: png.toString('base64') }], elapsedMs: 1 };
}

const MODEL: ModelInfoResult = {
    model: {
        name: 'smoke',
        kind: 'default',
        labelClasses: 182,
        dontcareValue: 255,
        inputChannels: 184,
        hasStyleEncoder: true,
        outputWidth: 256,
        outputHeight: 256,
    },
};

function handle(method: string, params: unknown): Promise<unknown> {
    trace(`request ${method}`);
    switch (method) {
        case 'spade/preview/readMask':
            return readMask(params as ReadMaskParams);
        case 'spade/preview/writeMask':
            return writeMask(params as WriteMaskParams);
        case 'spade/preview/modelInfo':
            return Promise.resolve(MODEL);
        case 'spade/preview/synthesize':
            return synthesize(params as SynthesizeParams);
    }
    return Promise.reject(Object.assign(new Error(`Unhandled method ${method}`), { code: -32601 }));
}

export function activate(context: vscode.ExtensionContext): void {
    const log = vscode.window.createOutputChannel('SPADE smoke', { log: true });
    context.subscriptions.push(log);
    registerPreview(context, {
        sendRequest: async <R>(method: string, params: unknown) =>
            (await handle(method, params)) as R,
        log: {
            info: (s: string) => trace(`info ${s}`),
            warn: (s: string) => trace(`warn ${s}`),
            error: (s: string) => trace(`error ${s}`),
        },
    });
}
