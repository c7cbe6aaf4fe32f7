#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { kitVersion } from "../api/version";
import { describeUnexpected, errorLine, TOOL_NAME, writeFailure } from "./errors";
import { registerAuditCommand } from "./commands/audit";
import { registerProbeCommand } from "./commands/probe";
import { CliIO, EXIT, processIO } from "./command";
import { registerScanCommand } from "./commands/scan";
import { registerReportCommand } from "./commands/report";
import { registerWaiversCommand } from "./commands/waivers";
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
    registerScanCommand(program, { io, tool, onExit: code => { exitCode = code; } });
    // Registered after exitOverride/configureOutput: subcommands copy those settings when created.
    registerAuditCommand(program, { io, tool, onExit: code => { exitCode = code; } });
    registerProbeCommand(program, { io, tool, onExit: code => { exitCode = code; } });
    registerReportCommand(program, { io, tool, onExit: code => { exitCode = code; } });
    registerWaiversCommand(program, { io, onExit: code => { exitCode = code; } });
    try {
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
