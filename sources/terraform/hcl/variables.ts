import { promises as fs } from "fs";
import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { BlockDecl, META_ARGUMENTS } from "./declarations";
import { syntaxError } from "./errors";
import { isPlainObject } from "./expressions";
import { hcl2json } from "./read";

/**
 * Input variables: the values Terraform loads for the root module without being asked
 * (`terraform.tfvars`, `*.auto.tfvars`), and which written value a variable takes.
 */

/** `terraform.tfvars[.json]` and `*.auto.tfvars[.json]` of `dir`, merged in Terraform's order; unreadable files are reported in `errors`. */
export async function readTfvars(dir: string, errors: SourceError[]): Promise<Record<string, unknown>> {
    let names: string[];
    try {
        names = (await fs.readdir(dir)).filter(n => /^terraform\.tfvars(\.json)?$/.test(n) || /\.auto\.tfvars(\.json)?$/.test(n));
    } catch {
        return {};
    }
    // Terraform's order: terraform.tfvars, then *.auto.tfvars in lexical order; later wins.
    names.sort((a, b) => (a.startsWith("terraform.tfvars") ? -1 : b.startsWith("terraform.tfvars") ? 1 : a.localeCompare(b)));
    const values: Record<string, unknown> = {};
    for (const name of names) {
        const file = path.join(dir, name);
        try {
            const text = await fs.readFile(file, "utf8");
            const parsed: unknown = name.endsWith(".json") ? JSON.parse(text) : await hcl2json().parse(name, text);
            if (isPlainObject(parsed)) {
                Object.assign(values, parsed);
            }
        } catch (error) {
            errors.push(name.endsWith(".json") ? new SourceError("JSON syntax error", file) : syntaxError(file, name, error));
        }
    }
    return values;
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
