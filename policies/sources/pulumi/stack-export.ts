import { Inventory } from "../../model";
import { SourceError } from "../errors";
import { inventoryFromPulumi } from "./adapter";
import { PulumiResourceRecord, SECRET_SIG, SIG_KEY, unwrapSecrets } from "./types";

/**
 * `pulumi stack export` (and the checkpoint files of the self-managed backends) as an Inventory,
 * without the Pulumi CLI: the deployed state of a stack, checked by the same rules as a preview.
 *
 * Deployment versions 1–3 share the resource fields read here (urn, type, id, inputs, outputs,
 * parent, dependencies, propertyDependencies, delete); version 3 added secrets, which older
 * versions simply do not contain.
 */
export interface StackExportOptions {
    /** The file the export was read from; recorded in every entity's provenance. */
    readonly file?: string;
}

export const SUPPORTED_DEPLOYMENT_VERSIONS: readonly number[] = [1, 2, 3];

/**
 * Stands in for a value that cannot be read. The adapter treats it like a preview's computed
 * value: the rules say "cannot tell" for it instead of judging a ciphertext.
 */
const UNREADABLE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Pulumi's serialized resource reference and output value signatures (property-values.json). */
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

const STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export function inventoryFromStackExport(json: unknown, opts: StackExportOptions = {}): Inventory {
    return inventoryFromPulumi(recordsFromStackExport(json, opts));
}

