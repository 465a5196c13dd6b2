/**
 * Evaluates the embedded default model against an untrained model of the same architecture on
 * the held-out sample scenes, per class. Usage: npx tsx scripts/eval-default-model.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultModelPath } from '../server/src/cli/model-source';
import { resolveRun } from '../server/src/jobs/config-source';
import { compareWithUntrained } from '../server/src/scenes/model-vs-untrained';

async function main(): Promise<void> {
    const root = path.resolve(__dirname, '..');
    const config = path.join(root, 'samples', 'default-model', 'landscapes-64.spade');
    const resolved = resolveRun(config, fs.readFileSync(config, 'utf8'), 'landscapes_64');
    if (!resolved.ok) throw new Error(resolved.message);
    const scenes = path.join(root, 'samples', 'scenes');
    const r = await compareWithUntrained({
        model: defaultModelPath(),
        options: resolved.run.options,
        masks: path.join(scenes, 'masks'),
        images: path.join(scenes, 'images'),
    });
    const rows = r.trained.classes.map((c, i) => {
        const u = r.untrained.classes[i];
        const f = (x: number) => x.toFixed(1);
        return `| ${c.name} | ${(100 * c.share).toFixed(1)} % | ${f(c.meanDelta)} | ${f(c.stdDelta)} | ${f(c.textureDelta)} | ${f(c.distance)} | ${f(u.distance)} |`;
    });
    process.stdout.write(
        [
            '| class | pixels | trained: mean-colour dE | colour-spread d | texture d | trained distance | untrained distance |',
            '| --- | --- | --- | --- | --- | --- | --- |',
            ...rows,
            '',
            `score (pixel-weighted): trained ${r.trained.score.toFixed(2)}, untrained ${r.untrained.score.toFixed(2)}`,
            `class-mean score: trained ${r.trained.classMeanScore.toFixed(2)}, untrained ${r.untrained.classMeanScore.toFixed(2)}`,
            '',
        ].join('\n'),
    );
}

main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
});
