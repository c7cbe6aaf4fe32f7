#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { kitVersion } from "../api/version";
import { describeUnexpected, errorLine, TOOL_NAME, writeFailure } from "./errors";
import { CliIO, EXIT, processIO, RegisterCommandOptions } from "./command";

/**
 * The commands, in the order `--help` lists them. Each is loaded when registered: a run registers
 * only the command it names (a scan does not load the audit's, the probe's or the reporters' own
 * modules), and all of them when the first argument is not a command (`--help`, `help scan`, a
 * typo that commander answers with "did you mean").
 */
const COMMANDS: Readonly<Record<string, (program: Command, options: RegisterCommandOptions) => Promise<void>>> = {
    scan: async (program, options) => (await import("./commands/scan")).registerScanCommand(program, options),
    audit: async (program, options) => (await import("./commands/audit")).registerAuditCommand(program, options),
    probe: async (program, options) => (await import("./commands/probe")).registerProbeCommand(program, options),
    report: async (program, options) => (await import("./commands/report")).registerReportCommand(program, options),
    waivers: async (program, options) => (await import("./commands/waivers")).registerWaiversCommand(program, options),
};

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
    const tool = { name: TOOL_NAME, version: kitVersion() };
    let exitCode: number = EXIT.ok;
    const program = new Command(TOOL_NAME)
        .description("Policy-as-code for AWS API Gateway: one rule catalogue over Terraform plans, state and HCL, Pulumi stack exports and a live account, and a probe of a deployed stage.")
        .version(tool.version, "-V, --version")
        .exitOverride()
        .configureOutput({
            writeOut: text => io.stdout.write(text),
            writeErr: text => io.stderr.write(text),
            outputError: (text, write) => write(errorLine(undefined, undefined, `${text.replace(/^error: /, "")} (see '${TOOL_NAME} --help')`)),
        });
    const options: RegisterCommandOptions = { io, tool, onExit: code => { exitCode = code; } };
    const named = argv[2];
    try {
        // Registered after exitOverride/configureOutput: subcommands copy those settings when created.
        for (const [name, register] of Object.entries(COMMANDS)) {
            if (named === undefined || !Object.prototype.hasOwnProperty.call(COMMANDS, named) || named === name) {
                await register(program, options);
            }
        }
        await program.parseAsync([...argv]);
        return exitCode;
    } catch (error) {
        if (error instanceof CommanderError) {
            // Help and --version exit 0; every parse error is bad usage.
            return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
        }
        writeFailure(error, io);
        return EXIT.usage;
    }
}



if (require.main === module) {
    // A reader that closes the pipe early (`| head`) is not an error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EPIPE") {
            process.exit(process.exitCode ?? 0);
        }
    });
    const lastResort = (error: unknown) => {
        process.stderr.write(errorLine(undefined, undefined, describeUnexpected(error)));
        process.exit(EXIT.usage);
    };
    process.on("uncaughtException", lastResort);
    process.on("unhandledRejection", lastResort);
    main(process.argv, processIO()).then(code => {
        process.exitCode = code;
    }, lastResort);
}
