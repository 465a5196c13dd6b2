/**
 * `spade doctor`: which tfjs backend loads and why each other does not, plus the versions of
 * the native pieces inference and image I/O rest on (onnxruntime-node and its execution
 * providers, sharp and libvips).
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { doctor, formatReport, reportUsable } from '../engine/backend';
import type * as OrtModule from 'onnxruntime-node';
import type SharpModule from 'sharp';
import type { Device } from '../engine/options';
import type { CliIO, Command } from './command';

const USAGE = `usage: spade doctor [--device auto|gpu|cpu]

Tries every tfjs backend (tfjs-node-gpu, tfjs-node, wasm, cpu) and says which one a run with
this device would use and why each other did not load (the missing package, or the shared
library the loader could not open). Then lists onnxruntime-node's version and execution
providers, and sharp's and libvips' versions.

  --device D   auto (default): the first that loads; gpu: tfjs-node-gpu only; cpu: never the GPU

Exit code 0: a backend for the device works; 1: none does; 2: bad usage.`;

const dynRequire = createRequire(__filename);

/** onnxruntime-node's version and execution providers, or why it did not load. */
export function onnxruntimeLines(): string[] {
    try {
        const ort = dynRequire('onnxruntime-node') as typeof OrtModule;
        const eps = ort
            .listSupportedBackends()
            .map((b) => (b.bundled ? b.name : `${b.name} (not bundled: needs its own libraries)`));
        return [
            `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common ?? '?'}: ` +
                `execution providers ${eps.join(', ')}`,
        ];
    } catch (e) {
        return [
            `onnxruntime-node did not load (${(e as Error).message.split('\n')[0]}); ` +
                'reinstall it with `npm install onnxruntime-node`',
        ];
    }
}

/** sharp's and libvips' versions, or why sharp did not load. */
export function sharpLines(): string[] {
    try {
        const sharp = dynRequire('sharp') as typeof SharpModule;
        const v = sharp.versions as Record<string, string | undefined>;
        return [`sharp ${v.sharp ?? '?'}, libvips ${v.vips}`];
    } catch (e) {
        return [
            `sharp did not load (${(e as Error).message.split('\n')[0]}); ` +
                'reinstall it with `npm install sharp`',
        ];
    }
}

async function runDoctor(args: string[], io: CliIO): Promise<number> {
    let device: Device;
    try {
        const { values } = parseArgs({
            args,
            strict: true,
            allowPositionals: false,
            options: { device: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        });
        if (values.help) {
            io.out(USAGE);
            return 0;
        }
        const d = values.device ?? 'auto';
        if (d !== 'auto' && d !== 'gpu' && d !== 'cpu') {
            throw new Error(`--device is '${d}'; use auto, gpu or cpu.`);
        }
        device = d;
    } catch (e) {
        io.err(`spade doctor: ${(e as Error).message}`);
        io.err(USAGE);
        return 2;
    }
    const report = await doctor(device);
    for (const line of formatReport(report).split('\n')) io.out(line);
    for (const line of [...onnxruntimeLines(), ...sharpLines()]) io.out(line);
    const usable = reportUsable(report);
    if (!usable) {
        io.err(
            `spade doctor: no tfjs backend works for device '${device}'` +
                (device === 'gpu'
                    ? '; install the GPU requirements above or use --device auto'
                    : ''),
        );
    }
    return usable ? 0 : 1;
}

/** The command as the CLI's command table lists it. */
export const doctorCommand: Command = {
    name: 'doctor',
    summary: 'report which compute backends load (and why others do not), and native versions',
    usage: USAGE,
    run: runDoctor,
};
