import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentChecker } from "../errors";
import { ROTATED_AT_TAG, withManagedBy } from "../tags";
import { GuardedUsagePlan } from "../usage-plan/guarded-usage-plan";
import { parseCsv } from "./csv";
import { ApiKeySource, AttachableApiKey } from "./key-source";

export const IMPORTED_API_KEYS_TYPE = "apigw-guard:index:ImportedApiKeys";

/** The columns of API Gateway's key import format (header names are case-insensitive, any order). */
export const CSV_COLUMNS = ["Name", "Key", "Description", "Enabled", "UsagePlanIds"] as const;
type Column = (typeof CSV_COLUMNS)[number];

export interface ImportApiKeysFromCsvArgs {
    /** The file's content: a header row, then one key per row. */
    readonly csv: string;
    /**
     * Usage plans the `UsagePlanIds` column may name, by the token used in the file. Keys are
     * attached through the plan, so the one-plan-per-stage check applies.
     */
    readonly usagePlans?: Readonly<Record<string, GuardedUsagePlan>>;
    /**
     * Treat tokens not found in `usagePlans` as ids of usage plans managed elsewhere. Default
     * false: an unknown token is an error (a typo would otherwise attach nothing until apply).
     */
    readonly allowExternalUsagePlanIds?: boolean;
    /** RFC3339 time the values were issued; written to `apigw-guard:rotated-at`. */
    readonly rotatedAt?: string;
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** One imported key: attachable to usage plans like a RotatingApiKey. */
export interface ImportedApiKey extends ApiKeySource {
    /** The `Name` column. */
    readonly name: string;
    /** Line of the CSV the key came from. */
    readonly line: number;
    readonly apiKey: aws.apigateway.ApiKey;
}

/** Thrown when the file has problems; lists every one, with line numbers, and no key value. */
export class ApiKeyCsvError extends Error {
    constructor(readonly importName: string, readonly problems: readonly { readonly line: number; readonly message: string }[]) {
        super(`importApiKeysFromCsv '${importName}': argument 'csv' has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n${problems.map(p => `  line ${p.line}: ${p.message}`).join("\n")}`);
        this.name = "ApiKeyCsvError";
    }
}

/** A validated row (internal to importApiKeysFromCsv). */
export interface ParsedRow {
    readonly line: number;
    readonly name: string;
    readonly key: string;
    readonly description: string;
    readonly enabled: boolean;
    readonly plans: readonly GuardedUsagePlan[];
    readonly externalPlanIds: readonly string[];
}

/**
 * Create API keys from a file in API Gateway's import format (`Name,Key,Description,Enabled,
 * UsagePlanIds`). The whole file is validated first: if any row is malformed, an ApiKeyCsvError
 * lists every problem by line and no resource is created. Values become Pulumi secrets and are
 * never echoed in errors. Unlike API Gateway, unknown columns are refused (a misspelt `Enabled`
 * would otherwise silently default to true).
 */
export function importApiKeysFromCsv(name: string, args: ImportApiKeysFromCsvArgs, opts?: pulumi.ComponentResourceOptions): ImportedApiKeys {
    const check = new ArgumentChecker("importApiKeysFromCsv", name);
    check.object("args", args);
    if (typeof args.csv !== "string") {
        check.fail("csv", "must be the text of the file");
    }
    if (args.rotatedAt !== undefined && (typeof args.rotatedAt !== "string" || Number.isNaN(Date.parse(args.rotatedAt)) || !/^\d{4}-\d{2}-\d{2}T/.test(args.rotatedAt))) {
        check.fail("rotatedAt", "must be an RFC3339 time such as 2026-01-01T00:00:00Z");
    }
    const plans = args.usagePlans ?? {};
    for (const [token, plan] of Object.entries(plans)) {
        if (!(plan instanceof GuardedUsagePlan)) {
            check.fail(`usagePlans.${token}`, "must be a UsagePlan component (GuardedUsagePlan)");
        }
    }
    const rows = parseRows(name, args.csv, plans, args.allowExternalUsagePlanIds ?? false);
    return new ImportedApiKeys(name, rows, args, opts);
}

/** The component that parents the imported keys (create it through importApiKeysFromCsv). */
export class ImportedApiKeys extends pulumi.ComponentResource {
    /** By the `Name` column. */
    readonly keys: ReadonlyMap<string, ImportedApiKey>;
    /** Key ids by name. */
    readonly keyIds: pulumi.Output<Record<string, string>>;

