import { readFileSync } from "fs";
import * as path from "path";

/** Tests run from dist/test/...; fixtures stay in the source tree. */
export const OPENAPI_FIXTURES = path.resolve(__dirname, "../../../../../test/policies/sources/openapi/fixtures");

export function fixture(name: string): string {
    return readFileSync(path.join(OPENAPI_FIXTURES, name), "utf8");
}

/** A key value planted as an example and a default inside a body: no output may ever contain it. */
export const PLANTED_BODY_KEY = "PLANTED-body-key-Zq81vWc0ddRk3Pn5Lx7m";
