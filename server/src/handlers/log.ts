/** The server's one log: connection.console with a level threshold. */
import type { RemoteConsole } from 'vscode-languageserver';
import type { LogLevel } from '../protocol/lsp';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Leveled logging to the client's output channel. */
export class ServerLog {
    constructor(
        private readonly console: RemoteConsole,
        private level: LogLevel = 'info',
    ) {}

    setLevel(level: LogLevel | undefined): void {
        if (level && level in RANK) this.level = level;
    }

    error(msg: string): void {
        if (this.on('error')) this.console.error(msg);
    }
    warn(msg: string): void {
        if (this.on('warn')) this.console.warn(msg);
    }
    info(msg: string): void {
        if (this.on('info')) this.console.info(msg);
    }
    debug(msg: string): void {
        if (this.on('debug')) this.console.log(msg);
    }

    private on(l: LogLevel): boolean {
        return RANK[l] <= RANK[this.level];
    }
}
