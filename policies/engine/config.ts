import { isDeepStrictEqual } from "util";
import type { default as AjvType, ErrorObject, ValidateFunction } from "ajv";
import { CatalogueRule } from "../rules/types";
import { CompiledGlob, compileGlob, globMatches } from "./glob";

/** A configuration problem, phrased for a person: which policy, which field, what is wrong. */
export class ConfigError extends Error {
    constructor(readonly policy: string, readonly field: string, detail: string) {
        super(`invalid config for policy '${policy}': ${field ? `field '${field}' ` : ""}${detail}`);
        this.name = "ConfigError";
    }
}

/**
 * ajv (loading it and compiling a schema) is the larger part of a small scan's start-up, and most
 * runs give no config at all: the instance is made on first use, each schema compiled when first
 * needed, and an empty config is filled from the schema's defaults without it (`emptyConfig`).
 */
let ajvInstance: AjvType | undefined;

function ajv(): AjvType {
    if (!ajvInstance) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Ajv = (require("ajv") as { default: typeof AjvType }).default;
        ajvInstance = new Ajv({ allErrors: false, useDefaults: true, strict: false });
    }
    return ajvInstance;
}

const validators = new WeakMap<CatalogueRule, ValidateFunction>();

function validatorFor(rule: CatalogueRule): ValidateFunction {
    let validate = validators.get(rule);
    if (!validate) {
        validate = ajv().compile({ ...rule.configSchema, additionalProperties: rule.configSchema.additionalProperties ?? false });
        validators.set(rule, validate);
    }
    return validate;
}

/** Keys every front end may pass that are not rule settings. */
const RESERVED_KEYS = new Set(["enforcementLevel", "waivers"]);

/**
 * Validate one rule's config and fill in its defaults. Throws `ConfigError` naming the field.
 * The input is never mutated.
 */
export function resolveRuleConfig(rule: CatalogueRule, raw: unknown): Record<string, unknown> {
    if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
        throw new ConfigError(rule.id, "", "must be an object");
    }
    policyWaivers(rule.id, raw);
    const config: Record<string, unknown> = {};
    if (Object.keys((raw ?? {}) as object).every(key => RESERVED_KEYS.has(key))) {
        const defaults = emptyConfig(rule);
        if (defaults) {
            return defaults;
        }
    }
    for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (!RESERVED_KEYS.has(key)) {
            config[key] = structuredClone(value);
        }
    }
    // `pulumi preview` fills every policy's config with the schema's defaults before sending it:
    // a config that is exactly the defaults is valid (the test of `emptyConfig` holds that), and
    // is taken as it is without loading ajv.
    const defaults = emptyConfig(rule);
    if (defaults !== undefined && isDeepStrictEqual(config, defaults)) {
        return config;
    }
    const validate = validatorFor(rule);
    if (!validate(config)) {
        const error = (validate.errors ?? [])[0];
        throw new ConfigError(rule.id, fieldOf(error), describe(error));
    }
    return config;
}

/**
 * What validating `{}` against the rule's schema gives, without ajv, for the schemas where that is
 * plain: nothing required, and each property's default a value that needs no further defaults
 * (a primitive, or an array/object whose schema declares no defaults of its own). `undefined`
 * otherwise; ajv then decides. A test holds this equal to ajv's answer for every rule.
 */
export function emptyConfig(rule: CatalogueRule): Record<string, unknown> | undefined {
    const schema = rule.configSchema as { required?: readonly string[]; properties?: Record<string, unknown> };
    if (schema.required && schema.required.length > 0) {
        return undefined;
    }
    const config: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (typeof property !== "object" || property === null) {
            return undefined;
        }
        const { default: value, ...rest } = property as { default?: unknown };
        if (value === undefined) {
            continue;
        }
        if (typeof value === "object" && value !== null && JSON.stringify(rest).includes('"default"')) {
            return undefined;
        }
        config[key] = structuredClone(value);
    }
    return config;
}

