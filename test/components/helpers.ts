import assert from "node:assert/strict";
import { RecordedResource, recordProgram, Recording, runProgram, UNKNOWN } from "../../testkit/record";
import { findLeaks, Leak, leakDetector } from "../../testkit/leaks";

export { UNKNOWN };

export const T = {
    restApi: "aws:apigateway/restApi:RestApi",
    resource: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    integration: "aws:apigateway/integration:Integration",
    methodResponse: "aws:apigateway/methodResponse:MethodResponse",
    integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
    authorizer: "aws:apigateway/authorizer:Authorizer",
    deployment: "aws:apigateway/deployment:Deployment",
    stage: "aws:apigateway/stage:Stage",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    apiKey: "aws:apigateway/apiKey:ApiKey",
    usagePlan: "aws:apigateway/usagePlan:UsagePlan",
    usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
    account: "aws:apigateway/account:Account",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    permission: "aws:lambda/permission:Permission",
    lambda: "aws:lambda/function:Function",
    password: "random:index/randomPassword:RandomPassword",
    rotating: "time:index/rotating:Rotating",
    wafAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
} as const;

/** A fixed clock: rotation schedules and mock timestamps are deterministic. */
export const NOW = new Date("2026-11-27T12:00:00Z");

/** A Lambda target without creating a function (ARNs are plain strings). */
export const FAKE_LAMBDA = {
    arn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
    invokeArn: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations",
};

export function record(program: () => unknown, preview = false): Promise<RecordedResource[]> {
    return recordProgram(program, { project: "test", stack: "dev", preview, now: NOW });
}

export function run(program: () => unknown, preview = false): Promise<Recording> {
    return runProgram(program, { project: "test", stack: "dev", preview, now: NOW });
}

export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
    return resources.filter(r => r.type === type);
}

export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
    const matches = resources.filter(r => r.type === type && r.name === name);
    assert.equal(matches.length, 1, `expected one ${type} named '${name}', found ${matches.length}: ${resources.filter(r => r.type === type).map(r => r.name).join(", ")}`);
    return matches[0];
}

export function byUrn(resources: readonly RecordedResource[], urn: string): RecordedResource {
    const match = resources.find(r => r.urn === urn);
    assert.ok(match, `no resource with urn ${urn}`);
    return match;
}

/** The single resource of `type` that property `prop` of `resource` depends on. */
export function dependencyOf(resources: readonly RecordedResource[], resource: RecordedResource, prop: string, type: string): RecordedResource {
    const deps = (resource.propertyDependencies[prop] ?? []).map(urn => byUrn(resources, urn)).filter(r => r.type === type);
    assert.equal(deps.length, 1, `${resource.name}.${prop} should depend on exactly one ${type}`);
    return deps[0];
}

/** `type::name` of every resource: what decides whether an update replaces anything. */
export function resourceKeys(resources: readonly RecordedResource[]): string[] {
    return resources.map(r => `${r.type}::${r.name}`).sort();
}

/** Record a program that is expected to throw; returns the error and what was registered. */
export async function recordFailure(program: () => unknown): Promise<{ error: Error; resources: RecordedResource[] }> {
    let error: unknown;
    const resources = await record(() => {
        try {
            program();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof Error, "the program was expected to throw");
    return { error, resources };
}

/** Assert a construction error names the argument, and that nothing was registered. */
export async function assertArgumentError(program: () => unknown, argument: string, pattern?: RegExp): Promise<Error> {
    const { error, resources } = await recordFailure(program);
    assert.ok(error.message.includes(`argument '${argument}'`), `message should name '${argument}': ${error.message}`);
    if (pattern) {
        assert.match(error.message, pattern);
    }
    assert.deepEqual(resources.map(r => r.name), [], "nothing may be registered when arguments are invalid");
    return error;
}

/**
 * Every place a fragment of `needle` (see testkit/leaks) occurs in `value` outside a Pulumi
 * secret envelope (wire form). Returns the JSON paths, for the assertion message.
 */
export function plaintextOccurrences(value: unknown, needle: string, path = "$"): string[] {
    return occurrences(value, leakDetector(needle), path);
}

function occurrences(value: unknown, detect: (text: string) => readonly Leak[], path: string): string[] {
    if (typeof value === "string") {
        return detect(value).length > 0 ? [path] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => occurrences(item, detect, `${path}[${i}]`));
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
            return [];
        }
        return Object.entries(record).flatMap(([key, item]) => [
            ...(detect(key).length > 0 ? [`${path} (key)`] : []),
            ...occurrences(item, detect, `${path}.${key}`),
        ]);
    }
    return [];
}

/** Assert a secret never appears unencrypted anywhere in a recording. */
export function assertNeverPlaintext(recording: Recording, secretValue: string): void {
    const leaks: string[] = [];
    for (const r of recording.resources) {
        leaks.push(...plaintextOccurrences(r.wireProps, secretValue, `${r.name}.inputs`));
        leaks.push(...plaintextOccurrences(r.wireOutputs, secretValue, `${r.name}.outputs`));
        for (const [key, value] of Object.entries(r.props)) {
            if (!r.secretProps.has(key)) {
                leaks.push(...plaintextOccurrences(value, secretValue, `${r.name}.props.${key}`));
            }
        }
        for (const [key, value] of Object.entries(r.outputs)) {
            if (!r.outputSecretProps.has(key)) {
                leaks.push(...plaintextOccurrences(value, secretValue, `${r.name}.outputs.${key}`));
            }
        }
        leaks.push(...plaintextOccurrences(r.urn, secretValue, `${r.name}.urn`));
    }
    leaks.push(...plaintextOccurrences(recording.exports, secretValue, "exports"));
    if (findLeaks(recording.logs, secretValue).length > 0) {
        leaks.push("logs");
    }
    assert.deepEqual(leaks, [], "the secret appears in plain text");
}
