import * as pulumi from "@pulumi/pulumi";
import { insecureStack } from "./insecure";
import { ordersStack } from "./orders";
import { PROJECT } from "./orders/settings";

/** The example programs, by the value of `apigw-guard-examples:example`. */
export const EXAMPLES = {
    orders: ordersStack,
    insecure: insecureStack,
} as const;

export type ExampleName = keyof typeof EXAMPLES;

/** The example the stack's config selects (default `orders`). */
export function selectedExample(config = new pulumi.Config(PROJECT)): ExampleName {
    const name = config.get("example") ?? "orders";
    if (!Object.prototype.hasOwnProperty.call(EXAMPLES, name)) {
        throw new Error(`config '${PROJECT}:example' must be one of ${Object.keys(EXAMPLES).join(", ")} (got '${name}')`);
    }
    return name as ExampleName;
}

/** Run the selected example; its return value becomes the stack outputs. */
export function runSelectedExample(): Record<string, unknown> {
    return EXAMPLES[selectedExample()]();
}
