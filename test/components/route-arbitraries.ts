import fc from "fast-check";
import { RouteSpec } from "../../components";
import { ArgumentChecker } from "../../components/errors";
import { HTTP_METHODS, IntegrationSpec, planRoutes } from "../../components/rest-api/routes";
import { FAKE_LAMBDA } from "./helpers";

/** One of each integration kind the component builds. */
export const INTEGRATIONS: readonly IntegrationSpec[] = [
    { type: "lambda", function: FAKE_LAMBDA },
    { type: "http-proxy", uri: "https://backend.example.com/x" },
    { type: "mock", statusCode: 204 },
];

/**
 * A list of `SecuredRestApi` routes built from the given path segments, `maxDepth` deep, kept only
 * as far as they form a valid spec together (duplicates and sibling-variable clashes such as
 * `{id}` beside `{key}` dropped: the component refuses them at construction, and that is not what
 * the properties using this are about). Never empty.
 */
export function routeSpecs(segments: readonly string[], options: { readonly maxDepth: number; readonly maxRoutes: number }): fc.Arbitrary<RouteSpec[]> {
    const raw = fc.record({
        segments: fc.array(fc.constantFrom(...segments), { minLength: 0, maxLength: options.maxDepth }),
        method: fc.constantFrom(...HTTP_METHODS.filter(m => m !== "OPTIONS")),
        public: fc.boolean(),
        integration: fc.constantFrom(...INTEGRATIONS),
    });
    return fc.array(raw, { minLength: 1, maxLength: options.maxRoutes }).map(validRoutes).filter(routes => routes.length > 0);
}

function validRoutes(raw: readonly { segments: string[]; method: string; public: boolean; integration: IntegrationSpec }[]): RouteSpec[] {
    const check = new ArgumentChecker("SecuredRestApi", "property");
    const accepted: RouteSpec[] = [];
    for (const r of raw) {
        const route = { path: `/${r.segments.join("/")}`, method: r.method as RouteSpec["method"], public: r.public, integration: r.integration };
        try {
            planRoutes(check, [...accepted, route], { corsEnabled: false });
            accepted.push(route);
        } catch {
            // not a valid combination with the routes kept so far
        }
    }
    return accepted;
}
