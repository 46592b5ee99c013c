/// main() of every generated trainer. Alone in its file so that executables with their own
/// main (unit tests, the aec driver) never pull it out of the static libaecrt.
#include <aec/TrainerCli.h>

int main(int argc, char **argv) { return aec::rt::trainerMain(argc, argv); }
