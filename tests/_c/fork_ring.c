/*
 * fork_ring: what a forked child sees of its parent's io_uring ring (liburing).
 * Prints one "key=value" line per finding; the test reads them.
 *
 *   child_nop            the child submits a NOP on the inherited ring (plain fd)
 *   parent_sees_child    the parent finds the child's completion in the shared CQ
 *   child_registered     the child enters through the parent's registered ring fd
 *   child_single_issuer  the child submits on a SINGLE_ISSUER ring the parent created
 *   cloexec              the ring fd has FD_CLOEXEC, so an exec'd program never gets it
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `body` in a forked child and returns what it exited with (a small code or errno). */
static int in_child(int (*body)(struct io_uring *), struct io_uring *ring) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(body(ring) & 0xff);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* Submits one NOP with user_data 42 through the ring's plain fd; returns 0 or -errno of the submit. */
static int submit_nop(struct io_uring *ring) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
  io_uring_prep_nop(sqe);
  io_uring_sqe_set_data64(sqe, 42);
  int ret = io_uring_submit(ring);
  return ret == 1 ? 0 : -ret;
}

static int child_nop(struct io_uring *ring) { return submit_nop(ring); }

static int child_registered(struct io_uring *ring) {
  /* The registered index lives in the parent task's io_uring context, which fork does not copy. */
  int ret = io_uring_enter(ring->enter_ring_fd, 0, 0, IORING_ENTER_REGISTERED_RING, NULL);
  return ret < 0 ? -ret : 0;
}

int main(void) {
  struct io_uring ring;
  int ret = io_uring_queue_init(8, &ring, 0);
  if (ret < 0) {
    printf("setup=%s\n", strerror(-ret));
    return 1;
  }
  printf("cloexec=%d\n", (fcntl(ring.ring_fd, F_GETFD) & FD_CLOEXEC) != 0);

  int code = in_child(child_nop, &ring);
  printf("child_nop=%s\n", code == 0 ? "ok" : strerror(code));
  /* The child's SQ tail moved in memory shared with the parent: re-read it so liburing's copy agrees. */
  ring.sq.sqe_tail = ring.sq.sqe_head = *ring.sq.ktail;
  struct io_uring_cqe *cqe;
  ret = io_uring_peek_cqe(&ring, &cqe);
  if (ret == 0) {
    printf("parent_sees_child=user_data %llu res %d\n", (unsigned long long)cqe->user_data, cqe->res);
    io_uring_cqe_seen(&ring, cqe);
  } else {
    printf("parent_sees_child=%s\n", strerror(-ret));
  }

  if (io_uring_register_ring_fd(&ring) == 1) {
    code = in_child(child_registered, &ring);
    printf("child_registered=%s\n", code == 0 ? "ok" : strerror(code));
  }
  io_uring_queue_exit(&ring);

  struct io_uring single;
  if (io_uring_queue_init(8, &single, IORING_SETUP_SINGLE_ISSUER) == 0) {
    code = in_child(child_nop, &single);
    printf("child_single_issuer=%s\n", code == 0 ? "ok" : strerror(code));
    io_uring_queue_exit(&single);
  }
  return 0;
}
