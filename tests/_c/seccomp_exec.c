/*
 * seccomp_exec ERRNO PROGRAM [ARGS...]: installs a seccomp filter that makes
 * io_uring_setup, io_uring_enter and io_uring_register fail with ERRNO (as a
 * container's profile does), then execs PROGRAM. No libseccomp: a classic BPF
 * program through prctl(PR_SET_SECCOMP). Other architectures' system calls
 * are allowed through untouched.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported architecture"
#endif

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: seccomp_exec ERRNO PROGRAM [ARGS...]\n");
    return 2;
  }
  unsigned errno_ret = (unsigned)atoi(argv[1]) & SECCOMP_RET_DATA;
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | errno_ret),
  };
  struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    perror("PR_SET_NO_NEW_PRIVS");
    return 1;
  }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    perror("PR_SET_SECCOMP");
    return 1;
  }
  /* The filter is in place: show it before handing over. */
  errno = 0;
  long ret = syscall(__NR_io_uring_setup, 1, NULL);
  fprintf(stderr, "seccomp_exec: io_uring_setup now returns %ld, errno %d\n", ret, errno);
  execvp(argv[2], argv + 2);
  perror("execvp");
  return 127;
}
