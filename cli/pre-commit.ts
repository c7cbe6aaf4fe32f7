#!/usr/bin/env node
/**
 * `apigw-guard-pre-commit`: the entry of the pre-commit hook (.pre-commit-hooks.yaml). pre-commit
 * runs `entry [hook args...] [changed files...]`; Terraform reads a configuration per directory
 * (a root module), so a changed file stands for the directory that holds it, and each directory
 * is scanned once, as `apigw-guard scan <dirs...>` with the hook's args as scan options.
 */
import { Command, Option } from "commander";
import * as path from "path";
import { CliIO, EXIT, processIO } from "./command";
import { registerScanCommand } from "./commands/scan";
import { describeUnexpected, errorLine } from "./errors";
import { main } from "./main";
import { NOT_CONFIGURATION } from "../sources/terraform/files";

/** The hook's `files` pattern (.pre-commit-hooks.yaml holds the same one; a test keeps them equal). */
export { TERRAFORM_FILE } from "../sources/terraform/files";

/** The directories of the changed files, each once, sorted; files under `.terraform/`, `.git/` or `node_modules/` are left out. */
export function terraformRoots(files: readonly string[]): string[] {
    const roots = new Set<string>();
    for (const file of files) {
        const normalized = path.normalize(file);
        const directories = normalized.split(/[\\/]/).slice(0, -1);
        if (directories.some(directory => NOT_CONFIGURATION.has(directory))) {
            continue;
        }
        roots.add(path.dirname(normalized));
    }
    return [...roots].sort();
}

export interface HookArguments {
    /** The hook's `args`: options for `scan`. */
    readonly options: readonly string[];
    readonly files: readonly string[];
}

/**
 * pre-commit puts the hook's `args` before the file names, with no separator, so the split must
 * know which options take a value (`--fail-on advisory`): it reads them from the scan command's
 * own definitions. An explicit `--` also ends the options.
 */
export function splitHookArguments(argv: readonly string[], scanOptions: readonly Option[] = scanCommandOptions()): HookArguments {
    const options: string[] = [];
    for (let index = 0; index < argv.length; index++) {
        const argument = argv[index];
        if (argument === "--") {
            return { options, files: argv.slice(index + 1) };
        }
        if (!argument.startsWith("-") || argument === "-") {
            return { options, files: argv.slice(index) };
        }
        options.push(argument);
        if (argument.includes("=")) {
            continue;
        }
        const option = scanOptions.find(candidate => candidate.long === argument || candidate.short === argument);
        const next = argv[index + 1];
        // Commander's own rule: a required value is always the next word, an optional one unless it looks like an option.
        if (next !== undefined && option !== undefined && (option.required || (option.optional && !next.startsWith("-")))) {
            options.push(next);
            index++;
        }
    }
    return { options, files: [] };
}

/** The options `apigw-guard scan` declares, from the command itself so the two cannot drift. */
function scanCommandOptions(): readonly Option[] {
    const program = new Command();
    registerScanCommand(program, { onExit: () => undefined });
    const scanCommand = program.commands.find(command => command.name() === "scan");
    return scanCommand?.options ?? [];
}

/** Runs the hook; returns the scan's exit code, or 0 when no changed file belongs to a Terraform root. */
export async function preCommit(argv: readonly string[], io: CliIO): Promise<number> {
    const { options, files } = splitHookArguments(argv);
    const roots = terraformRoots(files);
    if (roots.length === 0) {
        return EXIT.ok;
    }
    // `--` so that a directory named like an option is still a path.
    return main(["node", "apigw-guard", "scan", ...options, "--", ...roots], io);
}

if (require.main === module) {
    preCommit(process.argv.slice(2), processIO()).then(code => {
        process.exitCode = code;
    }, (error: unknown) => {
        process.stderr.write(errorLine(undefined, undefined, describeUnexpected(error)));
        process.exitCode = EXIT.usage;
    });
}
