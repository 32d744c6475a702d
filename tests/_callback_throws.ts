// Run as a child by queue_test.ts: callbacks that throw (a ring.start() result, a ring.stream() completion,
// the last one included) must surface as uncaught errors while the ring goes on: every completion after
// them arrives, the stream settles, and close() finishes.
import process from "node:process";
import { IoRing, IORING_CQE_F_MORE, IORING_TIMEOUT_MULTISHOT, Nop, Timeout } from "../mod.ts";

const caught: string[] = [];
process.on("uncaughtException", (error) => caught.push((error as Error).message));
const ring = new IoRing();
const seen: number[] = [];
ring.start(new Nop(), () => {
  seen.push(1);
  throw new Error("thrown by the callback");
});
ring.start(new Nop(), () => seen.push(2));
ring.start(new Nop(), () => seen.push(3));
let ticks = 0;
const stream = await ring.stream(
  new Timeout(1, { count: 2, flags: IORING_TIMEOUT_MULTISHOT }),
  (_res, flags) => {
    ticks++;
    throw new Error(
      (flags & IORING_CQE_F_MORE) !== 0 ? "thrown by a stream" : "thrown by its last completion",
    );
  },
).then(() => "resolved", (error) => error.code);
for (let i = 0; i < 500 && (seen.length < 3 || caught.length < 3); i++) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await ring.close();
console.log(
  JSON.stringify({ seen, caught: caught.sort(), inflight: ring.inflight, ticks, stream, closed: true }),
);
