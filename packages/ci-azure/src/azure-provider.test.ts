import { instantiateProvider } from "@shipgate/core";
import {
  describeHostedProviderFromConfig,
  itRefusesSigningAndAMissingToken,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { azureOptionsSchema, shipgateProvider } from "./azure-provider.js";
import { startAzureDevOpsEmulator } from "./testing/azure-emulator.js";
import { seedAzureReleaseScenario } from "./testing/azure-test-scenario.js";

describe("Azure DevOps provider options", () => {
  it("fills defaults for everything but the organization and project", () => {
    expect(
      azureOptionsSchema.parse({ org_url: "https://dev.azure.com/acme/", project: "shop" }),
    ).toEqual({
      org_url: "https://dev.azure.com/acme",
      project: "shop",
      release_branch: "main",
      token_env: "AZURE_DEVOPS_TOKEN",
      work_item_type: "Bug",
      resolved_state: "Closed",
      incident_tags: ["shipgate"],
      changes_files: true,
      max_retries: 4,
      request_timeout_ms: 30_000,
    });
  });

  it("accepts an Azure DevOps Server collection URL", () => {
    const parsed = azureOptionsSchema.parse({
      org_url: "https://tfs.example.com/tfs/DefaultCollection",
      project: "shop",
    });
    expect(parsed.org_url).toBe("https://tfs.example.com/tfs/DefaultCollection");
  });

  it("rejects unknown keys, inline tokens and missing fields, naming the field", () => {
    const context = { env: {}, cwd: "/" };
    const inline = instantiateProvider(
      shipgateProvider,
      { org_url: "https://dev.azure.com/a", project: "p", token: "x" },
      context,
    );
    expect(inline._unsafeUnwrapErr().describe()).toContain("token");
    const missing = instantiateProvider(
      shipgateProvider,
      { org_url: "https://dev.azure.com/a" },
      context,
    );
    expect(missing._unsafeUnwrapErr().describe()).toContain("project");
    const badUrl = instantiateProvider(
      shipgateProvider,
      { org_url: "dev.azure.com/a", project: "p" },
      context,
    );
    expect(badUrl._unsafeUnwrapErr().describe()).toContain("org_url");
  });

  itRefusesSigningAndAMissingToken({
    provider: shipgateProvider,
    forge: "Azure Repos",
    signed: { org_url: "https://dev.azure.com/acme", project: "shop", sign: "ssh" },
    unsetToken: {
      config: { org_url: "https://dev.azure.com/a", project: "p" },
      variable: "AZURE_DEVOPS_TOKEN",
    },
  });
});

describeHostedProviderFromConfig(
  "Azure DevOps provider from config",
  shipgateProvider,
  async () => {
    const azure = await startAzureDevOpsEmulator();
    seedAzureReleaseScenario(azure);
    return {
      config: { org_url: azure.orgUrl, project: "shop", token_env: "SHIPGATE_TEST_ADO" },
      env: { SHIPGATE_TEST_ADO: azure.token },
      close: () => azure.close(),
    };
  },
);
