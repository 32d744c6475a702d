/**
 * A Worker for tests/workers_test.ts: one ring in its own thread, driven by
 * messages from the test. Runs under Deno and Bun alike.
 *
 * @module
 */
import { FixedFile, IoRing, MsgRing, MsgRingFd } from "../mod.ts";

interface Command {
  cmd: "start" | "send" | "send-file" | "receive" | "receive-file" | "stop";
  target?: number;
  userData?: number;
  res?: number;
  path?: string;
}

const ring = new IoRing();
const self = globalThis as unknown as {
  onmessage: (event: MessageEvent<Command>) => void;
  postMessage(data: unknown): void;
  close(): void;
};

self.onmessage = async (event) => {
  const message = event.data;
  try {
    switch (message.cmd) {
      case "start":
        ring.registerSparseFiles(4);
        self.postMessage({ ok: true, fd: ring.fd });
        break;
      case "send":
        await ring.run(new MsgRing(message.target!, message.userData!, message.res!));
        self.postMessage({ ok: true });
        break;
      case "send-file": {
        const fd = await ring.openat(message.path!);
        ring.updateFiles(0, [fd]);
        await ring.run(
          new MsgRingFd(message.target!, new FixedFile(0), { targetSlot: 2, userData: message.userData! }),
        );
        await ring.close(fd);
        self.postMessage({ ok: true });
        break;
      }
      case "receive": {
        const { value } = await ring.completions().next();
        self.postMessage({ ok: true, userData: value?.userData, res: value?.res });
        break;
      }
      case "receive-file": {
        const { value } = await ring.completions().next();
        const buffer = new Uint8Array(64);
        const n = await ring.read(new FixedFile(2), buffer, 0);
        self.postMessage({
          ok: true,
          userData: value?.userData,
          text: new TextDecoder().decode(buffer.subarray(0, n)),
        });
        break;
      }
      case "stop":
        await ring.close();
        self.postMessage({ ok: true });
        self.close();
        break;
    }
  } catch (error) {
    self.postMessage({ ok: false, error: String(error) });
  }
};
// Say so once onmessage is set: Bun can drop a message that arrives while a Worker's module is still
// evaluating its top-level awaits.
self.postMessage({ ok: true, hello: true });
