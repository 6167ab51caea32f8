import { main } from "./main.js";
import { processIo } from "./process-io.js";

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
    // An adapter's keep-alive socket must not hold the terminal: leave shortly after the work is done.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(`shipgate: internal error: ${String(error)}\n`);
    process.exit(1);
  },
);
