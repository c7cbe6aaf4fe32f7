import { Inventory } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";

/**
 * The Terraform front ends, loaded on first use: a scan of a stack export never pays for the
 * HCL parser, a scan of a plan never loads the stack-export reader's neighbours.
 */
export interface FrontEndResult {
    readonly inventory: Inventory;
    /** Parts of the input that could not be read; what could be read is in the inventory. */
    readonly problems: readonly SourceError[];
}

export async function terraformPlan(json: unknown, file: string): Promise<FrontEndResult> {
    const { inventoryFromTerraformPlan } = await import("../sources/terraform/plan");
    return { inventory: inventoryFromTerraformPlan(json, { file }), problems: [] };
}

export async function terraformState(json: unknown, file: string): Promise<FrontEndResult> {
    const { inventoryFromTerraformState } = await import("../sources/terraform/state");
    return { inventory: inventoryFromTerraformState(json, { file }), problems: [] };
}

/**
 * HCL is read file by file: a syntax error in one file leaves the others readable. Errors are
 * problems of the input (the run fails); notices (a remote module that is not fetched) are gaps.
 */
export async function terraformHcl(dirOrFile: string, options: { readonly workspace?: string } = {}): Promise<FrontEndResult> {
    const { readHcl, HclNotice, errorToGap } = await import("../sources/terraform/hcl");
    const { inventory, errors } = await readHcl(dirOrFile, options);
    const notices = errors.filter(error => error instanceof HclNotice);
    const problems = errors.filter(error => !(error instanceof HclNotice));
    return {
        inventory: inventory.withGaps(notices.map(errorToGap)),
        problems,
    };
}
