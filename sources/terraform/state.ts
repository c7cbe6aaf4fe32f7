import { Inventory } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { canonicalTfType, inventoryFromTerraformRecords } from "./inventory";
import { checkFormatVersion, expectObject, expectString, isJsonObject, itemField, jsonTypeName, modulePathOf, optionalObject, sensitivePaths, walkModule } from "./json";
import { TerraformSourceOptions } from "./plan";
import { TfResourceRecord } from "./types";

/** Build the Inventory from `terraform show -json` output of state. Throws `SourceError` on bad input. */
export function inventoryFromTerraformState(json: unknown, opts: TerraformSourceOptions = {}): Inventory {
    return inventoryFromTerraformRecords(terraformStateRecords(json, opts));
}

/**
 * The managed resources in state. Every value is known here (ids, ARNs, `created_date`), so
 * resources are linked by id; state keeps only whole-resource `depends_on`, no per-attribute
 * references. Sensitive paths come from `sensitive_values`.
 */
export function terraformStateRecords(json: unknown, opts: TerraformSourceOptions = {}): TfResourceRecord[] {
    const file = opts.file;
    if (!isJsonObject(json)) {
        throw new SourceError(`expected a JSON object (terraform show -json), found ${jsonTypeName(json)}`, file);
    }
    checkFormatVersion(json, "state", file);
    if ("planned_values" in json || "resource_changes" in json) {
        throw new SourceError("this is a Terraform plan, not state (it has planned_values/resource_changes): read it as a plan", file);
    }
    // An empty state prints only the format version.
    const values = optionalObject(json.values, "values", file);
    const records: TfResourceRecord[] = [];
    const seen = new Set<string>();
    walkModule(optionalObject(values?.root_module, "values.root_module", file), "values.root_module", file, (resource, index, list) => {
        const field = itemField(list, index);
        const address = expectString(resource.address, `${field}.address`, file);
        // Deposed objects are pending deletion; the current object has the same address.
        if (resource.mode === "data" || resource.deposed_key !== undefined) {
            return;
        }
        if (seen.has(address)) {
            // One copy would mask the other (a passing copy hiding a failing one): refuse.
            throw new SourceError(`${field}.address: '${address}' appears twice; state holds one current object per resource, so the input is broken`, file);
        }
        seen.add(address);
        records.push({
            address,
            type: canonicalTfType(expectString(resource.type, `${field}.type`, file)),
            name: expectString(resource.name, `${field}.name`, file),
            mode: "managed",
            modulePath: modulePathOf(address),
            values: expectObject(resource.values ?? {}, `${field}.values`, file),
            sensitivePaths: sensitivePaths(resource.sensitive_values),
            references: {},
            ...(file !== undefined ? { file } : {}),
        });
    });
    return records;
}
