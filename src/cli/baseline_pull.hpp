#pragma once
// `driftd baseline pull`: the reference of a model version from the Edge Impulse project's
// training samples, downloaded as WAV through the Studio API.
//
// Resumable: each downloaded sample is kept in <folder of storage.database>/pull-cache/
// <project id>/<sample id>.wav (written under a temporary name, then renamed, so a file
// there is always complete); a rerun after an interruption lists the samples again but
// downloads only what it does not have. The folder is removed once the reference is
// stored (unless keep_cache). Transient failures are retried a few times with exponential
// backoff and jitter, waiting at least what the service asks (Retry-After).

#include <iosfwd>
#include <optional>
#include <string>

#include "driftd/config/config.hpp"

namespace driftd::cli {

struct PullArgs {
  std::optional<std::string> model_version;  // default: model_version_or_default()
  int page_size = 100;                       // samples per listing request
  bool keep_cache = false;                   // keep the downloaded WAVs after success
};

// Runs the pull with a loaded config; the API key is read with util::read_secret. Returns
// the exit code: 0 stored; 1 a runtime failure (a permanent or persisting remote error,
// nothing decodable, the database); 2 a usage or configuration problem (no project id,
// no API key, an invalid model version). Progress and problems on `err`, the summary on
// `out`.
int run_baseline_pull(const config::Config& config, const PullArgs& args, std::ostream& out,
                      std::ostream& err);

}  // namespace driftd::cli
