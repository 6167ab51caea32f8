import { instantiateProvider } from "@shipgate/core";
import { expectApiTagSigningRefused, expectUnsetTokenRefused } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azureOptionsSchema, shipgateProvider } from "./azure-provider.js";
import { type AzureDevOpsEmulator, startAzureDevOpsEmulator } from "./testing/azure-emulator.js";
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

  it("refuses sign: the tags it creates through the API cannot be signed", () => {
    expectApiTagSigningRefused(
      instantiateProvider(
        shipgateProvider,
        { org_url: "https://dev.azure.com/acme", project: "shop", sign: "ssh" },
        { env: {}, cwd: "/" },
      ),
      "Azure Repos",
    );
  });

  it("fails, without throwing, when the token variable is not set", () => {
    expectUnsetTokenRefused(
      instantiateProvider(
        shipgateProvider,
        { org_url: "https://dev.azure.com/a", project: "p" },
        { env: {}, cwd: "/" },
      ),
      "AZURE_DEVOPS_TOKEN",
    );
  });
});

describe("Azure DevOps provider from config", () => {
  let azure: AzureDevOpsEmulator;
  beforeAll(async () => {
    azure = await startAzureDevOpsEmulator();
    seedAzureReleaseScenario(azure);
  });
  afterAll(() => azure.close());

  it("builds all four parts and reads the token from the named variable", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { org_url: azure.orgUrl, project: "shop", token_env: "SHIPGATE_TEST_ADO" },
      { env: { SHIPGATE_TEST_ADO: azure.token }, cwd: "/" },
    )._unsafeUnwrap();
    expect(Object.keys(parts).sort()).toEqual(["approvals", "ci", "incidents", "sourceControl"]);
    const tag = await parts.sourceControl!.getTag("v1.0.0", {
      signal: new AbortController().signal,
    });
    expect(tag._unsafeUnwrap()?.annotated).toBe(true);
  });
});
