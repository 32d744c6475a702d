// Every op builder has its SQE checked: a case in tests/sqe_diff_test.ts (compared with liburing's
// io_uring_prep_*), or, for an op whose prep helper is newer than the installed liburing, a test named below
// that writes its SQE and checks the fields. A new builder without either fails here: adding an opcode is
// one file in ops/ and one case.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as ops from "../ops/mod.ts";
import { OpBase } from "../sqe/op.ts";
import { test } from "./_harness.ts";

/** Builders whose SQE is checked outside the differential test, and where. */
const CHECKED_ELSEWHERE: Record<string, string> = {
  Bind: "tests/ops_net_test.ts",
  Listen: "tests/ops_net_test.ts",
  SocketCmd: "tests/ops_net_test.ts",
  MsgRingFd: "tests/ops_net_test.ts",
  EpollWait: "tests/ops_sync_test.ts",
  FutexWait: "tests/ops_sync_test.ts",
  FutexWaitv: "tests/ops_sync_test.ts",
  FutexWake: "tests/ops_sync_test.ts",
  Waitid: "tests/ops_sync_test.ts",
  ReadMultishot: "tests/ops_sync_test.ts",
  FixedFdInstall: "tests/ops_fs_test.ts",
  Ftruncate: "tests/ops_fs_test.ts",
  Pipe: "tests/ops_fs_test.ts",
  ReadvFixed: "tests/ops_fs_test.ts",
  WritevFixed: "tests/ops_fs_test.ts",
  RecvZc: "tests/recv_zc_test.ts",
};

/** Where the differential test's case name differs from the class name in snake case. */
const CASE_NAMES: Record<string, string> = {
  SendMsg: "sendmsg",
  SendMsgZc: "sendmsg_zc",
  RecvMsg: "recvmsg",
};

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
const root = new URL("..", import.meta.url).pathname;

/** The builder classes `ops/mod.ts` exports: subclasses of OpBase that no other exported class extends. */
function builders(): string[] {
  const classes = (Object.entries(ops) as [string, unknown][]).filter((
    entry,
  ): entry is [string, typeof OpBase] =>
    typeof entry[1] === "function" && entry[1].prototype instanceof OpBase
  );
  const bases = new Set(classes.map(([, cls]) => Object.getPrototypeOf(cls)));
  return classes.filter(([, cls]) => !bases.has(cls)).map(([name]) => name).sort();
}

test("every op builder has its SQE checked, against liburing or in the test named for it", () => {
  const diff = readFileSync(`${root}tests/sqe_diff_test.ts`, "utf8");
  const table = diff.slice(diff.indexOf("const CASES"));
  const cases = new Set([...table.matchAll(/^ {2}"?([a-z0-9_]+)[ ":]/gm)].map((m) => m[1]));
  const found = builders();
  assert.ok(found.length > 60, `only ${found.length} builders found: ${found.join(", ")}`);
  const missing: string[] = [];
  for (const name of found) {
    if (cases.has(CASE_NAMES[name] ?? snake(name))) continue;
    const file = CHECKED_ELSEWHERE[name];
    if (file === undefined) {
      missing.push(name);
      continue;
    }
    const text = readFileSync(`${root}${file}`, "utf8");
    assert.ok(text.includes(`new ${name}(`), `${file} builds no ${name}`);
  }
  assert.deepEqual(missing, [], "builders with no case in tests/sqe_diff_test.ts and no test named here");
});

test("every builder named as checked elsewhere is a builder ops/mod.ts exports (a rename is caught)", () => {
  for (const name of Object.keys(CHECKED_ELSEWHERE)) {
    assert.ok(builders().includes(name), `${name} is no builder exported from ops/mod.ts`);
  }
});
