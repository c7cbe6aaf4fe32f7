import { promises as fs } from "fs";
import { Command } from "commander";
import { WAIVERS_KEY, Waiver, waiverExpired } from "apigw-guard/policies/engine/config";
import { sortKeys } from "../../report";
import { RULES } from "apigw-guard/policies/rules/index";
import { loadConfigFile, validateConfig } from "../config";
import { fileSystemProblem, TOOL_NAME, UsageError, writeFailure } from "../errors";
import { clockFrom } from "../gates";
import { parseJsonText } from "../../sources/json-text";
import { CliIO, EXIT, exitHandler, NOW_ENV, processIO, RegisterCommandOptions } from "../command";
import { loadWaiversFile } from "../waivers-file";

const WAIVERS_HELP = `
A waivers file (YAML or JSON, schemas/waivers.schema.json; docs/gates.md):

  version: 1
  waivers:
    - id: SEC-1234                        # optional: the name reports use
      rule: apigateway-stage-waf          # a rule id, or '*'
      resource: "urn:pulumi:prod::shop::aws:apigateway/stage:Stage::public-*"
      reason: WAF is attached by the network team's stack
      approver: jane.doe@example.com
      expires: 2026-09-30                 # last day it applies (UTC)

to-policy-config turns it into the config of the CrossGuard pack, so pulumi preview honours the
same waivers as ${TOOL_NAME} scan (every policy accepts a 'waivers' list; the rule is implied):

  $ ${TOOL_NAME} waivers to-policy-config waivers.yaml --config policy-config.json > merged.json
  $ pulumi preview --policy-pack ./policies --policy-pack-config merged.json

Selectors that are Terraform addresses or ARNs are kept, but only URNs match in a preview.
`;

export type RegisterWaiversOptions = Pick<RegisterCommandOptions, "io" | "onExit">;

interface ToPolicyConfigFlags {
    config?: string;
    output?: string;
}

interface CheckFlags {
    now?: string;
}

/** Adds `waivers to-policy-config` and `waivers check`. */
export function registerWaiversCommand(program: Command, options: RegisterWaiversOptions = {}): void {
    const onExit = exitHandler(options);
    const waivers = program
        .command("waivers")
        .description("Work with a waivers file: check it, or turn it into CrossGuard policy-pack config.")
        .addHelpText("after", WAIVERS_HELP);
    waivers
        .command("to-policy-config")
        .description("Print the --policy-pack-config JSON that makes the CrossGuard pack honour a waivers file (merged into --config when given).")
        .argument("<waivers-file>", "the waivers file (YAML or JSON)")
        .option("--config <file>", "an existing policy-pack config (JSON) to merge the waivers into")
        .option("--output <file>", "write the config to a file instead of stdout")
        .action(async (file: string, flags: ToPolicyConfigFlags) => {
            const io = options.io ?? processIO();
            onExit(await guarded(io, () => toPolicyConfig(file, flags, io)));
        });
    waivers
        .command("check")
        .description("Validate a waivers file and list the waivers that have expired (exit 1 when any has).")
        .argument("<waivers-file>", "the waivers file (YAML or JSON)")
        .option("--now <iso>", `judge expiry at this time (default: ${NOW_ENV} or the current time)`)
        .action(async (file: string, flags: CheckFlags) => {
            const io = options.io ?? processIO();
            onExit(await guarded(io, () => check(file, flags, io)));
        });
}

async function toPolicyConfig(file: string, flags: ToPolicyConfigFlags, io: CliIO): Promise<number> {
    const waivers = await loadWaiversFile(file, { knownRules: new Set(RULES.map(rule => rule.id)) });
    const base = flags.config !== undefined ? await readConfigObject(flags.config) : {};
    const merged = mergeWaiversIntoConfig(base, waivers);
    // The result must load as the pack (and `scan --config`) would load it.
    validateConfig(merged, flags.output ?? "<generated config>");
    const text = `${JSON.stringify(sortKeys(merged), null, 2)}\n`;
    if (flags.output !== undefined) {
        try {
            await fs.writeFile(flags.output, text, "utf8");
        } catch (error) {
            throw new UsageError(`cannot write the config: ${fileSystemProblem(error).replace("cannot be read", "cannot be written")}`, flags.output);
        }
    } else {
        io.stdout.write(text);
    }
    return EXIT.ok;
}

/**
 * A policy-pack config with the waivers added to each policy's `waivers` list (a `*` waiver goes
 * to every rule of the catalogue). A policy given as a level string becomes `{enforcementLevel}`.
 * Waivers already in the config are kept, before the file's.
 */
export function mergeWaiversIntoConfig(base: Readonly<Record<string, unknown>>, waivers: readonly Waiver[]): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const waiver of waivers) {
        const rules = waiver.rule === "*" ? RULES.map(rule => rule.id) : [waiver.rule];
        for (const rule of rules) {
            const current = out[rule];
            const entry: Record<string, unknown> = typeof current === "string"
                ? { enforcementLevel: current }
                : isObject(current) ? { ...current } : {};
            const list = Array.isArray(entry[WAIVERS_KEY]) ? [...(entry[WAIVERS_KEY] as unknown[])] : [];
            list.push({ id: waiver.id, resource: waiver.resource, reason: waiver.reason, approver: waiver.approver, expires: waiver.expires });
            entry[WAIVERS_KEY] = list;
            out[rule] = entry;
        }
    }
    return out;
}

async function readConfigObject(file: string): Promise<Record<string, unknown>> {
    // Validated first, with the same words as `scan --config`.
    await loadConfigFile(file);
    const text = await fs.readFile(file, "utf8");
    const parsed = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (!parsed.ok || !isObject(parsed.value)) {
        throw new UsageError("the config must be a JSON object", file);
    }
    return parsed.value;
}

async function check(file: string, flags: CheckFlags, io: CliIO): Promise<number> {
    const now = clockFrom(flags.now, io.env);
    const waivers = await loadWaiversFile(file, { knownRules: new Set(RULES.map(rule => rule.id)) });
    const expired = waivers.filter(waiver => waiverExpired(waiver, now));
    for (const waiver of expired) {
        io.stdout.write(`EXPIRED  ${waiver.file ?? file}${waiver.line !== undefined ? `:${waiver.line}` : ""}  ${waiver.id}  ${waiver.rule}  ${waiver.resource}  (expired ${waiver.expires}, approved by ${waiver.approver})\n`);
    }
    io.stdout.write(`${waivers.length} waiver${waivers.length === 1 ? "" : "s"}, ${expired.length} expired\n`);
    return expired.length > 0 ? EXIT.blocking : EXIT.ok;
}

async function guarded(io: CliIO, run: () => Promise<number>): Promise<number> {
    try {
        return await run();
    } catch (error) {
        writeFailure(error, io);
        return EXIT.usage;
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}


export { TOOL_NAME };
