import { Inventory, unknown } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { inventoryFromPulumi } from "apigw-guard/policies/sources/pulumi/adapter";
import { PulumiResourceRecord, SECRET_SIG, SIG_KEY, typeFromUrn, UNKNOWN_SENTINEL } from "apigw-guard/policies/sources/pulumi/types";

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
const UNREADABLE = UNKNOWN_SENTINEL;
/**
 * A secret the export holds only as ciphertext: unknown to the rules, with the reason a person can
 * act on (it is not "computed", the export just cannot be read without the stack's key).
 */
const ENCRYPTED = unknown("encrypted in the export (a Pulumi secret); `pulumi stack export --show-secrets` lets it be judged");
/** Pulumi's serialized resource reference and output value signatures (property-values.json). */
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

const STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export function inventoryFromStackExport(json: unknown, opts: StackExportOptions = {}): Inventory {
    const inventory = inventoryFromPulumi(recordsFromStackExport(json, opts));
    const empty = emptyDeployment(json);
    // An export with nothing in it passes every rule vacuously: say so, so an empty report is not
    // read as a clean bill of health (the wrong stack, or one that was never deployed).
    return empty === undefined ? inventory : inventory.withGaps([{ message: empty }]);
}

/** Why an export that has been read holds no resources at all, or undefined when it holds some. */
function emptyDeployment(json: unknown): string | undefined {
    if (!isObject(json)) {
        return undefined;
    }
    const deployment = "deployment" in json ? json.deployment : isObject(json.checkpoint) ? json.checkpoint.latest : undefined;
    if (deployment === null || deployment === undefined) {
        return "the export holds no deployment (a stack that was never deployed?): there is nothing to judge";
    }
    const resources = isObject(deployment) ? deployment.resources : undefined;
    return !Array.isArray(resources) || resources.length === 0 ? "the export holds no resources (a new or destroyed stack?): there is nothing to judge" : undefined;
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
    const programInputs = suppliedInputs(raw.inputs);
    // Optional fields are added one by one (same order as before): spreading `{}`-or-`{x}` into a
    // literal copies through V8's slow generic path, once per field and resource.
    const record: { -readonly [K in keyof PulumiResourceRecord]: PulumiResourceRecord[K] } = { type, urn, name: nameFromUrn(urn), props, secretProps };
    if (typeof raw.id === "string" && raw.id !== "") {
        record.id = raw.id;
    }
    if (typeof raw.parent === "string" && raw.parent !== "") {
        record.parent = raw.parent;
    }
    if (Array.isArray(raw.dependencies)) {
        record.dependencies = raw.dependencies.filter((d): d is string => typeof d === "string");
    }
    if (isObject(raw.propertyDependencies)) {
        record.propertyDependencies = propertyDependencies(raw.propertyDependencies);
    }
    if (programInputs !== undefined) {
        record.programInputs = programInputs;
    }
    if (file !== undefined) {
        record.file = file;
    }
    return record;
}

/**
 * The properties the program gave as secrets (encrypted in `inputs`). Outputs win over inputs in
 * `props` and a ciphertext cannot be read, so without this a key value the program supplied as a
 * secret (pulumi-aws wraps every `ApiKey.value` input in one) would read the same as one API
 * Gateway generated. Plain inputs are readable where they are, so only secret ones are listed:
 * most resources get no set at all.
 */
