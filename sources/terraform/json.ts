import { SourceError } from "apigw-guard/policies/sources/errors";
import { moduleInstancePath, parseAddress } from "./address";
import { TF_UNKNOWN } from "./types";

/**
 * Shape checks for `terraform show -json` output. Every error names the field (a JSON path) and
 * the type found, never a value: plans and state hold key values in clear text.
 */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function jsonTypeName(value: unknown): string {
    return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

export function expectObject(value: unknown, field: string, file: string | undefined): JsonObject {
    if (!isJsonObject(value)) {
        throw new SourceError(`${field} must be an object, found ${jsonTypeName(value)}`, file);
    }
    return value;
}

/** An object, or undefined for null/absent. */
export function optionalObject(value: unknown, field: string, file: string | undefined): JsonObject | undefined {
    return value === undefined || value === null ? undefined : expectObject(value, field, file);
}

/** An array, or empty for null/absent. */
export function optionalArray(value: unknown, field: string, file: string | undefined): readonly unknown[] {
    if (value === undefined || value === null) {
        return [];
    }
    if (!Array.isArray(value)) {
        throw new SourceError(`${field} must be an array, found ${jsonTypeName(value)}`, file);
    }
    return value;
}

export function expectString(value: unknown, field: string, file: string | undefined): string {
    if (typeof value !== "string" || value === "") {
        throw new SourceError(`${field} must be a non-empty string, found ${value === "" ? "an empty string" : jsonTypeName(value)}`, file);
    }
    return value;
}

/**
 * Terraform's JSON output formats are versioned `major.minor`; a new major version may change the
 * structure. 1.x is what Terraform 1.1 and later print; 0.x (Terraform 0.12 to 1.0) has the same
 * structure and is still common in fixtures and older pipelines.
 */
export function checkFormatVersion(root: JsonObject, kind: "plan" | "state", file: string | undefined): void {
    const version = root.format_version;
    const what = kind === "plan" ? "terraform show -json <planfile>" : "terraform show -json";
    if (version === undefined) {
        throw new SourceError(`not Terraform JSON output (${what}): no format_version field`, file);
    }
    if (typeof version !== "string" || !/^\d+\.\d+(\.\d+)?$/.test(version)) {
        throw new SourceError(`format_version must be a version string such as "1.2", found ${typeof version === "string" ? "another string" : jsonTypeName(version)}`, file);
    }
    const major = Number(version.split(".")[0]);
    if (major > 1) {
        throw new SourceError(`unsupported Terraform ${kind} format_version ${version}: apigw-guard reads format 1.x (and the 0.x format of Terraform 0.12 to 1.0)`, file);
    }
}

/** The module instance part of an address (`module.api["eu"]`), "" for the root module. */
export function modulePathOf(address: string): string {
    const parsed = parseAddress(address);
    return parsed ? moduleInstancePath(parsed) : "";
}

/**
 * Calls `visit` for every resource of a module and its nested `child_modules`. The resource's
 * field path is `${list}[${index}]`, built by `itemField` only when an error needs it: building it
 * for every resource of a large plan was measurable garbage.
 */
export function walkModule(
    module: JsonObject | undefined,
    field: string,
    file: string | undefined,
    visit: (resource: JsonObject, index: number, list: string, module: JsonObject) => void,
): void {
    if (!module) {
        return;
    }
    const resources = module.resources;
    if (Array.isArray(resources)) {
        for (let index = 0; index < resources.length; index++) {
            const resource: unknown = resources[index];
            visit(isJsonObject(resource) ? resource : expectObject(resource, itemField(`${field}.resources`, index), file), index, `${field}.resources`, module);
        }
    } else {
        optionalArray(resources, `${field}.resources`, file);
    }
    optionalArray(module.child_modules, `${field}.child_modules`, file).forEach((child, index) => {
        const childField = itemField(`${field}.child_modules`, index);
        walkModule(expectObject(child, childField, file), childField, file, visit);
    });
}

/** `list[index]`: the JSON path of one array item. */
export function itemField(list: string, index: number): string {
    return `${list}[${index}]`;
}

/** Records with no sensitive values (most) share this set; record sets are read-only. */
const NO_SENSITIVE_PATHS: ReadonlySet<string> = new Set<string>();

/**
 * Sensitive markers (plan `after_sensitive`, state `sensitive_values`) mirror the value: `true`
 * where a value is sensitive. Paths are dotted without list indexes, as the readers use them.
 */
export function sensitivePaths(mask: unknown): ReadonlySet<string> {
    if (!hasTrue(mask)) {
        return NO_SENSITIVE_PATHS;
    }
    const out = new Set<string>();
    const visit = (node: unknown, prefix: string) => {
        if (node === true) {
            out.add(prefix === "" ? "*" : prefix);
        } else if (Array.isArray(node)) {
            node.forEach(item => visit(item, prefix));
        } else if (isJsonObject(node)) {
            for (const [key, item] of Object.entries(node)) {
                visit(item, prefix === "" ? key : `${prefix}.${key}`);
            }
        }
    };
    visit(mask, "");
    return out;
}

/** True if a `true` leaf is anywhere in a sensitive/unknown mask (allocation-free). */
function hasTrue(mask: unknown): boolean {
    if (mask === true) {
        return true;
    }
    if (typeof mask !== "object" || mask === null) {
        return false;
    }
    if (Array.isArray(mask)) {
        for (const item of mask) {
            if (hasTrue(item)) {
                return true;
            }
        }
        return false;
    }
    for (const key in mask) {
        if (Object.prototype.hasOwnProperty.call(mask, key) && hasTrue((mask as JsonObject)[key])) {
            return true;
        }
    }
    return false;
}

/** Overlay plan `after_unknown` (`true` where a value is known only after apply) onto `after`. */
export function withUnknowns(value: unknown, mask: unknown): unknown {
    if (!hasTrue(mask)) {
        return value;
    }
    if (mask === true) {
        return TF_UNKNOWN;
    }
    if (Array.isArray(mask)) {
        const list: readonly unknown[] = Array.isArray(value) ? value : [];
        return Array.from({ length: Math.max(list.length, mask.length) }, (_, index) => withUnknowns(list[index], mask[index]));
    }
    if (isJsonObject(mask)) {
        const out: JsonObject = isJsonObject(value) ? { ...value } : {};
        for (const [key, item] of Object.entries(mask)) {
            out[key] = withUnknowns(out[key], item);
        }
        return out;
    }
    return value;
}
