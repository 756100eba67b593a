import { describe, expect, it } from "vitest";
import { queueRoles } from "./inventory.ts";

describe("queueRoles", () => {
  it("finds DLQs, destinations and sources, and what feeds them", () => {
    const arn = (n: string) => `arn:aws:sqs:us-east-1:1:${n}`;
    const roles = queueRoles(
      ["image-resize-dlq", "notifier-failures", "orders", "orders-dlq", "misc"].map((n) => ({ arn: arn(n) })),
      [
        { name: "image-resize", dlqTargetArn: arn("image-resize-dlq"), destinations: [] },
        { name: "notifier", dlqTargetArn: null, destinations: [arn("notifier-failures"), "arn:aws:sns:us-east-1:1:topic"] },
      ],
      [{ functionName: "orders-worker", eventSourceArn: arn("orders") }],
      [{ arn: arn("orders"), redriveTargetArn: arn("orders-dlq") }],
    );
    expect(Object.fromEntries([...roles].map(([k, v]) => [k.split(":").pop(), v]))).toEqual({
      "image-resize-dlq": { role: "dlq", feeds: ["image-resize"] },
      "notifier-failures": { role: "destination", feeds: ["notifier"] },
      orders: { role: "source", feeds: ["orders-worker"] },
      "orders-dlq": { role: "dlq", feeds: ["orders-worker"] },
      misc: { role: "other", feeds: [] },
    });
  });
});
