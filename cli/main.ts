#!/usr/bin/env node
import { readFileSync } from "fs";
import * as path from "path";
import { Command, CommanderError, Option } from "commander";
import { INPUT_KINDS } from "../report";
import { describeUnexpected, errorLine, oneLine, TOOL_NAME, writeFailure } from "./errors";
import { registerAuditCommand } from "./audit";
import { registerProbeCommand } from "./probe";
import { CliIO, EXIT, NOW_ENV, OutputFlags, scan, ScanOptions } from "./scan";
import { addGateOptions, failOnOption, GATES_HELP } from "./gates";
import { registerReportCommand } from "./report";
import { registerWaiversCommand } from "./waivers";

const SCAN_HELP = `
Inputs (detected from content; --format-in forces one):
  terraform-plan   terraform show -json tfplan > plan.json
  terraform-state  terraform show -json > state.json
  terraform-hcl    a directory of .tf files, or one .tf file (read statically)
  pulumi-export    pulumi stack export > stack.json (--show-secrets values are never printed)
  -                read a JSON input from stdin

Exit codes:
  0  no blocking finding
  1  blocking findings: new (not in --baseline), not waived failures at --fail-on (default: mandatory)
  2  bad usage, a bad config, waivers or baseline file, or an input that could not be read (the
     others are still reported)
${GATES_HELP}
Clock:
  Age rules (API key age) compare against the current time. --now, or ${NOW_ENV} when --now is
  not given, pins it (and the report timestamp), so a scan of the same input is reproducible.

Colors:
  Text output is colored only when stdout is a terminal and NO_COLOR is not set; never with --output.

Examples:
  $ ${TOOL_NAME} scan plan.json
  $ terraform show -json tfplan | ${TOOL_NAME} scan - --format json --output report.json
  $ ${TOOL_NAME} scan ./infra stack.json --config policy-config.json --fail-on advisory
  $ ${TOOL_NAME} scan plan.json --format sarif --output report.sarif --format html --output report.html --format text
  $ ${TOOL_NAME} scan plan.json --waivers waivers.yaml --baseline main-report.json --fail-on high
  $ ${TOOL_NAME} scan plan.json --framework pci-dss-v4
`;

function toolVersion(): string {
    try {
        const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version?: unknown };
        return typeof manifest.version === "string" ? manifest.version : "0.0.0";
    } catch {
        return "0.0.0";
    }
}

interface RawScanOptions {
    config?: string;
    format?: ScanOptions["format"];
    output?: string;
    failOn: ScanOptions["failOn"];
    formatIn: ScanOptions["formatIn"];
    now?: string;
    showPasses?: boolean;
    waivers?: string;
    baseline?: string;
    framework?: string[];
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
    const tool = { name: TOOL_NAME, version: toolVersion() };
    let exitCode: number = EXIT.ok;
    const program = new Command(TOOL_NAME)
        .description("Policy-as-code for AWS API Gateway: one rule catalogue over Terraform plans, state and HCL, Pulumi stack exports and a live account, and a probe of a deployed stage.")
        .version(tool.version, "-V, --version")
        .exitOverride()
        .configureOutput({
            writeOut: text => io.stdout.write(text),
            writeErr: text => io.stderr.write(text),
            outputError: (text, write) => write(`${TOOL_NAME}: ${oneLine(text.replace(/^error: /, ""))} (see '${TOOL_NAME} --help')\n`),
        });
    // Repeatable --format/--output pairs: the order they are given in decides the pairing.
    const scanOutputs = new OutputFlags();
    const scanCommand = program
        .command("scan")
        .description("Evaluate the rules over Terraform and Pulumi inputs and report the findings.")
        .argument("<path...>", "inputs: plan/state JSON, stack export JSON, a .tf file or directory, or - for stdin")
        .option("--config <file>", "policy config (JSON), in the format of `pulumi preview --policy-pack-config`")
        .addOption(scanOutputs.formatOption())
        .addOption(scanOutputs.outputOption())
        .addOption(failOnOption())
        .addOption(new Option("--format-in <kind>", "input kind, instead of detecting it from content").choices(["auto", ...INPUT_KINDS]).default("auto"))
        .option("--now <iso>", `pin the clock for age rules and the report timestamp (ISO-8601; default: ${NOW_ENV} or the current time)`)
        .option("--show-passes", "also list passing and not-applicable findings in text output");
    addGateOptions(scanCommand)
        .addHelpText("after", SCAN_HELP)
        .action(async (paths: string[], options: RawScanOptions) => {
            const outputs = scanOutputs.outputs();
            exitCode = await scan(paths, { ...options, format: outputs[0].format, outputs }, io, tool);
        });
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

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    }
    return Buffer.concat(chunks).toString("utf8");
}

function nodeIO(): CliIO {
    return { stdout: process.stdout, stderr: process.stderr, env: process.env, readStdin };
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
    main(process.argv, nodeIO()).then(code => {
        process.exitCode = code;
    }, lastResort);
}
