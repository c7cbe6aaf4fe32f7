import * as fs from "node:fs";

/** The subset of js-yaml used here (it ships with @pulumi/pulumi, without type declarations). */
interface Yaml {
    load(text: string): unknown;
}

/**
 * Read a `Pulumi.<stack>.yaml` file into the flat `key → string` form Pulumi gives a program
 * (structured values as JSON, as `pulumi config --json` and the language host do), ready for
 * `recordProgram(..., { config })`. Secure (encrypted) values are refused: mocks cannot decrypt.
 */
export function loadStackConfig(file: string): Record<string, string> {
    const yaml = require("js-yaml") as Yaml;
    const document = yaml.load(fs.readFileSync(file, "utf8"));
    const config = (document as { config?: unknown } | null)?.config;
    if (config === undefined) {
        return {};
    }
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw new Error(`${file}: 'config' must be a mapping`);
    }
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            throw new Error(`${file}: '${key}' is an encrypted value; give tests a plain value instead`);
        }
        flat[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return flat;
}
