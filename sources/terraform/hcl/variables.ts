import { promises as fs } from "fs";
import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { parseJsonText } from "../../json-text";
import { TF_UNKNOWN } from "../types";
import { BlockDecl, META_ARGUMENTS } from "./declarations";
import { syntaxError } from "./errors";
import { isPlainObject } from "./expressions";
import { hcl2json } from "./read";

/**
 * Input variables: the values Terraform loads for the root module without being asked
 * (`terraform.tfvars`, `*.auto.tfvars`), and which written value a variable takes.
 */

/** Values set by tfvars files; `unknownOthers` when a file that could not be read may set any variable. */
export interface Tfvars {
    readonly values: Record<string, unknown>;
    readonly unknownOthers: boolean;
}

/**
 * `terraform.tfvars[.json]` and `*.auto.tfvars[.json]` of `dir`, merged in Terraform's order.
 * A file that cannot be read is reported (file and line) and the variables it would set are
 * unknown, never their defaults: Terraform would stop on it, and a `false` in the file must not
 * become the default's `true`. Which names it sets is read from the text where it can be; when
 * it cannot, every variable not set by a later file is unknown.
 */
export async function readTfvars(dir: string, errors: SourceError[]): Promise<Tfvars> {
    let names: string[];
    try {
        names = (await fs.readdir(dir)).filter(n => /^terraform\.tfvars(\.json)?$/.test(n) || /\.auto\.tfvars(\.json)?$/.test(n));
    } catch {
        return { values: {}, unknownOthers: false };
    }
    // Terraform's order: terraform.tfvars, then *.auto.tfvars in lexical order; later wins.
    names.sort((a, b) => (a.startsWith("terraform.tfvars") ? -1 : b.startsWith("terraform.tfvars") ? 1 : a < b ? -1 : a > b ? 1 : 0));
    let values: Record<string, unknown> = {};
    let unknownOthers = false;
    for (const name of names) {
        const file = path.join(dir, name);
        const json = name.endsWith(".json");
        let text: string | undefined;
        try {
            const stat = await fs.stat(file);
            if (!stat.isFile()) {
                errors.push(new SourceError("not a regular file; the variables it would set are unknown", file));
                values = {};
                unknownOthers = true;
                continue;
            }
            text = await fs.readFile(file, "utf8");
            const parsed: unknown = json ? parseJsonTfvars(text, file) : await hcl2json().parse(name, text);
            if (!isPlainObject(parsed)) {
                throw new SourceError("not a tfvars file (expected an object of variable values); the variables it would set are unknown", file);
            }
            Object.assign(values, parsed);
        } catch (error) {
            const reported = error instanceof SourceError ? error : json ? new SourceError("JSON syntax error", file) : syntaxError(file, name, error);
            errors.push(reported.message.includes("variables it would set") ? reported : new SourceError(`${reported.message}; the variables it would set are unknown`, reported.file, reported.line));
            const set = text === undefined ? [] : namesSetIn(text, json);
            if (set.length === 0) {
                values = {};
                unknownOthers = true;
            }
            for (const variable of set) {
                values[variable] = TF_UNKNOWN;
            }
        }
    }
    return { values, unknownOthers };
}

function parseJsonTfvars(text: string, file: string): unknown {
    const parsed = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (!parsed.ok) {
        throw new SourceError(`JSON syntax error: ${parsed.problem.reason}`, file, parsed.problem.line);
    }
    return parsed.value;
}

/** The variable names a tfvars text appears to set (`name =` at the start of a line, or `"name":`). */
function namesSetIn(text: string, json: boolean): string[] {
    const pattern = json ? /"([A-Za-z_][A-Za-z0-9_-]*)"\s*:/g : /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=/gm;
    return [...new Set([...text.matchAll(pattern)].map(match => match[1]))];
}

/** The raw value a variable takes, and where it was written. */
export type VariableSource =
    | { readonly from: "argument"; readonly raw: unknown }
    | { readonly from: "tfvars"; readonly raw: unknown }
    | { readonly from: "default"; readonly raw: unknown };

/**
 * Terraform's precedence: in a child module, the module call's argument (`callBody`); in the
 * root module, tfvars; then the variable's `default`. Undefined when none is written: the value
 * is unknown (it would be asked for, or passed with `-var`).
 */
export function variableSource(
    name: string,
    decl: BlockDecl,
    callBody: Readonly<Record<string, unknown>> | undefined,
    tfvars: Readonly<Record<string, unknown>>,
): VariableSource | undefined {
    if (callBody) {
        if (Object.prototype.hasOwnProperty.call(callBody, name) && !META_ARGUMENTS.has(name) && name !== "source" && name !== "version") {
            return { from: "argument", raw: callBody[name] };
        }
    } else if (Object.prototype.hasOwnProperty.call(tfvars, name)) {
        return { from: "tfvars", raw: tfvars[name] };
    }
    return Object.prototype.hasOwnProperty.call(decl.body, "default") ? { from: "default", raw: decl.body.default } : undefined;
}
