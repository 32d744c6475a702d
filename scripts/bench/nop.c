/* NOP throughput of C liburing, the reference for scripts/bench/nop.ts.
 * usage: nop BATCH SECONDS RUNS -> one line per run: ops per second. */
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  unsigned batch = argc > 1 ? atoi(argv[1]) : 32;
  double seconds = argc > 2 ? atof(argv[2]) : 0.5;
  int runs = argc > 3 ? atoi(argv[3]) : 3;
  struct io_uring ring;
  if (io_uring_queue_init(256, &ring, 0) < 0) return 1;
  for (int run = 0; run < runs; run++) {
    unsigned long ops = 0;
    double start = now(), end = start + seconds, t = start;
    while (t < end) {
      for (int round = 0; round < 64; round++) {
        for (unsigned i = 0; i < batch; i++) {
          struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
          io_uring_prep_nop(sqe);
          sqe->user_data = i;
        }
        io_uring_submit(&ring);
        unsigned head, seen = 0;
        struct io_uring_cqe *cqe;
        io_uring_for_each_cqe(&ring, head, cqe) { seen++; }
        io_uring_cq_advance(&ring, seen);
        ops += seen;
      }
      t = now();
    }
    printf("%.0f\n", ops / (t - start));
  }
  io_uring_queue_exit(&ring);
  return 0;
}