    /** @internal Rows are validated by importApiKeysFromCsv. */
    constructor(name: string, rows: readonly ParsedRow[], args: ImportApiKeysFromCsvArgs, opts?: pulumi.ComponentResourceOptions) {
        super(IMPORTED_API_KEYS_TYPE, name, {}, opts);
        const keys = new Map<string, ImportedApiKey>();
        for (const row of rows) {
            const resourceName = `${name}/${row.name}`;
            const apiKey = new aws.apigateway.ApiKey(resourceName, {
                name: row.name,
                description: row.description === "" ? undefined : row.description,
                enabled: row.enabled,
                value: pulumi.secret(row.key),
                tags: withManagedBy(args.tags, IMPORTED_API_KEYS_TYPE, args.rotatedAt ? { [ROTATED_AT_TAG]: args.rotatedAt } : {}),
            }, { parent: this, additionalSecretOutputs: ["value"] });
            const attachableKeys: AttachableApiKey[] = [{ suffix: "", apiKey }];
            const imported: ImportedApiKey = { keyName: resourceName, name: row.name, line: row.line, apiKey, attachableKeys };
            keys.set(row.name, imported);
            for (const plan of row.plans) {
                plan.attachKey(imported);
            }
            for (const planId of row.externalPlanIds) {
                new aws.apigateway.UsagePlanKey(`${resourceName}/${planId}`, {
                    keyId: apiKey.id,
                    keyType: "API_KEY",
                    usagePlanId: planId,
                }, { parent: this, additionalSecretOutputs: ["value"] });
            }
        }
        this.keys = keys;
        this.keyIds = pulumi.all(Object.fromEntries([...keys].map(([keyName, key]) => [keyName, key.apiKey.id])));
        this.registerOutputs({ keyIds: this.keyIds });
    }
}

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
// API Gateway accepts 20-128 characters; control characters and spaces are never meant.
const KEY_PATTERN = /^[\x21-\x7E]+$/;
const EXTERNAL_PLAN_ID = /^[a-z0-9]{1,32}$/;

function parseRows(importName: string, csv: string, plans: Readonly<Record<string, GuardedUsagePlan>>, allowExternal: boolean): ParsedRow[] {
    const { records, problems: parseProblems } = parseCsv(csv);
    const problems = [...parseProblems];
    const fail = (line: number, message: string) => problems.push({ line, message });
    const [header, ...data] = records;
    if (header === undefined) {
        throw new ApiKeyCsvError(importName, problems.length > 0 ? problems : [{ line: 1, message: "the file is empty: expected a header row such as Name,Key,Description,Enabled,UsagePlanIds" }]);
    }
    const columnIndex = new Map<Column, number>();
    header.fields.forEach((cell, i) => {
        const column = CSV_COLUMNS.find(c => c.toLowerCase() === cell.trim().toLowerCase());
        if (!column) {
            // The cell is not echoed: without a header row, this would be a data row.
            fail(header.line, `column ${i + 1} of the header is not one of ${CSV_COLUMNS.join(", ")} (is the header row missing?)`);
        } else if (columnIndex.has(column)) {
            fail(header.line, `the header names ${column} twice (columns ${columnIndex.get(column)! + 1} and ${i + 1})`);
        } else {
            columnIndex.set(column, i);
        }
    });
    for (const column of ["Name", "Key"] as const) {
        if (!columnIndex.has(column) && header.fields.length > 0) {
            fail(header.line, `the header has no ${column} column`);
        }
    }
    if (data.length === 0 && problems.length === 0) {
        fail(header.line, "the file has a header but no keys");
    }
    const headerUsable = columnIndex.has("Name") && columnIndex.has("Key");

    const rows: ParsedRow[] = [];
    const lineByName = new Map<string, number>();
    const lineByValue = new Map<string, number>();
    for (const record of data) {
        if (!headerUsable) {
            break;
        }
        const before = problems.length;
        const { line, fields } = record;
        if (fields.length !== header.fields.length) {
            fail(line, `has ${fields.length} field${fields.length === 1 ? "" : "s"}; the header has ${header.fields.length}`);
            continue;
        }
        const cell = (column: Column) => {
            const index = columnIndex.get(column);
            return index === undefined ? "" : fields[index];
        };
        const name = cell("Name").trim();
        if (!NAME_PATTERN.test(name)) {
            fail(line, name === "" ? "Name is empty" : "Name must be 1-128 letters, digits, '.', '_' or '-'");
        } else if (lineByName.has(name)) {
            fail(line, `Name repeats the name on line ${lineByName.get(name)}`);
        } else {
            lineByName.set(name, line);
        }
        const key = cell("Key");
        if (key === "") {
            fail(line, "Key is empty");
        } else if (key.length < 20 || key.length > 128) {
            fail(line, `Key must be 20 to 128 characters (it has ${key.length})`);
        } else if (!KEY_PATTERN.test(key)) {
            fail(line, "Key may only contain printable ASCII characters without spaces");
        } else if (lineByValue.has(key)) {
            fail(line, `Key has the same value as the key on line ${lineByValue.get(key)}; two keys must not share a value`);
        } else {
            lineByValue.set(key, line);
        }
        const enabledText = cell("Enabled").trim().toLowerCase();
        if (enabledText !== "" && enabledText !== "true" && enabledText !== "false") {
            fail(line, "Enabled must be TRUE or FALSE (or empty, meaning TRUE)");
        }
        const tokens = cell("UsagePlanIds").split(",").map(t => t.trim()).filter(t => t !== "");
        const rowPlans: GuardedUsagePlan[] = [];
        const externalPlanIds: string[] = [];
        tokens.forEach((token, t) => {
            const entry = `UsagePlanIds entry ${t + 1}`;
            if (tokens.indexOf(token) !== t) {
                fail(line, `${entry} repeats entry ${tokens.indexOf(token) + 1}`);
                return;
            }
            const plan = Object.prototype.hasOwnProperty.call(plans, token) ? plans[token] : undefined;
            if (plan) {
                if (plan.attachedKeyNames.includes(`${importName}/${name}`)) {
                    fail(line, `${entry}: usage plan '${plan.planLabel}' already has this key`);
                    return;
                }
                const sharedWith = rowPlans.find(other => other.servedStages.some(s => plan.servedStages.some(o => o.key === s.key)));
                if (sharedWith) {
                    const stage = sharedWith.servedStages.find(s => plan.servedStages.some(o => o.key === s.key))!;
                    fail(line, `${entry} attaches the key to usage plans '${sharedWith.planLabel}' and '${plan.planLabel}', which both serve ${stage.label}; AWS allows a key in only one usage plan per API stage`);
                    return;
                }
                rowPlans.push(plan);
            } else if (allowExternal && EXTERNAL_PLAN_ID.test(token)) {
                externalPlanIds.push(token);
            } else {
                fail(line, allowExternal
                    ? `${entry} is neither a plan passed in usagePlans nor a usage plan id (lowercase letters and digits)`
                    : `${entry} is not a plan passed in usagePlans (set allowExternalUsagePlanIds to use ids of plans managed elsewhere)`);
            }
        });
        if (problems.length === before) {
            rows.push({ line, name, key, description: cell("Description"), enabled: enabledText !== "false", plans: rowPlans, externalPlanIds });
        }
    }
    if (problems.length > 0) {
        throw new ApiKeyCsvError(importName, problems.sort((a, b) => a.line - b.line));
    }
    return rows;
}
