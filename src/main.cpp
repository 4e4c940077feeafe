// driftd: the drift watchdog for Edge Impulse audio models. See README.md.
#include "driftd/cli/cli.hpp"

int main(int argc, char** argv) {
  return driftd::cli::run(argc, argv);
}
