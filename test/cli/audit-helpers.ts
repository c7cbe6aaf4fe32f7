import { Command, CommanderError } from "commander";
import { registerAuditCommand, RegisterAuditOptions } from "../../cli/commands/audit";
import { CliIO } from "../../cli/command";
import { oneLine } from "../../cli/errors";
import { CREDENTIALS, FAST_RETRY } from "../sources/aws/support";
import { cleanEnv, CliRun, NOW } from "./helpers";

export interface InProcessOptions {
    readonly stderrTTY?: boolean;
    /** On top of the test credentials, fast retries and a 5 s request timeout. */
    readonly overrides?: RegisterAuditOptions["auditOverrides"];
}

/**
 * `apigw-guard audit ...` in this process, on a program configured as cli/main.ts configures
 * its own (exitOverride, one-line errors), with the SDK's credentials and retries injected.
 */
export async function auditInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const io: CliIO = {
        stdout: { write: (text: string) => (stdout += text), isTTY: false },
        stderr: Object.assign({ write: (text: string) => (stderr += text) }, options.stderrTTY ? { isTTY: true, columns: 100 } : {}),
        env: cleanEnv(),
        readStdin: async () => "",
    };
    let status = -1;
    const program = new Command("apigw-guard")
        .exitOverride()
        .configureOutput({
            writeOut: text => io.stdout.write(text),
            writeErr: text => io.stderr.write(text),
            outputError: (text, write) => write(`apigw-guard: ${oneLine(text.replace(/^error: /, ""))}\n`),
        });
    registerAuditCommand(program, {
        io,
        tool: { name: "apigw-guard", version: "0.0.0" },
        onExit: code => {
            status = code;
        },
        auditOverrides: { credentials: CREDENTIALS, retry: FAST_RETRY, requestTimeoutMs: 5_000, ...options.overrides },
    });
    try {
        await program.parseAsync(["audit", "--now", NOW, ...args], { from: "user" });
    } catch (error) {
        status = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 99;
    }
    return { status, stdout, stderr };
}
