/**
 * Inlay hints after network blocks: the output shape (C × H × W) and parameter count of each
 * generator and discriminator and of each entry of their `layers` lists, and after each train
 * block the estimated training memory at its batch size. Sizes come from the dataset that the
 * first train block using a network names (registry defaults when none does).
 */
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import { childBlocks, type BlockNode } from '../language/ast';
import { findChild, type ConfigModel } from '../language/model';
import { discriminatorSizes, generatorSizes, trainMemory } from '../language/network-dims';
import { formatBytes, formatCount, type Stage } from '../language/network-size';
import type { LineIndex } from '../language/text';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Computes inlay hints for a range of a document. */
export interface InlayHintsProvider {
    provide(doc: DocumentSnapshot, params: InlayHintParams): InlayHint[];
}

const shape = (s: { channels: number; height: number; width: number }): string =>
    `${s.channels}×${s.height}×${s.width}`;

/** Shapes, parameter counts and training memory from language/network-size.ts. */
export class DefaultInlayHintsProvider implements InlayHintsProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot, params: InlayHintParams): InlayHint[] {
        const { file, model } = this.cache.get(doc);
        const lines = file.lines;
        const from = lines.offsetAt(params.range.start);
        const to = lines.offsetAt(params.range.end);
        const out: InlayHint[] = [];
        for (const block of file.blocks) {
            if (block.end < from || block.start > to || !block.close || !block.name) continue;
            // Only the first block of a kind and name is bound; sizing a duplicate would mislead.
            if (model.symbols.get(block.keyword.text as 'train')?.get(block.name.text) !== block)
                continue;
            const hints = blockHints(model, block);
            for (const h of hints) if (h.at >= from && h.at <= to) out.push(hint(lines, h));
        }
        return out;
    }
}

interface Pending {
    at: number;
    label: string;
    tooltip: string;
}

function hint(lines: LineIndex, h: Pending): InlayHint {
    return {
        position: lines.positionAt(h.at),
        label: h.label,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: h.tooltip,
    };
}

/** The hints of one top-level block. */
export function blockHints(model: ConfigModel, block: BlockNode): Pending[] {
    const out: Pending[] = [];
    const kind = block.keyword.text;
    if (kind === 'generator') {
        const { generator, encoder, data } = generatorSizes(model, block);
        layerHints(
            findChild(block, 'layers'),
            ['resblock', 'conv'],
            generator.stages.slice(1, -1),
            out,
        );
        const last = generator.stages[generator.stages.length - 1];
        const enc = encoder ? ` + encoder ${formatCount(encoder.params)}` : '';
        out.push({
            at: block.end,
            label: `→ ${shape(last)} · ${formatCount(generator.params)} params${enc}`,
            tooltip: `Generator output ${shape(last)} for ${data.semanticNc} input channels at crop ${data.crop}; ${generator.params.toLocaleString('en')} learnable parameters${encoder ? `, plus ${encoder.params.toLocaleString('en')} in the style encoder` : ''}.`,
        });
    } else if (kind === 'discriminator') {
        const { discriminator, scales } = discriminatorSizes(model, block);
        layerHints(findChild(block, 'layers'), ['conv'], discriminator.stages.slice(0, -1), out);
        const last = discriminator.stages[discriminator.stages.length - 1];
        out.push({
            at: block.end,
            label: `→ ${shape(last)} · ${formatCount(discriminator.params)} params`,
            tooltip: `Patch logits ${shape(last)} at full size; ${scales} scale${scales > 1 ? 's' : ''}, ${discriminator.params.toLocaleString('en')} learnable parameters in all.`,
        });
    } else if (kind === 'train') {
        const bytes = trainMemory(model, block);
        if (bytes !== undefined)
            out.push({
                at: block.end,
                label: `≈ ${formatBytes(bytes)} to train`,
                tooltip:
                    'Estimated training memory at this batch size: weights, gradients and Adam moments of every network, the frozen VGG19, and the activations kept for the backward pass. An estimate; the real figure depends on the backend.',
            });
    }
    return out;
}

/** One hint after each layer entry, paired with the network's stages in order. */
function layerHints(
    layers: BlockNode | undefined,
    kinds: string[],
    stages: Stage[],
    out: Pending[],
): void {
    if (!layers) return;
    // The resolver builds one stage per known entry, in order; unknown kinds are skipped.
    const entries = childBlocks(layers).filter((b) => kinds.includes(b.keyword.text));
    entries.forEach((b, i) => {
        const s = stages[i];
        if (!s || !b.close) return;
        out.push({
            at: b.end,
            label: `→ ${shape(s)} · ${formatCount(s.params)}`,
            tooltip: `Output ${shape(s)}; ${s.params.toLocaleString('en')} parameters.`,
        });
    });
}
