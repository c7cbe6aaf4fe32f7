import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { CatalogueRule } from "../rules/types";

/** A configuration problem, phrased for a person: which policy, which field, what is wrong. */
export class ConfigError extends Error {
    constructor(readonly policy: string, readonly field: string, detail: string) {
        super(`invalid config for policy '${policy}': ${field ? `field '${field}' ` : ""}${detail}`);
        this.name = "ConfigError";
    }
}

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validators = new WeakMap<CatalogueRule, ValidateFunction>();

function validatorFor(rule: CatalogueRule): ValidateFunction {
    let validate = validators.get(rule);
    if (!validate) {
        validate = ajv.compile({ ...rule.configSchema, additionalProperties: rule.configSchema.additionalProperties ?? false });
        validators.set(rule, validate);
    }
    return validate;
}

/** Keys every front end may pass that are not rule settings. */
const RESERVED_KEYS = new Set(["enforcementLevel"]);

/**
 * Validate one rule's config and fill in its defaults. Throws `ConfigError` naming the field.
 * The input is never mutated.
 */
export function resolveRuleConfig(rule: CatalogueRule, raw: unknown): Record<string, unknown> {
    if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
        throw new ConfigError(rule.id, "", "must be an object");
    }
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (!RESERVED_KEYS.has(key)) {
            config[key] = structuredClone(value);
        }
    }
    const validate = validatorFor(rule);
    if (!validate(config)) {
        const error = (validate.errors ?? [])[0];
        throw new ConfigError(rule.id, fieldOf(error), describe(error));
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