/** The resources of an export as Pulumi records (stack, providers and pending deletes left out). */
export function recordsFromStackExport(json: unknown, opts: StackExportOptions = {}): PulumiResourceRecord[] {
    const resources = deploymentResources(json, opts.file);
    const records: PulumiResourceRecord[] = [];
    const seen = new Set<string>();
    resources.forEach((raw, index) => {
        const record = toRecord(raw, index, opts.file);
        if (record === undefined) {
            return;
        }
        if (seen.has(record.urn)) {
            throw new SourceError(`deployment.resources[${index}]: the URN ${record.urn} appears twice`, opts.file);
        }
        seen.add(record.urn);
        records.push(record);
    });
    return records;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deploymentResources(json: unknown, file: string | undefined): readonly unknown[] {
    if (!isObject(json)) {
        throw new SourceError("not a Pulumi stack export: expected a JSON object with 'version' and 'deployment'", file);
    }
    const version = json.version;
    if (typeof version !== "number" || !Number.isInteger(version)) {
        throw new SourceError("not a Pulumi stack export: 'version' is missing or not an integer", file);
    }
    if (!SUPPORTED_DEPLOYMENT_VERSIONS.includes(version)) {
        throw new SourceError(
            `unsupported Pulumi deployment version ${version}: this tool reads versions ${SUPPORTED_DEPLOYMENT_VERSIONS.join(", ")}` +
            (version > 3 ? " (export it with a Pulumi CLI that writes version 3, or upgrade apigw-guard)" : ""),
            file,
        );
    }
    let deployment: unknown;
    if ("deployment" in json) {
        deployment = json.deployment;
    } else if (isObject(json.checkpoint)) {
        // The state file of a self-managed backend: `{version, checkpoint: {stack, latest}}`;
        // `latest` is absent for a stack that was never deployed.
        deployment = json.checkpoint.latest ?? {};
    } else {
        throw new SourceError("not a Pulumi stack export: neither 'deployment' nor 'checkpoint' is present", file);
    }
    if (deployment === null) {
        return [];
    }
    if (!isObject(deployment)) {
        throw new SourceError("malformed Pulumi stack export: 'deployment' is not an object", file);
    }
    const resources = deployment.resources;
    if (resources === undefined || resources === null) {
        return [];
    }
    if (!Array.isArray(resources)) {
        throw new SourceError("malformed Pulumi stack export: 'deployment.resources' is not a list", file);
    }
    return resources;
}

function toRecord(raw: unknown, index: number, file: string | undefined): PulumiResourceRecord | undefined {
    const where = `deployment.resources[${index}]`;
    if (!isObject(raw)) {
        throw new SourceError(`${where} is not an object`, file);
    }
    const urn = raw.urn;
    if (typeof urn !== "string" || urn === "") {
        throw new SourceError(`${where} has no 'urn'`, file);
    }
    const type = typeof raw.type === "string" && raw.type !== "" ? raw.type : typeFromUrn(urn);
    if (type === undefined) {
        throw new SourceError(`${where} has no 'type' and its URN names none`, file);
    }
    // A pending delete is the old copy of a replaced resource: judging it would report a
    // resource the next update removes.
    if (raw.delete === true || type === STACK_TYPE || type.startsWith(PROVIDER_TYPE_PREFIX)) {
        return undefined;
    }
    const { props, secretProps } = mergeProperties(raw.inputs, raw.outputs);
    const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : undefined;
    return {
        type,
        urn,
        name: nameFromUrn(urn),
        props,
        secretProps,
        ...(id !== undefined ? { id } : {}),
        ...(typeof raw.parent === "string" && raw.parent !== "" ? { parent: raw.parent } : {}),
        ...(Array.isArray(raw.dependencies) ? { dependencies: raw.dependencies.filter((d): d is string => typeof d === "string") } : {}),
        ...(isObject(raw.propertyDependencies) ? { propertyDependencies: propertyDependencies(raw.propertyDependencies) } : {}),
        ...(file !== undefined ? { file } : {}),
    };
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; the name may itself contain `::`. */
function nameFromUrn(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

function typeFromUrn(urn: string): string | undefined {
    const parts = urn.split("::");
    if (parts.length < 4) {
        return undefined;
    }
    // The qualified type is `parent$child`; the resource's own type is the last one.
    const qualified = parts[2].split("$");
    return qualified[qualified.length - 1] || undefined;
}

function propertyDependencies(raw: Record<string, unknown>): Record<string, readonly string[]> {
    const out: Record<string, readonly string[]> = {};
    for (const [prop, urns] of Object.entries(raw)) {
        if (Array.isArray(urns)) {
            out[prop] = urns.filter((u): u is string => typeof u === "string");
        }
    }
    return out;
}

/**
 * Outputs are what the provider reported after the last update, so they win; inputs fill what
 * outputs lack: a property absent or null in the outputs (a resource whose create failed has
 * inputs only), or an output that is an opaque ciphertext while the input is readable.
 *
 * A property counts as secret only when every copy of it in the state is one. A value the
 * program passed in plain text stays plain in the state's inputs even when the provider marks
 * the output secret (`additionalSecretOutputs`, as pulumi-aws does for `ApiKey.value`: see
 * pulumi/pulumi#7910), and a secret input can come back as a plain output (pulumi/pulumi#3772).
 * Either way the value can be read from the state file: it is plain text, not a secret.
 *
 * A secret the provider produced without the program supplying it (an API key value AWS
 * generated, encrypted by `additionalSecretOutputs`) is kept for its secret-ness only, even when
 * `--show-secrets` made it readable: it is not a value the program gave, and judging it as one
 * would make the verdict depend on how the export was taken.
 */
function mergeProperties(inputs: unknown, outputs: unknown): { props: Record<string, unknown>; secretProps: Set<string> } {
    const decodedOutputs = decodeBag(outputs);
    const decodedInputs = decodeBag(inputs);
    const props: Record<string, unknown> = {};
    const secretProps = new Set<string>();
    for (const key of new Set([...decodedOutputs.keys(), ...decodedInputs.keys()])) {
        const output = decodedOutputs.get(key);
        const input = decodedInputs.get(key);
        const providerSecret = output !== undefined && input === undefined && isSecretEnvelope(isObject(outputs) ? outputs[key] : undefined);
        const readable = [output, input].find(copy => copy !== undefined && copy.value !== UNREADABLE);
        props[key] = providerSecret ? UNREADABLE : (readable ?? output ?? input)?.value;
        if ((output === undefined || output.secret) && (input === undefined || input.secret)) {
            secretProps.add(key);
        }
    }
    return { props, secretProps };
}

function isSecretEnvelope(value: unknown): boolean {
    return isObject(value) && (value[SIG_KEY] === SECRET_SIG || (value[SIG_KEY] === OUTPUT_VALUE_SIG && value.secret === true));
}

/** The non-null top-level properties of a bag, each unwrapped with whether it held a secret. */
function decodeBag(bag: unknown): Map<string, { value: unknown; secret: boolean }> {
    const decoded = new Map<string, { value: unknown; secret: boolean }>();
    if (isObject(bag)) {
        for (const [key, raw] of Object.entries(bag)) {
            if (raw !== null && raw !== undefined) {
                decoded.set(key, unwrapSecrets(toWireForm(raw)));
            }
        }
    }
    return decoded;
}

/**
 * Rewrite the export's envelopes into the engine's wire form so `unwrapSecrets` (shared with the
 * CrossGuard front end) can unwrap them:
 * - `{sig, ciphertext}` stays opaque: the value becomes unreadable and only its secret-ness is
 *   kept. Ciphertexts are never fingerprinted: the same value encrypts differently each time, so
 *   equal ciphertexts would prove nothing and different ones would hide equal values.
 * - `{sig, plaintext}` (`pulumi stack export --show-secrets`) holds the JSON-serialised value;
 *   it is decoded for fingerprinting only and stays marked secret.
 * - resource references become the referenced id (what the provider saw), output values their value.
 */
function toWireForm(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(toWireForm);
    }
    if (!isObject(value)) {
        return value;
    }
    const sig = value[SIG_KEY];
    if (sig === SECRET_SIG) {
        if (typeof value.plaintext === "string") {
            return { [SIG_KEY]: SECRET_SIG, value: toWireForm(decodePlaintext(value.plaintext)) };
        }
        if ("value" in value) {
            return { [SIG_KEY]: SECRET_SIG, value: toWireForm(value.value) };
        }
        return { [SIG_KEY]: SECRET_SIG, value: UNREADABLE };
    }
    if (sig === RESOURCE_REFERENCE_SIG) {
        if (typeof value.id === "string" && value.id !== "") {
            return value.id;
        }
        return typeof value.urn === "string" ? value.urn : UNREADABLE;
    }
    if (sig === OUTPUT_VALUE_SIG) {
        const inner = "value" in value ? toWireForm(value.value) : UNREADABLE;
        return value.secret === true ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
        out[key] = toWireForm(item);
    }
    return out;
}

function decodePlaintext(plaintext: string): unknown {
    try {
        return JSON.parse(plaintext);
    } catch {
        // Not JSON-serialised after all: the plaintext is the value itself.
        return plaintext;
    }
}
