import { promises as fs } from "fs";
import { Inventory } from "apigw-guard/policies/model/index";
import { effectiveLevel, runRules } from "apigw-guard/policies/engine/run";
import { CatalogueRule, EnforcementLevel, RULES } from "apigw-guard/policies/rules/index";
import { fileSystemProblem, UsageError, UsageErrors } from "./errors";
import { parseJsonText } from "../sources/json-text";

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The `all` key of Pulumi's policy-pack config: a level for every policy not given its own. */
const ALL_KEY = "all";

export interface LoadedConfig {
    /** Per rule id: the raw config as the engine takes it (`enforcementLevel` + settings). */
    readonly config: Readonly<Record<string, unknown>>;
    levelOf(rule: CatalogueRule): EnforcementLevel;
}

export const DEFAULT_CONFIG: LoadedConfig = { config: {}, levelOf: rule => rule.enforcementLevel };

/**
 * A config file in the format of `pulumi preview --policy-pack-config`: policy id → a level
 * string, or an object with `enforcementLevel` and the policy's settings; `all` sets the level of
 * every policy. Validated by the engine's own config path, so the CLI, the pack and the tests
 * reject the same configs with the same words. Throws `UsageErrors` listing every problem found.
 */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
    if (/\.ya?ml$/i.test(file)) {
        throw new UsageErrors([new UsageError("YAML config files are not supported yet: write the config as JSON (the format of `pulumi preview --policy-pack-config`)", file)]);
    }
    let text: string;
    try {
        text = await fs.readFile(file, "utf8");
    } catch (error) {
        throw new UsageErrors([new UsageError(fileSystemProblem(error), file)]);
    }
    if (text.trim() === "") {
        throw new UsageErrors([new UsageError("empty config file", file)]);
    }
    const parsed = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (!parsed.ok) {
        const p = parsed.problem;
        throw new UsageErrors([new UsageError(`${p.truncated ? "truncated" : "invalid"} JSON config: ${p.reason} (column ${p.column}, offset ${p.offset})`, file, p.line)]);
    }
    return validateConfig(parsed.value, file);
}

export function validateConfig(raw: unknown, file: string): LoadedConfig {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new UsageErrors([new UsageError("the config must be a JSON object mapping policy ids to a level or to settings", file)]);
    }
    const problems: UsageError[] = [];
    const known = new Set(RULES.map(rule => rule.id));
    const entries = raw as Record<string, unknown>;
    let allLevel: string | undefined;
    for (const [key, value] of Object.entries(entries)) {
        if (key === ALL_KEY) {
            if (typeof value === "string" && LEVELS.includes(value)) {
                allLevel = value;
            } else {
                problems.push(new UsageError(`'${ALL_KEY}' must be one of ${LEVELS.map(l => `"${l}"`).join(", ")}`, file));
            }
        } else if (!known.has(key)) {
            problems.push(new UsageError(`unknown policy '${key}' (the policies are listed in docs/rules.md)`, file));
        }
    }
    const config: Record<string, unknown> = {};
    for (const rule of RULES) {
        let entry = entries[rule.id];
        if (typeof entry === "string") {
            entry = { enforcementLevel: entry };
        }
        if (allLevel !== undefined && (entry === undefined || (isObject(entry) && entry.enforcementLevel === undefined))) {
            entry = { ...(isObject(entry) ? entry : {}), enforcementLevel: allLevel };
        }
        if (entry !== undefined) {
            config[rule.id] = entry;
        }
    }
    // The engine's config path: an empty inventory runs no rule logic, only config validation.
    for (const error of runRules(new Inventory([]), RULES, { config }).configErrors) {
        problems.push(new UsageError(error.message, file));
    }
    if (problems.length > 0) {
        throw new UsageErrors(problems);
    }
    return { config, levelOf: rule => effectiveLevel(rule, config[rule.id]) };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
