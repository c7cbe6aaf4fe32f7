import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";
import { ArgumentChecker, describe } from "../errors";
import { ROTATED_AT_TAG, ROTATES_AT_TAG, SLOT_TAG, withManagedBy } from "../tags";
import { ApiKeySource, AttachableApiKey } from "./key-source";
import { DEFAULT_ROTATION_EPOCH, rfc3339, ROTATION_SLOTS, RotationSlot, rotationState } from "./rotation-schedule";

export const ROTATING_API_KEY_TYPE = "apigw-guard:index:RotatingApiKey";

export interface RotatingApiKeyArgs {
    readonly description?: pulumi.Input<string>;
    readonly customerId?: pulumi.Input<string>;
    /** Default true. */
    readonly enabled?: pulumi.Input<boolean>;
    /**
     * How long each key lives (default 30). A new key is issued every `rotationDays / 2`; clients
     * have that long to move to it. Keep it at or below the pack's `maxAgeDays` (90 by default).
     */
    readonly rotationDays?: number;
    /** Length of the generated value: 40 (default) to 128, letters and digits. */
    readonly valueLength?: number;
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The instant the schedule is evaluated at. Default: now. Tests pin it. */
    readonly now?: Date;
    /** Anchor of the schedule (RFC3339, default 2024-01-01T00:00:00Z). */
    readonly rotationEpoch?: string;
}

/**
 * An API key that rotates itself, in two slots. Values are generated (`random.RandomPassword`)
 * and stay Pulumi secrets end to end; outputs expose key ids, and the current value only as a
 * secret (to hand to Secrets Manager or a client). Each slot is renewed every `rotationDays`,
 * half a period apart; on renewal the new key is created and attached to the same usage plans
 * before the old one is deleted (Pulumi's create-before-delete replacement). Every key carries
 * `apigw-guard:rotated-at`, which `apigateway-api-key-max-age` reads even at preview.
 *
 * Rotation happens when the program runs: schedule `pulumi up` (at least daily) in CI.
 */
export class RotatingApiKey extends pulumi.ComponentResource implements ApiKeySource {
    readonly keyName: string;
    readonly attachableKeys: readonly AttachableApiKey[];
    readonly apiKeys: Readonly<Record<RotationSlot, aws.apigateway.ApiKey>>;
    /** The slot whose key is newest: the one clients should use. */
    readonly currentSlot: RotationSlot;
    /** RFC3339 rotation time of each slot's key. */
    readonly rotatedAt: Readonly<Record<RotationSlot, string>>;
    /** RFC3339 time the older key is replaced. */
    readonly nextRotationAt: string;
    readonly overlapDays: number;

    readonly currentKeyId: pulumi.Output<string>;
    readonly previousKeyId: pulumi.Output<string>;
    readonly keyIds: pulumi.Output<string[]>;
    /** The current key's value, as a secret. */
    readonly currentValue: pulumi.Output<string>;

    constructor(name: string, args: RotatingApiKeyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const settings = validate(name, args);
        super(ROTATING_API_KEY_TYPE, name, {}, opts);
        const state = rotationState(settings.now, settings.rotationDays, settings.epoch);
        const keys = {} as Record<RotationSlot, aws.apigateway.ApiKey>;
        const values = {} as Record<RotationSlot, pulumi.Output<string>>;
        const rotatedAt = {} as Record<RotationSlot, string>;
        for (const window of state.slots) {
            const slotName = `${name}-${window.slot}`;
            rotatedAt[window.slot] = rfc3339(window.rotatedAt);
            // The time resource records the slot's window in state and, on refresh, drops itself once
            // the window has passed, so even a stale program cannot keep an expired key.
            const rotation = new time.Rotating(slotName, {
                rfc3339: rotatedAt[window.slot],
                rotationDays: settings.rotationDays,
            }, { parent: this });
            const password = new random.RandomPassword(slotName, {
                length: settings.valueLength,
                // API Gateway key values: letters and digits are always accepted.
                special: false,
                minUpper: 1,
                minLower: 1,
                minNumeric: 1,
                keepers: { rotatedAt: rotation.rfc3339 },
            }, { parent: this });
            values[window.slot] = password.result;
            keys[window.slot] = new aws.apigateway.ApiKey(slotName, {
                name: slotName,
                description: args.description,
                customerId: args.customerId,
                enabled: args.enabled ?? true,
                value: password.result,
                tags: withManagedBy(args.tags, ROTATING_API_KEY_TYPE, {
                    [ROTATED_AT_TAG]: rotatedAt[window.slot],
                    [ROTATES_AT_TAG]: rfc3339(window.rotatesAt),
                    [SLOT_TAG]: window.slot,
                }),
            }, {
                parent: this,
                // A new value must mean a new key (new id, new createdDate), never an in-place edit.
                replaceOnChanges: ["value"],
            });
        }
        this.keyName = name;
        this.apiKeys = keys;
        this.attachableKeys = ROTATION_SLOTS.map(slot => ({ suffix: slot, apiKey: keys[slot] }));
        this.currentSlot = state.current;
        this.rotatedAt = rotatedAt;
        this.nextRotationAt = rfc3339(state.slots.find(s => s.slot === state.previous)!.rotatesAt);
        this.overlapDays = state.overlapDays;
        this.currentKeyId = keys[state.current].id;
        this.previousKeyId = keys[state.previous].id;
        this.keyIds = pulumi.all(ROTATION_SLOTS.map(slot => keys[slot].id));
        this.currentValue = pulumi.secret(values[state.current]);
        this.registerOutputs({
            currentKeyId: this.currentKeyId,
            previousKeyId: this.previousKeyId,
            keyIds: this.keyIds,
            currentValue: this.currentValue,
            currentSlot: this.currentSlot,
            rotatedAt: this.rotatedAt,
            nextRotationAt: this.nextRotationAt,
        });
    }
}

interface Settings {
    readonly rotationDays: number;
    readonly valueLength: number;
    readonly now: Date;
    readonly epoch: Date;
}

function validate(name: string, args: RotatingApiKeyArgs): Settings {
    const check = new ArgumentChecker("RotatingApiKey", name);
    check.object("args", args);
    const rotationDays = check.integer("rotationDays", args.rotationDays ?? 30, 2, 365);
    const valueLength = check.integer("valueLength", args.valueLength ?? 40, 40, 128);
    const now = args.now ?? new Date();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        check.fail("now", `must be a valid Date (got ${describe(now)})`);
    }
    const epochText = args.rotationEpoch ?? DEFAULT_ROTATION_EPOCH;
    const epoch = new Date(typeof epochText === "string" ? epochText : Number.NaN);
    if (typeof epochText !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(epochText) || Number.isNaN(epoch.getTime())) {
        check.fail("rotationEpoch", `must be an RFC3339 time such as 2024-01-01T00:00:00Z (got ${describe(epochText)})`);
    }
    if (epoch.getTime() > now.getTime()) {
        check.fail("rotationEpoch", `must not lie in the future (got ${describe(epochText)})`);
    }
    return { rotationDays, valueLength, now, epoch };
}
