// A child process for tests/http_limits_test.ts: opens COUNT idle connections to 127.0.0.1:PORT (at most 200
// connecting at once), prints "ready N" with how many are open, and holds them until its stdin closes.
import { connect, type Socket } from "node:net";
import process from "node:process";

const [port, count] = process.argv.slice(2).map(Number);
const sockets: Socket[] = [];
let failed = 0;
const open = () =>
  new Promise<void>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve());
    socket.on("error", () => {
      failed++;
      resolve();
    });
    sockets.push(socket);
  });
for (let i = 0; i < count; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, count - i) }, open));
}
const alive = () => sockets.filter((s) => !s.destroyed && s.readyState === "open").length;
console.log(`ready ${alive()} failed ${failed}`);
process.stdin.on("data", () => console.log(`alive ${alive()}`));
process.stdin.on("end", () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
