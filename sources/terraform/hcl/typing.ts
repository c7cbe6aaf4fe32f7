import { isTfUnknown, TF_UNKNOWN } from "../types";
import { evaluate, Expr, isPlainObject, parseExpression, parseTemplate } from "./expressions";
import { toSet } from "./functions";

/**
 * Variable types, applied the way Terraform applies them to the value a variable takes: an
 * `object({...})` keeps only its attributes, and an attribute declared `optional(T, default)`
 * that the value leaves out is the default (or null). Without this, `try(each.value.auth, "NONE")`
 * over an optional attribute would fall back to "NONE" where Terraform gives null or the default.
 * A type this reader cannot read leaves the value as written.
 */

export type TfType =
    | { readonly k: "any" | "string" | "number" | "bool" }
    | { readonly k: "list" | "set" | "map"; readonly of: TfType }
    | { readonly k: "tuple"; readonly items: readonly TfType[] }
    | { readonly k: "object"; readonly attrs: ReadonlyMap<string, { readonly type: TfType; readonly optional: boolean; readonly default?: unknown }> };

const NO_RESOLVER = { traversal: () => TF_UNKNOWN };

/** The type of a variable's `type` argument as hcl2json gives it (`"${map(object({...}))}"`), or undefined when it cannot be read. */
export function parseType(raw: unknown): TfType | undefined {
    if (typeof raw !== "string") {
        return undefined;
    }
    const template = raw.startsWith("${") ? parseTemplate(raw) : parseExpression(raw);
    const expr = template.t === "template" && template.parts.length === 1 && typeof template.parts[0] !== "string" ? template.parts[0] : template;
    return typeOf(expr);
}

function typeOf(expr: Expr): TfType | undefined {
    if (expr.t === "traversal" && expr.steps.length === 0) {
        return expr.root === "any" || expr.root === "string" || expr.root === "number" || expr.root === "bool" ? { k: expr.root } : undefined;
    }
    if (expr.t !== "call" || expr.expand) {
        return undefined;
    }
    const [arg] = expr.args;
    switch (expr.name) {
        case "list":
        case "set":
        case "map": {
            const of = arg ? typeOf(arg) : undefined;
            return of && expr.args.length === 1 ? { k: expr.name, of } : undefined;
        }
        case "tuple": {
            if (arg?.t !== "tuple") {
                return undefined;
            }
            const items = arg.items.map(typeOf);
            return items.every((item): item is TfType => item !== undefined) ? { k: "tuple", items } : undefined;
        }
        case "object": {
            if (arg?.t !== "object") {
                return undefined;
            }
            const attrs = new Map<string, { type: TfType; optional: boolean; default?: unknown }>();
            for (const [keyExpr, valueExpr] of arg.items) {
                const name = keyExpr.t === "literal" && typeof keyExpr.value === "string" ? keyExpr.value : keyExpr.t === "traversal" && keyExpr.steps.length === 0 ? keyExpr.root : undefined;
                if (name === undefined) {
                    return undefined;
                }
                if (valueExpr.t === "call" && valueExpr.name === "optional") {
                    const inner = valueExpr.args[0] ? typeOf(valueExpr.args[0]) : undefined;
                    if (!inner || valueExpr.args.length > 2) {
                        return undefined;
                    }
                    attrs.set(name, {
                        type: inner,
                        optional: true,
                        ...(valueExpr.args[1] ? { default: evaluate(valueExpr.args[1], NO_RESOLVER) } : {}),
                    });
                    continue;
                }
                const type = typeOf(valueExpr);
                if (!type) {
                    return undefined;
                }
                attrs.set(name, { type, optional: false });
            }
            return { k: "object", attrs };
        }
        default:
            return undefined;
    }
}

/** `value` converted to `type` as Terraform converts a variable's value; unknown where Terraform would refuse it. */
export function convert(value: unknown, type: TfType): unknown {
    if (isTfUnknown(value) || value === null || value === undefined || type.k === "any") {
        return value;
    }
    switch (type.k) {
        case "string":
            return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : TF_UNKNOWN;
        case "number":
            return typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : TF_UNKNOWN;
        case "bool":
            return typeof value === "boolean" ? value : value === "true" ? true : value === "false" ? false : TF_UNKNOWN;
        case "list":
            return Array.isArray(value) ? value.map(item => convert(item, type.of)) : TF_UNKNOWN;
        case "set": {
            if (!Array.isArray(value)) {
                return TF_UNKNOWN;
            }
            const items = value.map(item => convert(item, type.of));
            return items.some(isTfUnknown) ? items : toSet(items);
        }
        case "map":
            return isPlainObject(value) ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, convert(item, type.of)])) : TF_UNKNOWN;
        case "tuple":
            return Array.isArray(value) && value.length === type.items.length ? value.map((item, i) => convert(item, type.items[i])) : TF_UNKNOWN;
        case "object": {
            if (!isPlainObject(value)) {
                return TF_UNKNOWN;
            }
            const out: Record<string, unknown> = {};
            for (const [name, attr] of type.attrs) {
                const present = Object.prototype.hasOwnProperty.call(value, name) ? value[name] : undefined;
                if (present === undefined || present === null) {
                    if (!attr.optional && present === undefined) {
                        // A required attribute left out: Terraform refuses the value.
                        return TF_UNKNOWN;
                    }
                    out[name] = attr.default !== undefined ? convert(attr.default, attr.type) : null;
                } else {
                    out[name] = convert(present, attr.type);
                }
            }
            return out;
        }
    }
}
