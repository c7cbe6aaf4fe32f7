import { promises as fs } from "fs";
import * as path from "path";
import { Inventory } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { TF_UNKNOWN } from "./types";
import { EvalContext, HclReadOptions } from "./hcl/context";
import { ModuleConfig } from "./hcl/declarations";
import { errorToGap, ioReason } from "./hcl/errors";
import { ModuleInstance } from "./hcl/instance";
import { ModuleLoader } from "./hcl/read";
import { collectRecords } from "./hcl/records";
import { readTfvars, Tfvars } from "./hcl/variables";
import { inventoryFromTerraformRecords } from "./inventory";
import { TfResourceRecord } from "./types";

export { errorToGap, HclNotice } from "./hcl/errors";
export { HclReadOptions } from "./hcl/context";

/**
 * The Terraform HCL front end: a directory of `.tf` (and `.tf.json`) files read statically, with
 * no Terraform binary and no provider. `@cdktf/hcl2json` parses the syntax; this module resolves
 * what can be known within the directory and hands one `TfResourceRecord` per resource instance
 * to the shared mapping (`inventory.ts`), exactly as the plan and state front ends do.
 *
 * What is resolved, and what is left unknown ("unknowns, not guesses"), in full in docs/terraform.md:
 * - literals pass through; blocks stay one-element-per-block arrays, as in plan JSON;
 * - `var.x` is the value set in `terraform.tfvars` / `*.auto.tfvars` (root module, directory
 *   input only), else the module argument (child modules), else the variable's `default`, with
 *   the variable's `type` applied (`optional()` defaults); a variable with none of these is unknown,
 *   and so is one an unreadable tfvars file would set;
 * - `local.x`, module outputs, operators, conditionals, for-expressions, splats, `terraform.workspace`,
 *   `path.module` / `path.root` and the functions of `hcl/functions.ts` (with `try` / `can`) are
 *   evaluated over known values;
 * - `aws_x.y.attr` is the attribute as written in `aws_x.y`'s config when it is known there;
 *   attributes not written in config are computed by the provider (`id`, `arn`) and unknown.
 *   Every such reference is recorded in `references[attribute]` (the resource's address), so the
 *   mapping can link resources whose ids are unknown;
 * - data sources, `path.cwd` and functions not implemented are unknown (a notice names the function);
 * - `count = N` yields N records `x.y[0]`…; `for_each` over a known map or set yields
 *   `x.y["k"]`…; `count = 0` or an empty collection yields none. When the count or collection is
 *   unknown (or the configuration's instance budget is spent), ONE record with the bare address
 *   `x.y` stands for all instances (its `count.index` / `each.*` are unknown) and a notice names
 *   the expression;
 * - local modules (`source = "./path"`) are read recursively with addresses prefixed
 *   `module.<name>.` (indexed like resources when the call has `count`/`for_each`); remote
 *   modules are read where `terraform init` installed them (`.terraform/modules/modules.json`),
 *   else a notice says they are not fetched and the rest is read.
 * Records carry `file`, the declaration `line` and `attributeLines` (attribute → line).
 *
 * This module is the entry point; the parts are in `hcl/`, each depending only on those listed
 * before it:
 * - `lexical.ts`: where comments, quoted strings, templates and heredocs end;
 * - `positions.ts`: lines of blocks and attributes in `.tf` text; `functions.ts`: Terraform's
 *   built-in functions; `expressions.ts`: templates and expressions, parsed and evaluated
 *   statically; `typing.ts`: variable types and `optional()` defaults;
 * - `errors.ts`: notices and error wording; `context.ts`: what one read shares (workspace, file
 *   reads, the instance budget, notices); `declarations.ts`: a module's declarations;
 *   `modules.ts`: module sources and `count` / `for_each` expansion;
 * - `read.ts`: files and directories → declarations; `variables.ts`: tfvars and precedence;
 * - `instance.ts`: evaluation within one module instance; `references.ts`: the resources a value
 *   reads; `records.ts`: one record per resource instance.
 */

export interface HclReadResult {
    readonly records: TfResourceRecord[];
    /** Syntax errors, unreadable files, duplicate declarations, and notices (`HclNotice`); never fatal. */
    readonly errors: SourceError[];
}

/** Read every `.tf` / `.tf.json` file of a directory as the root module (plus auto-loaded tfvars). */
export async function recordsFromHclDirectory(dir: string, options: HclReadOptions = {}): Promise<HclReadResult> {
    const loader = new ModuleLoader();
    const root = await loader.loadModule(dir, []);
    if (root && root.files === 0) {
        loader.errors.push(new SourceError("no Terraform files (.tf, .tf.json) in this directory", dir));
    }
    const tfvars = root ? await readTfvars(dir, loader.errors) : { values: {}, unknownOthers: false };
    return finish(loader, root, tfvars, options);
}

/** Read one `.tf` / `.tf.json` file as a root module of its own (its local modules resolve from its folder). */
export async function recordsFromHclFile(file: string, options: HclReadOptions = {}): Promise<HclReadResult> {
    const loader = new ModuleLoader();
    const root = await loader.loadModule(path.dirname(file), [], [path.basename(file)]);
    return finish(loader, root, { values: {}, unknownOthers: false }, options);
}

/** A directory (see `recordsFromHclDirectory`) or a single file (see `recordsFromHclFile`). */
export async function recordsFromHcl(dirOrFile: string, options: HclReadOptions = {}): Promise<HclReadResult> {
    let stat;
    try {
        stat = await fs.stat(dirOrFile);
    } catch (error) {
        return { records: [], errors: [new SourceError(`cannot read: ${ioReason(error)}`, dirOrFile)] };
    }
    return stat.isDirectory() ? recordsFromHclDirectory(dirOrFile, options) : recordsFromHclFile(dirOrFile, options);
}

export interface HclInventory {
    readonly inventory: Inventory;
    readonly records: readonly TfResourceRecord[];
    readonly errors: readonly SourceError[];
}

/** Records and their Inventory, with the read errors kept apart (a CLI reports them; a gate may fail on them). */
export async function readHcl(dirOrFile: string, options: HclReadOptions = {}): Promise<HclInventory> {
    const { records, errors } = await recordsFromHcl(dirOrFile, options);
    return { inventory: inventoryFromTerraformRecords(records), records, errors };
}

/**
 * The Inventory of a directory or file of Terraform configuration. What could not be read
 * (syntax errors, remote modules) is listed in the Inventory's gaps, as `file:line: message`.
 */
export async function inventoryFromHcl(dirOrFile: string, options: HclReadOptions = {}): Promise<Inventory> {
    const { inventory, errors } = await readHcl(dirOrFile, options);
    if (errors.length === 0) {
        return inventory;
    }
    return inventory.withGaps(errors.map(errorToGap));
}

/** Records of the root module instance (and the module instances below it), with every error the reading collected. */
function finish(loader: ModuleLoader, root: ModuleConfig | undefined, tfvars: Tfvars, options: HclReadOptions): HclReadResult {
    if (!root) {
        return { records: [], errors: loader.errors };
    }
    const values = { ...tfvars.values };
    if (tfvars.unknownOthers) {
        for (const name of root.variables.keys()) {
            if (!Object.prototype.hasOwnProperty.call(values, name)) {
                values[name] = TF_UNKNOWN;
            }
        }
    }
    const context = new EvalContext(root.dir, [...loader.realDirs], options);
    const records: TfResourceRecord[] = [];
    collectRecords(new ModuleInstance(root, "", undefined, values, context), records);
    return { records, errors: [...loader.errors, ...context.notices] };
}
