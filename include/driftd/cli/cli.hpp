#pragma once
// The command line of SPEC §2: parses argv, runs one subcommand, returns the exit code
// (0 success, 1 runtime failure, 2 usage or configuration error).

namespace driftd::cli {

int run(int argc, char** argv);

}  // namespace driftd::cli