function suppliedInputs(inputs: unknown): Set<string> | undefined {
    let supplied: Set<string> | undefined;
    if (isObject(inputs)) {
        for (const key in inputs) {
            const value = inputs[key];
            if (isObject(value) && value[SIG_KEY] === SECRET_SIG) {
                (supplied ??= new Set<string>()).add(key);
            }
        }
    }
    return supplied;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; the name may itself contain `::`. */
function nameFromUrn(urn: string): string {
    // Everything after the third `::` (what splitting on `::` and joining parts 3.. would give).
    let at = -2;
    for (let n = 0; n < 3; n++) {
        at = urn.indexOf("::", at + 2);
        if (at < 0) {
            return urn;
        }
    }
    return urn.slice(at + 2);
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
function unreadable(value: unknown): boolean {
    return value === UNREADABLE || value === ENCRYPTED;
}

function mergeProperties(inputs: unknown, outputs: unknown): { props: Record<string, unknown>; secretProps: Set<string> } {
    const props: Record<string, unknown> = {};
    const secretProps = new Set<string>();
    const outputBag = isObject(outputs) ? outputs : undefined;
    const inputBag = isObject(inputs) ? inputs : undefined;
    // Outputs first, then the inputs the outputs lack: the key order of the union of both.
    if (outputBag) {
        for (const key of Object.keys(outputBag)) {
            const rawOutput = outputBag[key];
            if (rawOutput === null || rawOutput === undefined) {
                continue;
            }
            const output = decodeValue(rawOutput);
            const outputSecret = sawSecret;
            const rawInput = inputBag && hasOwn(inputBag, key) ? inputBag[key] : undefined;
            if (rawInput === null || rawInput === undefined) {
                props[key] = isSecretEnvelope(rawOutput) ? UNREADABLE : output;
                if (outputSecret) {
                    secretProps.add(key);
                }
                continue;
            }
            const input = decodeValue(rawInput);
            const inputSecret = sawSecret;
            props[key] = !unreadable(output) ? output : !unreadable(input) ? input : output;
            if (outputSecret && inputSecret) {
                secretProps.add(key);
            }
        }
    }
    if (inputBag) {
        for (const key of Object.keys(inputBag)) {
            const rawInput = inputBag[key];
            if (rawInput === null || rawInput === undefined || (outputBag && hasOwn(outputBag, key) && outputBag[key] !== null && outputBag[key] !== undefined)) {
                continue;
            }
            props[key] = decodeValue(rawInput);
            if (sawSecret) {
                secretProps.add(key);
            }
        }
    }
    return { props, secretProps };
}

function hasOwn(bag: object, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(bag, key);
}

function isSecretEnvelope(value: unknown): boolean {
    return isObject(value) && (value[SIG_KEY] === SECRET_SIG || (value[SIG_KEY] === OUTPUT_VALUE_SIG && value.secret === true));
}

/** Set by `decodeValue`: whether the value it last decoded held a secret anywhere. */
let sawSecret = false;

/** A property value decoded (see `decode`), with `sawSecret` telling whether it held a secret. */
function decodeValue(raw: unknown): unknown {
    sawSecret = false;
    return decode(raw);
}

/**
 * A property value as the adapter reads it, with the export's envelopes unwrapped. One pass
 * that copies only the objects and lists that change (it used to rewrite every value into the
 * engine's wire form and then unwrap that, two full copies of every bag of the export):
 * - `{sig, ciphertext}` stays opaque: the value becomes unreadable and only its secret-ness is
 *   kept. Ciphertexts are never fingerprinted: the same value encrypts differently each time, so
 *   equal ciphertexts would prove nothing and different ones would hide equal values.
 * - `{sig, plaintext}` (`pulumi stack export --show-secrets`) holds the JSON-serialised value;
 *   it is decoded for fingerprinting only and stays marked secret.
 * - resource references become the referenced id (what the provider saw), output values their value.
 * A secret anywhere inside sets `sawSecret`.
 */
function decode(value: unknown): unknown {
    if (typeof value !== "object" || value === null) {
        return value;
    }
    if (Array.isArray(value)) {
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
            const item: unknown = value[i];
            const decoded = decode(item);
            if (out === undefined && decoded !== item) {
                out = value.slice(0, i);
            }
            if (out !== undefined) {
                out.push(decoded);
            }
        }
        return out ?? value;
    }
    const bag = value as Record<string, unknown>;
    const sig = bag[SIG_KEY];
    if (sig === SECRET_SIG) {
        sawSecret = true;
        if (typeof bag.plaintext === "string") {
            return decode(decodePlaintext(bag.plaintext));
        }
        return "value" in bag ? decode(bag.value) : ENCRYPTED;
    }
    if (sig === RESOURCE_REFERENCE_SIG) {
        if (typeof bag.id === "string" && bag.id !== "") {
            return bag.id;
        }
        return typeof bag.urn === "string" ? bag.urn : UNREADABLE;
    }
    if (sig === OUTPUT_VALUE_SIG) {
        if (bag.secret === true) {
            sawSecret = true;
        }
        return "value" in bag ? decode(bag.value) : UNREADABLE;
    }
    // Copying (as this reader always did) drops a `__proto__` key: assigning it sets a prototype
    // that the next copy does not see. Such an object is still copied, so it reads the same.
    let out: Record<string, unknown> | undefined = hasOwn(bag, "__proto__") ? {} : undefined;
    const keys = Object.keys(bag);
    for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const item = bag[key];
        const decoded = decode(item);
        if (out === undefined && decoded !== item) {
            out = {};
            for (let j = 0; j < i; j++) {
                out[keys[j]] = bag[keys[j]];
            }
        }
        if (out !== undefined && key !== "__proto__") {
            out[key] = decoded;
        }
    }
    return out ?? bag;
}

function decodePlaintext(plaintext: string): unknown {
    try {
        return JSON.parse(plaintext);
    } catch {
        // Not JSON-serialised after all: the plaintext is the value itself.
        return plaintext;
    }
}
