/**
 * One analysis per open document version, shared by every feature so a document is parsed
 * once per edit. Entries go when the document closes.
 */
import { analyze, type Analysis } from '../language/service';

/** A document as features see it: its key, version and text. */
export interface DocumentSnapshot {
    uri: string;
    version: number;
    getText(): string;
}

/** Latest analysis per document URI. */
export class AnalysisCache {
    private readonly entries = new Map<string, { version: number; analysis: Analysis }>();

    /** The analysis of this version, computing it when missing. */
    get(doc: DocumentSnapshot): Analysis {
        const hit = this.entries.get(doc.uri);
        if (hit && hit.version === doc.version) return hit.analysis;
        const analysis = analyze(doc.getText()) as Analysis;
        this.entries.set(doc.uri, { version: doc.version, analysis });
        return analysis;
    }

    /** Stores an analysis computed elsewhere (e.g. by the cancellable diagnostics run). */
    put(doc: DocumentSnapshot, analysis: Analysis): void {
        this.entries.set(doc.uri, { version: doc.version, analysis });
    }

    delete(uri: string): void {
        this.entries.delete(uri);
    }
}
