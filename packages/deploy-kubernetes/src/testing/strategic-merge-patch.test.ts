import { describe, expect, it } from "vitest";
import { applyStrategicMergePatch, StrategicMergePatchError } from "./strategic-merge-patch.js";

const deployment = {
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: "web", image: "shop:v1", env: [{ name: "A", value: "1" }] },
          { name: "sidecar", image: "proxy:1" },
        ],
      },
    },
  },
};

describe("strategic merge patch (as client-go sends it for built-in kinds)", () => {
  it("merges containers and env by name, replaces other lists, deletes on null", () => {
    const patched = applyStrategicMergePatch(
      deployment,
      {
        spec: {
          replicas: null,
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
              containers: [{ name: "web", image: "shop:v2", env: [{ name: "B", value: "2" }] }],
            },
          },
        },
      },
      "Deployment",
    ) as typeof deployment;
    expect(patched.spec.replicas).toBeUndefined();
    expect(patched.spec.template.spec.containers).toEqual([
      {
        name: "web",
        image: "shop:v2",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
      },
      { name: "sidecar", image: "proxy:1" },
    ]);
  });

  it("deletes a list element with $patch: delete, and merges Service ports by port", () => {
    const noSidecar = applyStrategicMergePatch(
      deployment,
      { spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } } },
      "Deployment",
    ) as typeof deployment;
    expect(noSidecar.spec.template.spec.containers.map((c) => c.name)).toEqual(["web"]);
    const service = { spec: { ports: [{ port: 80, targetPort: "http" }] } };
    expect(
      applyStrategicMergePatch(
        service,
        { spec: { ports: [{ port: 80, name: "http" }] } },
        "Service",
      ),
    ).toEqual({ spec: { ports: [{ port: 80, targetPort: "http", name: "http" }] } });
  });

  it("refuses a directive it does not know, so the emulator fails loudly", () => {
    expect(() =>
      applyStrategicMergePatch(deployment, { spec: { $unknownDirective: true } }, "Deployment"),
    ).toThrow(StrategicMergePatchError);
  });
});
