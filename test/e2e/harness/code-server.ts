/**
 * code-server on a free loopback port: installing the VSIX with its own CLI, starting it in
 * its own process group, and stopping that whole group (extension host, pty host and file
 * watcher included).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { codeServerEnv, type Sandbox } from './sandbox';
import { waitUntil } from './wait';

const run = promisify(execFile);

/** A started code-server. */
export interface CodeServer {
    /** `http://127.0.0.1:PORT` */
    url: string;
    port: number;
    pid: number;
    /** Its stdout and stderr. */
    logFile: string;
    stop(): Promise<void>;
}

/** A port the kernel just handed out on 127.0.0.1 (free at that moment). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const addr = srv.address();
            const port = typeof addr === 'object' && addr ? addr.port : 0;
            srv.close(() => resolve(port));
        });
    });
}

/**
 * Installs a VSIX into the sandbox's extensions folder (offline) and returns the installed
 * extension's folder, read from code-server's extensions.json.
 */
export async function installVsix(bin: string, box: Sandbox, vsix: string): Promise<string> {
    const { stdout, stderr } = await run(
        bin,
        [
            '--user-data-dir',
            box.userData,
            '--extensions-dir',
            box.extensions,
            '--install-extension',
            vsix,
            '--force',
        ],
        { env: codeServerEnv(box), timeout: 60_000 },
    );
    const said = `${stdout}${stderr}`.trim();
    if (!/successfully installed/i.test(said))
        throw new Error(`code-server did not install ${vsix}: ${said}`);
    const list = JSON.parse(
        fs.readFileSync(path.join(box.extensions, 'extensions.json'), 'utf8'),
    ) as { identifier: { id: string }; location: { path: string } }[];
    const entry = list.find((e) => e.identifier.id === 'spade-studio.spade-studio');
    if (!entry) throw new Error(`extensions.json does not list spade-studio.spade-studio: ${said}`);
    return entry.location.path;
}

/** Starts code-server and resolves once /healthz answers; env reaches the extension host. */
export async function startCodeServer(
    bin: string,
    box: Sandbox,
    env: NodeJS.ProcessEnv = {},
): Promise<CodeServer> {
    const port = await freePort();
    const config = path.join(box.root, 'config.yaml');
    fs.writeFileSync(config, 'auth: none\ncert: false\n');
    const logFile = path.join(box.root, 'code-server.log');
    const log = fs.openSync(logFile, 'w');
    // detached: a process group of its own, which stop() ends as a whole.
    const child = spawn(
        bin,
        [
            '--bind-addr',
            `127.0.0.1:${port}`,
            '--auth',
            'none',
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-workspace-trust',
            '--disable-getting-started-override',
            '--ignore-last-opened',
            '--config',
            config,
            '--user-data-dir',
            box.userData,
            '--extensions-dir',
            box.extensions,
        ],
        { env: codeServerEnv(box, env), stdio: ['ignore', log, log], detached: true },
    );
    fs.closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`code-server did not start; see ${logFile}`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const stop = async (): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
        // Children that ignored SIGTERM after their parent went.
        signalGroup(pid, 'SIGKILL');
    };
    try {
        await waitUntil(
            `code-server answering ${url}/healthz (log: ${logFile})`,
            async () => {
                if (child.exitCode !== null)
                    throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
                try {
                    return (await fetch(`${url}/healthz`)).ok;
                } catch {
                    return false;
                }
            },
            60_000,
        );
    } catch (e) {
        await stop();
        throw e;
    }
    return { url, port, pid, logFile, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // The group is already gone.
    }
}
