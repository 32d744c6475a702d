// Run as a child by queue_test.ts: a ring.start() callback that throws must surface as an uncaught error
// while the ring goes on delivering the completions after it.
import process from "node:process";
import { IoRing, Nop } from "../mod.ts";

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
for (let i = 0; i < 500 && seen.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
console.log(JSON.stringify({ seen, caught, inflight: ring.inflight }));
await ring.close();
