import { readFileSync } from "fs";
import * as path from "path";

/**
 * The kit's version, read from the package's own package.json (from `dist/api/`, two levels up),
 * so the CLI, the programmatic API and the pack (whose package.json a test holds to the same
 * version) report one version.
 */
export function kitVersion(): string {
    try {
        const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version?: unknown };
        return typeof manifest.version === "string" ? manifest.version : "0.0.0";
    } catch {
        return "0.0.0";
    }
}
