// One ring per Worker: MSG_RING carries data and a registered file from a ring in one thread to a ring in another.
import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { tempDir } from "./_util.ts";

interface Reply {
  ok: boolean;
  error?: string;
  fd?: number;
  userData?: number;
  res?: number;
  text?: string;
}

/** A Worker with one ring, answering one message at a time. */
function ringWorker(): { ask(message: Record<string, unknown>): Promise<Reply>; stop(): Promise<void> } {
  const worker = new Worker(new URL("./_msg_worker.ts", import.meta.url).href, { type: "module" });
  let hello: () => void;
  const listening = new Promise<void>((resolve) => (hello = resolve));
  const replies: ((reply: Reply) => void)[] = [hello!];
  worker.onmessage = (event: MessageEvent<Reply>) => replies.shift()?.(event.data);
  const ask = async (message: Record<string, unknown>) => {
    await listening;
    return new Promise<Reply>((resolve, reject) => {
      replies.push((reply) => (reply.ok ? resolve(reply) : reject(new Error(reply.error))));
      worker.postMessage(message);
    });
  };
  return {
    ask,
    stop: async () => {
      await ask({ cmd: "stop" });
      worker.terminate();
    },
  };
}

test("MSG_RING delivers user data and a result between rings in two Workers", async () => {
  const sender = ringWorker();
  const receiver = ringWorker();
  try {
    await sender.ask({ cmd: "start" });
    const { fd } = await receiver.ask({ cmd: "start" });
    const received = receiver.ask({ cmd: "receive" });
    await sender.ask({ cmd: "send", target: fd, userData: 4242, res: 1234 });
    const reply = await received;
    assert.equal(reply.userData, 4242);
    assert.equal(reply.res, 1234);
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
  }
}, { timeout: 20_000 });

test("MSG_RING passes a registered file to a ring in another Worker, which reads through it", async () => {
  const dir = tempDir();
  const sender = ringWorker();
  const receiver = ringWorker();
  try {
    const path = dir.file("shared.txt", "passed between threads");
    await sender.ask({ cmd: "start" });
    const { fd } = await receiver.ask({ cmd: "start" });
    const received = receiver.ask({ cmd: "receive-file" });
    await sender.ask({ cmd: "send-file", target: fd, path, userData: 77 });
    const reply = await received;
    assert.equal(reply.userData, 77);
    assert.equal(reply.text, "passed between threads");
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
    dir.remove();
  }
}, { timeout: 20_000 });
