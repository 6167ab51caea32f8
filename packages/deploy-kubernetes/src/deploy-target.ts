import { type DeployTarget, ShipgateError } from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import {
  type ImageSource,
  type ImageTemplateValues,
  imageForVersion,
  parseImageReference,
  renderTemplate,
  versionFromImage,
} from "./image-reference.js";
import type { ContainerJson, PodTemplateJson } from "./rollout-types.js";

/** How a deploy target maps onto a workload: which object, which container, which image. */
export interface WorkloadSettings {
  /** Object name, may use `{{service}}` / `{{environment}}` (default `{{service}}`). */
  nameTemplate: string;
  /** Container to set the image on; optional when the pod has exactly one. */
  container?: string;
  image: ImageSource;
}

/** The placeholder values of a target. */
export function templateValues(target: DeployTarget): ImageTemplateValues {
  return {
    version: target.version,
    service: target.service,
    environment: target.environment,
    sha: target.sha,
  };
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The workload's object name for a target, validated as a DNS-1123 subdomain. */
export function workloadName(
  settings: WorkloadSettings,
  target: DeployTarget,
): Result<string, ShipgateError> {
  const name = renderTemplate(settings.nameTemplate, templateValues(target));
  if (name.length > 253 || !dnsSubdomain.test(name)) {
    return err(
      new ShipgateError("invalid_input", `"${name}" is not a valid Kubernetes object name`, {
        field: "with.name",
        hint: "Use lowercase letters, digits, '-' and '.'",
      }),
    );
  }
  return ok(name);
}

/** The image for a target, validated as an OCI reference. */
export function targetImage(
  settings: WorkloadSettings,
  target: DeployTarget,
): Result<string, ShipgateError> {
  const image = imageForVersion(settings.image, templateValues(target));
  const parsed = parseImageReference(image);
  if (parsed.isErr()) {
    return err(
      new ShipgateError(
        "invalid_input",
        `Image "${image}" is not a valid OCI reference: ${parsed.error}`,
        {
          field: "repository" in settings.image ? "with.image_repository" : "with.image_template",
        },
      ),
    );
  }
  return ok(image);
}

/** The container to update in a pod template, or why it cannot be chosen. */
export function findContainer(
  template: PodTemplateJson | undefined,
  containerName: string | undefined,
): Result<ContainerJson, string> {
  const containers = template?.spec?.containers ?? [];
  if (containerName) {
    const found = containers.find((c) => c.name === containerName);
    return found
      ? ok(found)
      : err(
          `has no container named "${containerName}" (containers: ${containers.map((c) => c.name).join(", ") || "none"})`,
        );
  }
  if (containers.length === 1) return ok(containers[0]!);
  return err(
    `has ${containers.length} containers (${containers.map((c) => c.name).join(", ")}); set \`container\` to choose one`,
  );
}

/** The release version a pod template runs, recovered from its image. */
export function templateVersion(
  template: PodTemplateJson | undefined,
  settings: WorkloadSettings,
  target: DeployTarget,
): string | null {
  const container = findContainer(template, settings.container);
  if (container.isErr() || !container.value.image) return null;
  const { version: _v, ...values } = templateValues(target);
  return versionFromImage(container.value.image, settings.image, values);
}
