/**
 * Pulumi entry point of the examples (Pulumi.yaml `main: dist/stacks/index.js`, after `npm run
 * build`). `apigw-guard-examples:example` selects `orders` (secure) or `insecure`. The exported
 * function is what Pulumi runs; what it returns becomes the stack outputs.
 */
import { runSelectedExample } from "./select";

export = runSelectedExample;
