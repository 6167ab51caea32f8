export * from "./deploy-test-support.js";
export * from "./kube-controller-sim.js";
export * from "./kube-emulator.js";
export * from "./kube-test-cluster.js";
export * from "./local-tls.js";
