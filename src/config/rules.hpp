#pragma once
// Private to the config module: the rules that span several keys, and the checks of what
// the configuration points at outside the file (secrets, TLS files). Outside state is
// passed in as functions, so the rules themselves stay pure.

#include <functional>
#include <string>
#include <vector>

#include "driftd/config/config.hpp"
#include "driftd/config/problem.hpp"
#include "source_lines.hpp"

namespace driftd::config {

// Cross-key rules: TLS pair, clip budget, MFCC geometry (filters, frequencies, frames per
// window), PSI thresholds, retrain timing. A rule stays quiet when one of its keys was
// already refused by the reader.
void check_cross_key_rules(const Config& config, const SourceLines& lines, const std::string& file,
                           std::vector<Problem>& problems);

struct Outside {
  std::function<bool(const std::string& name)> secret_present;  // never returns the value
  std::function<bool(const std::string& path)> file_readable;
};

// The TLS files must be readable when set; when retrain.enabled and not retrain.dry_run,
// edge_impulse.project_id and github.repository must be set and the secrets named by
// edge_impulse.api_key_env and github.token_env must be present.
void check_outside(const Config& config, const SourceLines& lines, const Outside& outside,
                   const std::string& file, std::vector<Problem>& problems);

}  // namespace driftd::config
