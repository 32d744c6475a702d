/* Random 4 KiB reads from a page-cached file: the C references for
 * scripts/bench/randread.ts.
 * usage: randread FILE MODE QD SECONDS RUNS
 *   MODE uring: liburing, QD reads in flight, each completion resubmitted
 *   MODE uring-reg: the same with a registered file and registered buffers (READ_FIXED)
 *   MODE pread: a pread(2) loop (QD ignored)
 * One line per run: reads per second. */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BS 4096

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next_block(unsigned long long blocks) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng % blocks;
}

static void prep(struct io_uring *ring, int registered, int fd, char *buffer, unsigned long long offset, unsigned i) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
  if (registered) {
    io_uring_prep_read_fixed(sqe, 0, buffer, BS, offset, 0);
    sqe->flags |= IOSQE_FIXED_FILE;
  } else {
    io_uring_prep_read(sqe, fd, buffer, BS, offset);
  }
  sqe->user_data = i;
}

int main(int argc, char **argv) {
  if (argc < 6) return 2;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) return 1;
  struct stat st;
  fstat(fd, &st);
  unsigned long long blocks = st.st_size / BS;
  int registered = strcmp(argv[2], "uring-reg") == 0;
  int uring = registered || strcmp(argv[2], "uring") == 0;
  unsigned qd = atoi(argv[3]);
  double seconds = atof(argv[4]);
  int runs = atoi(argv[5]);
  char *buffers = aligned_alloc(4096, (size_t)qd * BS);
  struct io_uring ring;
  if (uring && io_uring_queue_init(qd < 8 ? 8 : qd, &ring, 0) < 0) return 1;
  if (registered) {
    struct iovec iov = {buffers, (size_t)qd * BS};
    if (io_uring_register_files(&ring, &fd, 1) < 0 || io_uring_register_buffers(&ring, &iov, 1) < 0) return 1;
  }
  for (int run = 0; run < runs; run++) {
    unsigned long done = 0;
    double start = now(), end = start + seconds, t = start;
    if (!uring) {
      while (t < end) {
        for (int i = 0; i < 1024; i++) {
          if (pread(fd, buffers, BS, next_block(blocks) * BS) != BS) return 1;
        }
        done += 1024;
        t = now();
      }
    } else {
      for (unsigned i = 0; i < qd; i++) {
        prep(&ring, registered, fd, buffers + (size_t)i * BS, next_block(blocks) * BS, i);
      }
      unsigned inflight = qd;
      int stopping = 0;
      while (inflight > 0) {
        io_uring_submit_and_wait(&ring, 1);
        unsigned head, seen = 0;
        struct io_uring_cqe *cqe;
        io_uring_for_each_cqe(&ring, head, cqe) {
          if (cqe->res != BS) return 1;
          seen++;
          done++;
          if (!stopping) {
            unsigned i = cqe->user_data;
            prep(&ring, registered, fd, buffers + (size_t)i * BS, next_block(blocks) * BS, i);
          } else {
            inflight--;
          }
        }
        io_uring_cq_advance(&ring, seen);
        if (!stopping && (done & 1023) < seen) {
          t = now();
          if (t >= end) stopping = 1;
        }
      }
      t = now();
    }
    printf("%.0f\n", done / (t - start));
  }
  return 0;
}
