import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { assertNoLeak, LeakOptions } from "../../testkit/leaks";

/** The repository root (tests run from dist/test/support). */
const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Every key value in the shared fixtures starts with this (test/fixtures/example-infra/README.md). */
export const EXAMPLE_PLANTED_PREFIX = "PLANTED-apigw-guard-key-";

/**
 * The fixtures' key values were made to be recognised by a person, so they are spelled from words
 * that reports print for other reasons: the tool's name, the example account id in every ARN,
 * "generated" (how a value is handled), "imported" (the name of the key that holds it), "client-0"
 * and "client-1" (the AWS names of the keys that hold the state-client values, which the model
 * keeps as `awsName`). Those parts are not secret and are left out of the leak
 * search; every other 8-character fragment of the values is looked for (see testkit/leaks).
 */
export const EXAMPLE_PUBLIC_PARTS: LeakOptions = { publicParts: ["apigw-guard-", "123456789012", "generated-by-", "imported", "client-0", "client-1"] };

function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap(name => {
        const file = path.join(dir, name);
        return statSync(file).isDirectory() ? filesUnder(file) : [file];
    });
}

let cached: readonly string[] | undefined;

/** The distinct key values planted in test/fixtures, read from the files themselves. */
export function examplePlantedValues(): readonly string[] {
    cached ??= [...new Set(filesUnder(path.join(ROOT, "test", "fixtures")).flatMap(file =>
        readFileSync(file, "utf8").match(/PLANTED-apigw-guard-key-[A-Za-z0-9-]+/g) ?? []))].sort();
    return cached;
}

/** Fails if any text holds a fragment of a key value planted in the shared fixtures. */
export function assertNoExampleLeak(where: string, texts: string | readonly string[] | Readonly<Record<string, string>>): void {
    assertNoLeak(where, texts, examplePlantedValues(), EXAMPLE_PUBLIC_PARTS);
}