function fieldOf(error: ErrorObject | undefined): string {
    if (!error) {
        return "";
    }
    const path = error.instancePath.replace(/^\//, "").replace(/\//g, ".");
    if (error.keyword === "additionalProperties") {
        const extra = String((error.params as { additionalProperty?: string }).additionalProperty);
        return path ? `${path}.${extra}` : extra;
    }
    if (error.keyword === "required") {
        const missing = String((error.params as { missingProperty?: string }).missingProperty);
        return path ? `${path}.${missing}` : missing;
    }
    return path;
}

function describe(error: ErrorObject | undefined): string {
    if (!error) {
        return "is invalid";
    }
    if (error.keyword === "additionalProperties") {
        return "is not a setting of this policy";
    }
    if (error.keyword === "enum") {
        const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
        return `must be one of ${allowed.map(v => JSON.stringify(v)).join(", ")}`;
    }
    return error.message ?? "is invalid";
}

/** The defaults of a rule's config, as `pulumi` would apply them from the schema. */
export function defaultConfig(rule: CatalogueRule): Record<string, unknown> {
    return resolveRuleConfig(rule, {});
}

// ---------------------------------------------------------------------------------------------
// Waivers: accepted exceptions, with an owner and an end date.
//
// They live here, beside the rest of a policy's config, because the CrossGuard pack must honour
// them too (`pulumi preview --policy-pack-config`, where every policy's config may hold a
// `waivers` list) and the published pack ships only `bin/{pack,rules,model,engine,...}`. The CLI's
// waivers file (policies/report/waivers.ts) uses the same entries plus a `rule`.
// ---------------------------------------------------------------------------------------------

/** The config key, in every policy's config, that holds its waivers. */
export const WAIVERS_KEY = "waivers";

/** One waiver, as every front end holds it once read. */
export interface Waiver {
    /** The waiver's name in reports: its `id`, or where it was written (`waivers.yaml#2`). */
    readonly id: string;
    /** A rule id, or `*` for every rule. */
    readonly rule: string;
    /** A URN, Terraform address or ARN; `*` matches within a segment, `**` across (see `selectorMatches`). */
    readonly resource: string;
    readonly reason: string;
    readonly approver: string;
    /** `YYYY-MM-DD`: the last day (UTC) on which the waiver applies. */
    readonly expires: string;
    /** Where it was written, when read from a file. */
    readonly file?: string;
    readonly line?: number;
}

/** The JSON Schema of one waiver's fields; the waivers file adds `rule` (schemas/waivers.schema.json). */
export const WAIVER_FIELDS_SCHEMA = {
    id: { type: "string", minLength: 1, maxLength: 200, description: "A name for the waiver in reports (e.g. a ticket id). Default: where it is written." },
    resource: {
        type: "string", minLength: 1, maxLength: 2000,
        description: "The resource: a Pulumi URN, Terraform address or AWS ARN. '*' matches any run of characters within one segment (not '/', ':' or '.'), '**' any run at all; '*' alone matches every resource.",
    },
    reason: { type: "string", minLength: 1, maxLength: 2000, description: "Why the finding is accepted." },
    approver: { type: "string", minLength: 1, maxLength: 200, description: "Who accepted it." },
    expires: {
        type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description: "The last day (UTC, YYYY-MM-DD) on which the waiver applies; from the next day on, the finding is reported again and the waiver as expired.",
    },
} as const;

export const WAIVER_REQUIRED = ["resource", "reason", "approver", "expires"] as const;

/** The `waivers` entry added to every policy's `configSchema` by the pack. */
export const POLICY_WAIVERS_SCHEMA = {
    type: "array",
    description: "Accepted exceptions to this policy: a waived failure is reported as advisory ('waived: reason (approver, until date)') instead of at the policy's level, until it expires.",
    items: {
        type: "object",
        properties: WAIVER_FIELDS_SCHEMA,
        required: [...WAIVER_REQUIRED],
        additionalProperties: false,
    },
} as const;

let policyWaiversValidator: ValidateFunction | undefined;

function policyWaiversValidation(): ValidateFunction {
    policyWaiversValidator ??= ajv().compile(POLICY_WAIVERS_SCHEMA);
    return policyWaiversValidator;
}

/**
 * The waivers in one policy's raw config (empty when none). Throws `ConfigError` naming the field
 * (`waivers.0.expires`); never quotes the value.
 */
export function policyWaivers(ruleId: string, raw: unknown): Waiver[] {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        return [];
    }
    const list = (raw as Record<string, unknown>)[WAIVERS_KEY];
    if (list === undefined) {
        return [];
    }
    const validate = policyWaiversValidation();
    if (!validate(list)) {
        const error = (validate.errors ?? [])[0];
        const field = fieldOf(error);
        throw new ConfigError(ruleId, field ? `${WAIVERS_KEY}.${field}` : WAIVERS_KEY, describeWaiverError(error));
    }
    const entries = list as ReadonlyArray<{ id?: string; resource: string; reason: string; approver: string; expires: string }>;
    return entries.map((entry, index) => {
        if (!isCalendarDate(entry.expires)) {
            throw new ConfigError(ruleId, `${WAIVERS_KEY}.${index}.expires`, "is not a calendar date (YYYY-MM-DD)");
        }
        return {
            id: entry.id ?? `${ruleId}.${WAIVERS_KEY}.${index}`,
            rule: ruleId,
            resource: entry.resource,
            reason: entry.reason,
            approver: entry.approver,
            expires: entry.expires,
        };
    });
}

