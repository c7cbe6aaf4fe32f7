/**
 * Terraform resource addresses (`module.api["eu"].aws_api_gateway_method.get[0]`) and the
 * references configuration expressions make (`aws_api_gateway_rest_api.api.id`). Parsed into
 * steps so a reference written once in configuration can be matched to the instances that
 * count/for_each expand it into.
 */

export interface TfModuleStep {
    readonly name: string;
    /** Instance key in address syntax (`0`, `"eu"`), when the module call is expanded. */
    readonly key?: string;
}

export interface TfAddress {
    readonly modules: readonly TfModuleStep[];
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly name: string;
    /** Instance key in address syntax (`0`, `"a"`), for count/for_each instances. */
    readonly key?: string;
    /** Attribute steps after the resource (references only), e.g. `["id"]`. */
    readonly attribute: readonly string[];
}

/** Roots of references that do not name a resource. */
const NON_RESOURCE_ROOTS = new Set(["var", "local", "each", "count", "path", "self", "terraform", "module"]);

/** Split on dots outside brackets and quotes: `a["x.y"].b` → `a["x.y"]`, `b`. */
function splitSteps(text: string): string[] | undefined {
    const steps: string[] = [];
    let current = "";
    let depth = 0;
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (quoted) {
            current += ch;
            if (ch === "\\" && i + 1 < text.length) {
                current += text[++i];
            } else if (ch === "\"") {
                quoted = false;
            }
            continue;
        }
        if (ch === "\"") {
            quoted = true;
        } else if (ch === "[") {
            depth++;
        } else if (ch === "]") {
            depth--;
            if (depth < 0) {
                return undefined;
            }
        } else if (ch === "." && depth === 0) {
            steps.push(current);
            current = "";
            continue;
        }
        current += ch;
    }
    if (quoted || depth !== 0) {
        return undefined;
    }
    steps.push(current);
    return steps;
}

/** `name[key]` → name and canonical key (numbers as digits, strings JSON-quoted). */
function splitKey(step: string): { name: string; key?: string } | undefined {
    const open = step.indexOf("[");
    if (open < 0) {
        return step === "" ? undefined : { name: step };
    }
    if (!step.endsWith("]") || open === 0) {
        return undefined;
    }
    const name = step.slice(0, open);
    const raw = step.slice(open + 1, -1).trim();
    if (/^\d+$/.test(raw)) {
        return { name, key: String(Number(raw)) };
    }
    if (raw.startsWith("\"")) {
        try {
            const parsed: unknown = JSON.parse(raw);
            return typeof parsed === "string" ? { name, key: JSON.stringify(parsed) } : undefined;
        } catch {
            return undefined;
        }
    }
    // A non-constant index (`aws_x.y[count.index]`) names no particular instance.
    return { name };
}

/**
 * Parse a resource address or a reference to a resource. Returns undefined for anything that
 * does not name a resource (`var.x`, `local.y`, `module.m.output`, `count.index`).
 */
export function parseAddress(text: string): TfAddress | undefined {
    const steps = splitSteps(text.trim());
    if (!steps) {
        return undefined;
    }
    const modules: TfModuleStep[] = [];
    let i = 0;
    while (i < steps.length && steps[i] === "module") {
        const step = steps[i + 1] !== undefined ? splitKey(steps[i + 1]) : undefined;
        if (!step) {
            return undefined;
        }
        modules.push(step.key === undefined ? { name: step.name } : { name: step.name, key: step.key });
        i += 2;
    }
    let mode: "managed" | "data" = "managed";
    if (steps[i] === "data") {
        mode = "data";
        i++;
    }
    const type = steps[i];
    const resource = steps[i + 1] !== undefined ? splitKey(steps[i + 1]) : undefined;
    if (type === undefined || resource === undefined || NON_RESOURCE_ROOTS.has(type) || !/^[A-Za-z][A-Za-z0-9-]*_[A-Za-z0-9_-]+$/.test(type)) {
        return undefined;
    }
    return {
        modules,
        mode,
        type,
        name: resource.name,
        ...(resource.key !== undefined ? { key: resource.key } : {}),
        attribute: steps.slice(i + 2),
    };
}

/** The module instance part of an address: `module.api["eu"]` (empty for the root module). */
export function moduleInstancePath(address: TfAddress): string {
    return address.modules.map(step => `module.${step.name}${step.key !== undefined ? `[${step.key}]` : ""}`).join(".");
}

/** The module part without instance keys: `module.api` — how configuration names the module. */
export function moduleConfigPath(address: TfAddress): string {
    return address.modules.map(step => `module.${step.name}`).join(".");
}

/** The address of the resource block in configuration (no instance keys, no attribute). */
export function configAddress(address: TfAddress): string {
    const modules = moduleConfigPath(address);
    const resource = `${address.mode === "data" ? "data." : ""}${address.type}.${address.name}`;
    return modules === "" ? resource : `${modules}.${resource}`;
}

/** The resource (instance) a reference names, without its attribute: `aws_x.y[0].id` → `aws_x.y[0]`. */
export function resourceAddress(address: TfAddress): string {
    const modules = moduleInstancePath(address);
    const resource = `${address.mode === "data" ? "data." : ""}${address.type}.${address.name}${address.key !== undefined ? `[${address.key}]` : ""}`;
    return modules === "" ? resource : `${modules}.${resource}`;
}
