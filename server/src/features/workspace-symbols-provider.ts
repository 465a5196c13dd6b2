/**
 * Workspace symbols: the named top-level blocks of every .spade config in the workspace
 * folders. Open documents are read from the editor; the others through a ConfigSource the
 * server implements over the disk, cached per file modification time.
 */
import { type SymbolInformation, type WorkspaceSymbolParams } from 'vscode-languageserver';
import { isTopLevelKeyword } from '../language/keywords';
import { parse } from '../language/parser';
import { BLOCK_SYMBOL_KIND } from './document-symbols-provider';

/** One config file: its URI, a version stamp (e.g. mtime) and a way to read its text. */
export interface ConfigEntry {
    uri: string;
    stamp: string;
    read(): Promise<string | undefined>;
}

/** Finds the configs of the workspace (open documents take precedence, by URI). */
export interface ConfigSource {
    configs(): Promise<ConfigEntry[]>;
}

/** Answers workspace symbol queries. */
export interface WorkspaceSymbolsProvider {
    provide(params: WorkspaceSymbolParams): Promise<SymbolInformation[]>;
}

/** At most this many symbols are returned for one query. */
const MAX_RESULTS = 500;

/** Workspace symbols with a per-file cache of the parsed symbols. */
export class DefaultWorkspaceSymbolsProvider implements WorkspaceSymbolsProvider {
    private readonly cached = new Map<string, { stamp: string; symbols: SymbolInformation[] }>();

    constructor(private readonly source: ConfigSource) {}

    async provide(params: WorkspaceSymbolParams): Promise<SymbolInformation[]> {
        const out: SymbolInformation[] = [];
        const q = params.query.toLowerCase();
        for (const entry of await this.source.configs()) {
            for (const s of await this.symbolsOf(entry)) {
                if (q && !fuzzy(s.name.toLowerCase(), q)) continue;
                out.push(s);
                if (out.length >= MAX_RESULTS) return out;
            }
        }
        return out;
    }

    private async symbolsOf(entry: ConfigEntry): Promise<SymbolInformation[]> {
        const hit = this.cached.get(entry.uri);
        if (hit && hit.stamp === entry.stamp) return hit.symbols;
        const text = await entry.read();
        if (text === undefined) return [];
        const file = parse(text);
        const symbols: SymbolInformation[] = file.blocks
            .filter((b) => b.name && !b.name.missing && isTopLevelKeyword(b.keyword.text))
            .map((b) => ({
                name: b.name?.text ?? '',
                kind: BLOCK_SYMBOL_KIND[b.keyword.text],
                containerName: b.keyword.text,
                location: { uri: entry.uri, range: file.lines.rangeOf(b) },
            }));
        this.cached.set(entry.uri, { stamp: entry.stamp, symbols });
        return symbols;
    }
}

/** True when the query's characters appear in the name in order. */
function fuzzy(name: string, query: string): boolean {
    let i = 0;
    for (const c of name) if (c === query[i]) i++;
    return i === query.length;
}
