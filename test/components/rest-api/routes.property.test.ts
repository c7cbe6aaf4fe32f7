import assert from "node:assert/strict";
import fc from "fast-check";
import { RouteSpec, SecuredRestApi } from "../../../components";
import { RecordedResource } from "../../../testkit/record";
import { byUrn, ofType, one, record, resourceKeys, T } from "../helpers";
import { routeSpecs } from "../route-arbitraries";

const SEGMENTS = ["orders", "items", "users", "v1", "a-b", "x.y", "{id}", "{key}", "{proxy+}"];

const spec = fc.record({
    routes: routeSpecs(SEGMENTS, { maxDepth: 4, maxRoutes: 8 }),
    cors: fc.boolean(),
    seed: fc.integer(),
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
    const out = [...items];
    let state = seed >>> 0;
    for (let i = out.length - 1; i > 0; i--) {
        state = (state * 1664525 + 1013904223) >>> 0;
        const j = state % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

/** The path of an API Gateway resource, derived the way a policy must in a preview: through dependencies. */
function pathOf(resources: readonly RecordedResource[], target: RecordedResource): string {
    if (target.type === T.restApi) {
        return "/";
    }
    assert.equal(target.type, T.resource);
    const parents = (target.propertyDependencies.parentId ?? []).map(urn => byUrn(resources, urn));
    assert.equal(parents.length, 1, `${target.name} has one parent`);
    const parentPath = pathOf(resources, parents[0]);
    return parentPath === "/" ? `/${String(target.props.pathPart)}` : `${parentPath}/${String(target.props.pathPart)}`;
}

function build(routes: readonly RouteSpec[], cors: boolean): () => void {
    return () => {
        new SecuredRestApi("prop-api", { routes, ...(cors ? { cors: { allowOrigin: "https://app.example.com" } } : {}) });
    };
}

describe("SecuredRestApi properties over random route specs", () => {
    it("every route gets one method on a resource with its path; keys are required except on public routes and preflight", async () => {
        await fc.assert(fc.asyncProperty(spec, async ({ routes, cors }) => {
            const resources = await record(build(routes, cors), true);
            const methods = ofType(resources, T.method);
            assert.ok(routes.length > 0 && methods.length >= routes.length, "a method per route, at least");
            for (const method of methods) {
                const targets = (method.propertyDependencies.resourceId ?? []).map(urn => byUrn(resources, urn));
                assert.equal(targets.length, 1, `${method.name} sits on exactly one resource`);
                const path = pathOf(resources, targets[0]);
                const httpMethod = String(method.props.httpMethod);
                if (httpMethod === "OPTIONS") {
                    assert.ok(cors, "preflight only with cors");
                    assert.equal(method.props.apiKeyRequired, false);
                    continue;
                }
                const route = routes.find(r => r.path === path && r.method.toUpperCase() === httpMethod);
                assert.ok(route, `${httpMethod} ${path} comes from a route`);
                assert.equal(method.props.apiKeyRequired, !route.public, `${httpMethod} ${path}`);
                if (route.public) {
                    assert.equal(method.props.authorization, "NONE");
                }
            }
            assert.equal(methods.filter(m => m.props.httpMethod !== "OPTIONS").length, routes.length);
            // Shared prefixes are created once: one resource per distinct prefix.
            const prefixes = new Set(routes.flatMap(r => r.path.split("/").slice(1).filter(Boolean).map((_, i, parts) => `/${parts.slice(0, i + 1).join("/")}`)));
            assert.deepEqual(ofType(resources, T.resource).map(r => pathOf(resources, r)).sort(), [...prefixes].sort());
        }), { numRuns: 30 });
    });

    it("names and the deployment trigger do not depend on route order", async () => {
        await fc.assert(fc.asyncProperty(spec, async ({ routes, cors, seed }) => {
            const given = await record(build(routes, cors));
            const shuffled = await record(build(shuffle(routes, seed), cors));
            assert.deepEqual(resourceKeys(shuffled), resourceKeys(given));
            const trigger = (resources: RecordedResource[]) => one(resources, T.deployment, "prop-api").props.triggers;
            assert.deepEqual(trigger(shuffled), trigger(given));
        }), { numRuns: 20 });
    });
});
