import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { ROOT } from "./fixture";

/** The published schema of the JSON report. */
export const REPORT_SCHEMA = path.join(ROOT, "schemas", "report.schema.json");
/** The SARIF 2.1.0 schema, vendored (see test/fixtures/sarif/README.md for where it comes from). */
export const SARIF_SCHEMA = path.join(ROOT, "test", "fixtures", "sarif", "sarif-schema-2.1.0.json");

/**
 * The JSON Schema formats the two schemas use, checked rather than ignored (ajv-formats is not a
 * dependency; these are the RFC shapes that matter here).
 */
function addFormats(ajv: Pick<Ajv, "addFormat">): void {
    ajv.addFormat("date-time", value => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
    // RFC 3986: a scheme, then only URI characters (percent-escapes allowed), no spaces or backslashes.
    ajv.addFormat("uri", value => /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/.test(value) && !/%(?![0-9A-Fa-f]{2})/.test(value));
    ajv.addFormat("uri-reference", value => /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/.test(value) && !/%(?![0-9A-Fa-f]{2})/.test(value));
    ajv.addFormat("uuid", /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
}

let reportValidator: ValidateFunction | undefined;
let sarifValidator: ValidateFunction | undefined;

export function validateReport(document: unknown): readonly ErrorObject[] {
    if (!reportValidator) {
        const ajv = new Ajv({ allErrors: true, strict: true });
        addFormats(ajv);
        reportValidator = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA, "utf8")) as object);
    }
    return reportValidator(document) ? [] : [...(reportValidator.errors ?? [])];
}

export function validateSarif(document: unknown): readonly ErrorObject[] {
    if (!sarifValidator) {
        // The vendored copy is written for draft 2020-12; `strict: false` because it is not ours
        // to lint (it uses `definitions`, and keywords ajv's strict mode flags).
        const ajv = new Ajv2020({ allErrors: true, strict: false });
        addFormats(ajv);
        sarifValidator = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, "utf8")) as object);
    }
    return sarifValidator(document) ? [] : [...(sarifValidator.errors ?? [])];
}

export function describeErrors(errors: readonly ErrorObject[]): string {
    return errors.slice(0, 8).map(error => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`).join("\n");
}
