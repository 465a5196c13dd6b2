/**
 * Writes docs/language.md from the language registry (run: npx tsx scripts/gen-language-docs.ts).
 * test/language/docs.test.ts fails when the committed file differs from this output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderReference } from '../server/src/language/reference-doc';

const target = path.resolve(__dirname, '..', 'docs', 'language.md');
const tmp = `${target}.tmp-${process.pid}`;
fs.writeFileSync(tmp, renderReference());
fs.renameSync(tmp, target);
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
