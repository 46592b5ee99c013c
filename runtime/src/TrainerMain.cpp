/// main() of every generated trainer. Alone in its file so that executables with their own
/// main (unit tests, the aec driver) never pull it out of the static libaecrt.
#include <aec/TrainerCli.h>

#include <malloc.h>

int main(int argc, char **argv) {
  // The generated code mallocs and frees its intermediates on every step (until the static
  // memory plan allocates them from an arena). By default glibc serves large blocks with mmap
  // and returns them to the OS on free, so every step pays fresh page faults: 3-5x slower on
  // conv models (measured: 57-100 ms vs 18-21 ms per fashion_conv step). Keep freed memory:
  // no mmap for any size (M_MMAP_THRESHOLD is capped at 32 MB, smaller than conv buffers)
  // and no trimming of the heap.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
  return aec::rt::trainerMain(argc, argv);
}
