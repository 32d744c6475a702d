/**
 * The Worker of examples/workers.ts: its own ring, random 4 KiB reads of one
 * file at a fixed queue depth until the coordinating thread's ring posts a
 * stop message into this ring with MSG_RING.
 *
 * @module
 */
import { IoRing, Read } from "../mod.ts";

const BS = 4096;
const STOP = 2 ** 40; // user data of the coordinator's MSG_RING

interface Start {
  path: string;
  size: number;
  depth: number;
  seed: number;
}

const self = globalThis as unknown as {
  onmessage: (event: MessageEvent<Start | "go">) => void;
  postMessage(data: unknown): void;
};
const ring = new IoRing({ entries: 256 });
let job: Start;

self.onmessage = async (event) => {
  if (event.data !== "go") {
    job = event.data;
    self.postMessage({ ready: ring.fd });
    return;
  }
  const fd = await ring.openat(job.path);
  const blocks = Math.floor(job.size / BS);
  let x = job.seed;
  const pick = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % blocks) * BS;
  };
  const memory = new Uint8Array(job.depth * BS);
  const reads = Array.from(
    { length: job.depth },
    (_, i) => new Read(fd, memory.subarray(i * BS, (i + 1) * BS), 0),
  );
  let done = 0;
  let stop = false;
  let inflight = job.depth;
  const onCqe = (userData: number, res: number) => {
    if (userData === STOP) {
      stop = true;
      return;
    }
    if (res !== BS) throw new Error(`a read returned ${res}`);
    done++;
    if (stop) inflight--;
    else ring.prepare(reads[userData].offset(pick()), userData);
  };
  for (let i = 0; i < job.depth; i++) ring.prepare(reads[i].offset(pick()), i);
  const started = performance.now();
  const completions = ring.completions();
  while (inflight > 0) {
    ring.submit();
    if (ring.forEachCompletion(onCqe) === 0) {
      const { value } = await completions.next();
      if (value !== undefined) onCqe(value.userData, value.res);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await ring.closeFd(fd);
  self.postMessage({ done, seconds });
};
// Say so once onmessage is set: Bun can drop a message that arrives while a Worker's module is still
// evaluating its top-level awaits.
self.postMessage({ hello: true });