/** A waiver error for a person: the pattern of `expires` is a date, not a regex. */
export function describeWaiverError(error: ErrorObject | undefined): string {
    if (error?.keyword === "pattern") {
        return "must be a date written YYYY-MM-DD";
    }
    if (error?.keyword === "additionalProperties") {
        return "is not a waiver field (fields: id, rule, resource, reason, approver, expires)";
    }
    return describe(error);
}

/** `YYYY-MM-DD` naming a real day (not 2026-02-30). */
export function isCalendarDate(text: string): boolean {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) {
        return false;
    }
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    return date.getUTCFullYear() === Number(match[1]) && date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
}

/** A waiver applies through the whole of its `expires` day (UTC) and stops at the next midnight UTC. */
export function waiverExpired(waiver: Pick<Waiver, "expires">, now: Date): boolean {
    const end = Date.parse(`${waiver.expires}T00:00:00Z`) + 24 * 60 * 60 * 1000;
    return !(now.getTime() < end);
}

const selectorCache = new Map<string, CompiledGlob | "all">();

/**
 * Does a resource selector match one of an entity's names (URN, Terraform address, ARN, ref)?
 * Exact, or a glob: `**` matches any run of characters; `*` any run within one segment, i.e. not
 * crossing `/`, `:` or `.` (the separators of ARNs, URNs and Terraform addresses); a selector that
 * is only `*` or `**` matches every resource. No other character is special. Linear time in the
 * name (engine/glob.ts): no selector can make a run hang.
 */
export function selectorMatches(selector: string, candidate: string): boolean {
    let compiled = selectorCache.get(selector);
    if (compiled === undefined) {
        compiled = selector === "*" || selector === "**" ? "all" : compileGlob(selector);
        if (selectorCache.size > 1000) {
            selectorCache.clear();
        }
        selectorCache.set(selector, compiled);
    }
    return compiled === "all" ? true : globMatches(compiled, candidate);
}

/** The names a waiver's `resource` is matched against. */
export interface WaiverTarget {
    readonly ref?: string;
    readonly urn?: string;
    readonly address?: string;
    readonly arn?: string;
}

export function waiverMatches(waiver: Pick<Waiver, "rule" | "resource">, ruleId: string, target: WaiverTarget): boolean {
    if (waiver.rule !== "*" && waiver.rule !== ruleId) {
        return false;
    }
    const names = [target.ref, target.urn, target.address, target.arn].filter((name): name is string => name !== undefined && name !== "");
    if (names.length === 0) {
        return waiver.resource === "*" || waiver.resource === "**";
    }
    return names.some(name => selectorMatches(waiver.resource, name));
}

/**
 * The waiver that applies to a finding, if any: the first matching waiver not expired at `now`.
 * `expired` is the first matching waiver that has expired, when none applies (to say so).
 */
export function applicableWaiver(waivers: readonly Waiver[], ruleId: string, target: WaiverTarget, now: Date): { readonly active?: Waiver; readonly expired?: Waiver } {
    let expired: Waiver | undefined;
    for (const waiver of waivers) {
        if (waiverMatches(waiver, ruleId, target)) {
            if (!waiverExpired(waiver, now)) {
                return { active: waiver };
            }
            expired ??= waiver;
        }
    }
    return expired ? { expired } : {};
}

/** How a waived outcome reads in CrossGuard and text: `waived: <reason> (<approver>, until <date>)`. */
export function waivedNote(waiver: Pick<Waiver, "reason" | "approver" | "expires">): string {
    return `waived: ${waiver.reason} (${waiver.approver}, until ${waiver.expires})`;
}
