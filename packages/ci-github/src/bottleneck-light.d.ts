// Bottleneck's light build (no Redis clustering) is what the Octokit plugins load; it ships
// without its own typings, so borrow the full build's.
declare module "bottleneck/light.js" {
  import Bottleneck from "bottleneck";
  export default Bottleneck;
}
