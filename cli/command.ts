import { Command } from "commander";
import { kitVersion } from "../api/version";
import { TOOL_NAME } from "./errors";
/**
 * What every command shares: where output goes and the environment comes from, the exit codes,
 * the clock variable, and how a registered command hands back its exit code.
 */

/** What a subcommand's `register…Command` takes: where output goes, the tool's name/version, and who receives the exit code. */
export interface RegisterCommandOptions {
    /** Where output goes and the environment comes from (default: this process). */
    readonly io?: CliIO;
    readonly tool?: { readonly name: string; readonly version: string };
    /** Receives the exit code (default: sets `process.exitCode`). */
    readonly onExit?: (code: number) => void;
}

/**
 * The name and version a registered command writes into its reports: the caller's, else this
 * package's (`main` always passes its own; the default serves a command registered on its own).
 */
export function toolOf(options: RegisterCommandOptions, program: Command): { readonly name: string; readonly version: string } {
    return options.tool ?? { name: TOOL_NAME, version: program.version() ?? kitVersion() };
}

/** The exit-code receiver of a registered command: the caller's, or `process.exitCode`. */
export function exitHandler(options: RegisterCommandOptions): (code: number) => void {
    return options.onExit ?? ((code: number) => {
        process.exitCode = code;
    });
}

export interface CliIO {
    readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
    readonly stderr: { write(text: string): unknown };
    readonly env: NodeJS.ProcessEnv;
    readStdin(): Promise<string>;
}

export const EXIT = { ok: 0, blocking: 1, usage: 2 } as const;

/** Pins the clock when `--now` is not given (shared with the policy pack). */
export const NOW_ENV = "APIGW_GUARD_NOW";

/** https://no-color.org: set and not empty disables color. */
export function noColor(env: NodeJS.ProcessEnv): boolean {
    return env.NO_COLOR !== undefined && env.NO_COLOR !== "";
}

async function readProcessStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** This process's stdout, stderr, environment and stdin (read only when a command asks for it). */
export function processIO(): CliIO {
    return { stdout: process.stdout, stderr: process.stderr, env: process.env, readStdin: readProcessStdin };
}
