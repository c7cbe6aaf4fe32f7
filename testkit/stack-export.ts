/**
 * `pulumi stack export` of a program recorded under mocks: what the CLI would write after a
 * `pulumi up` of that program, so a test can put the same program through the stack-export front
 * end as through the pack.
 *
 * The shape is deployment version 3 (pulumi `sdk/go/common/apitype/core.go`, `DeploymentV3` and
 * `ResourceV3`): the root `pulumi:pulumi:Stack`, the default provider every custom resource names
 * as `<provider urn>::<provider id>`, then the program's resources in registration order with
 * urn, custom, id, type, inputs, outputs, parent, dependencies and propertyDependencies. As in a
 * real state, resource references are stored as what the engine resolved them to (the referenced
 * custom resource's id, a component's URN), outputs carry `id`, and every secret is
 * `{sig, ciphertext}`: an export taken without `--show-secrets` never holds a secret's value.
 */
import { createHash, randomBytes } from "node:crypto";
import { RecordedResource, toEngineResource } from "./record";
import { SECRET_SIG, SIG_KEY } from "./wire";

export interface StackExportResource {
    readonly urn: string;
    readonly custom: boolean;
    readonly id?: string;
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
    readonly parent?: string;
    readonly provider?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface StackExport {
    readonly version: 3;
    readonly deployment: {
        readonly manifest: { readonly time: string; readonly magic: string; readonly version: string };
        readonly secrets_providers: { readonly type: "passphrase"; readonly state: { readonly salt: string } };
        readonly resources: readonly StackExportResource[];
    };
}

export interface StackExportOptions {
    readonly project: string;
    readonly stack: string;
    /** The manifest time. */
    readonly time: Date;
    /** The pulumi-aws version the default provider is named after. Default 6.66.0. */
    readonly awsVersion?: string;
}

/** The export of a recording made with `preview: false` (a preview has no state to export). */
export function stackExportOf(resources: readonly RecordedResource[], opts: StackExportOptions): StackExport {
    const stackUrn = `urn:pulumi:${opts.stack}::${opts.project}::pulumi:pulumi:Stack::${opts.project}-${opts.stack}`;
    const awsVersion = opts.awsVersion ?? "6.66.0";
    const providerUrn = `urn:pulumi:${opts.stack}::${opts.project}::pulumi:providers:aws::default_${awsVersion.replace(/\./g, "_")}`;
    const providerId = uuidFrom(providerUrn);
    const providerInputs = { region: "us-east-1", skipCredentialsValidation: "false", skipRegionValidation: "true", version: awsVersion };
    const out: StackExportResource[] = [
        { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack" },
        { urn: providerUrn, custom: true, id: providerId, type: "pulumi:providers:aws", inputs: providerInputs, outputs: providerInputs },
    ];
    for (const resource of resources) {
        if (resource.custom && (resource.id === undefined || resource.id === "")) {
            throw new Error(`${resource.urn} has no id: record the program with preview: false to export it`);
        }
        const sent = toEngineResource(resource);
        const entry: StackExportResource = {
            urn: resource.urn,
            custom: resource.custom,
            ...(resource.custom ? { id: resource.id } : {}),
            type: resource.type,
            inputs: encrypted(sent.props) as Record<string, unknown>,
            outputs: encrypted(resource.custom ? { ...sent.outputs, id: resource.id } : sent.outputs ?? {}) as Record<string, unknown>,
            parent: resource.parent ?? stackUrn,
            ...(resource.custom && resource.type.startsWith("aws:") ? { provider: `${providerUrn}::${providerId}` } : {}),
            dependencies: sent.dependencies,
            propertyDependencies: sent.propertyDependencies,
        };
        out.push(entry);
    }
    return {
        version: 3,
        deployment: {
            manifest: { time: opts.time.toISOString(), magic: createHash("sha256").update(`${opts.project}/${opts.stack}`).digest("hex"), version: "v3.150.0" },
            secrets_providers: { type: "passphrase", state: { salt: `v1:${createHash("sha256").update(opts.stack).digest("base64").slice(0, 12)}:v1:rules-fixtures:` } },
            resources: out,
        },
    };
}

/**
 * Secrets as the passphrase provider stores them: `{sig, ciphertext}`. The ciphertext here is
 * random bytes, not derived from the value at all (a real one differs on every encryption too), so
 * an export made by this helper holds no trace of a secret.
 */
function encrypted(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(encrypted);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            return { [SIG_KEY]: SECRET_SIG, ciphertext: `v1:${randomBytes(12).toString("base64")}:${randomBytes(32).toString("base64")}` };
        }
        return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, encrypted(item)]));
    }
    return value;
}

function uuidFrom(text: string): string {
    const hex = createHash("sha256").update(text).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
