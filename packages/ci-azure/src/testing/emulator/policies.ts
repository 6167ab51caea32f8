import type { AzureHandlers } from "./azure-route.js";
import type { AzureState } from "./state.js";

/** Branch policy configurations (which checks block). */
export function policyHandlers(s: AzureState): AzureHandlers {
  const { policies, tokenPage, wrapped } = s;
  return {
    "GET policy/configurations": ({ url, ok }) => {
      const { page, headers: pageHeaders } = tokenPage(policies, url, 100);
      return ok(wrapped(page), pageHeaders);
    },
  };
}
