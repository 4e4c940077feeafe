// driftd-standins: the Edge Impulse (ingestion + Studio) and GitHub stand-ins as one
// program for demos. One process, one port, all three APIs (their paths do not overlap):
// point edge_impulse.ingestion_url, edge_impulse.studio_url and github.api_url at the
// printed URL. The accepted Edge Impulse key and GitHub token are read from the
// environment variables named by --api-key-env and --token-env (the same names driftd
// reads), so driftd and the stand-ins agree without the secrets on a command line.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "driftd/standins/standins.hpp"

namespace fs = std::filesystem;
using driftd::standins::StandinOptions;
using driftd::standins::Standins;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// DIR/<label>/*.wav → training; DIR/training/<label>/*.wav and DIR/testing/<label>/*.wav
// → that category.
int seed(Standins& standins, const fs::path& dir) {
  int count = 0;
  auto add_label_dirs = [&](const fs::path& root, const std::string& category) {
    for (const auto& label_dir : fs::directory_iterator(root)) {
      if (!label_dir.is_directory()) continue;
      for (const auto& f : fs::recursive_directory_iterator(label_dir.path())) {
        if (!f.is_regular_file() || f.path().extension() != ".wav") continue;
        standins.add_sample(category, f.path().filename().string(),
                            label_dir.path().filename().string(), read_file(f.path()));
        ++count;
      }
    }
  };
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    if (name == "training" || name == "testing") {
      add_label_dirs(entry.path(), name);
    }
  }
  const bool has_categories = fs::exists(dir / "training") || fs::exists(dir / "testing");
  if (!has_categories) add_label_dirs(dir, "training");
  return count;
}

bool split_listen(const std::string& listen, std::string& host, int& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    return used == listen.size() - colon - 1 && port >= 0 && port <= 65535;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Local stand-ins for the Edge Impulse ingestion and Studio APIs and GitHub's "
      "repository_dispatch (see docs/standins.md)"};
  std::string listen = "127.0.0.1:4800";
  StandinOptions options;
  options.control_api = true;
  std::string key_env = "EI_API_KEY";
  std::string token_env = "GITHUB_TOKEN";
  std::vector<std::string> repositories;
  std::string seed_dir;
  double accuracy = 0.9;
  app.add_option("--listen", listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--project-id", options.project_id, "the Edge Impulse project id served")
      ->capture_default_str();
  app.add_option("--api-key-env", key_env, "environment variable holding the accepted EI key")
      ->capture_default_str();
  app.add_option("--token-env", token_env, "environment variable holding the accepted GitHub token")
      ->capture_default_str();
  app.add_option("--repository", repositories, "owner/name of a repository that exists (repeat)");
  app.add_option("--seed", seed_dir,
                 "directory of WAVs: <label>/*.wav or {training,testing}/<label>/*.wav")
      ->check(CLI::ExistingDirectory);
  app.add_option("--job-polls", options.polls_until_finished,
                 "status polls until a job reports finished")
      ->capture_default_str();
  app.add_option("--test-accuracy", accuracy, "fraction of test samples the model gets right")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!split_listen(listen, options.host, options.port)) {
    std::cerr << "driftd-standins: --listen must be HOST:PORT\n";
    return 2;
  }
  const char* key = std::getenv(key_env.c_str());
  const char* token = std::getenv(token_env.c_str());
  if (key == nullptr || *key == '\0' || token == nullptr || *token == '\0') {
    std::cerr << "driftd-standins: set " << key_env << " and " << token_env
              << " to the key and token the stand-ins accept\n";
    return 2;
  }
  options.ei_api_key = key;
  options.github_token = token;
  if (!repositories.empty()) options.repositories = repositories;

  // SIGINT/SIGTERM are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Standins standins(options);
  try {
    standins.set_test_accuracy(accuracy);
    const int seeded = seed_dir.empty() ? 0 : seed(standins, seed_dir);
    standins.start();
    std::cout << "driftd-standins: serving on " << standins.base_url() << "\n"
              << "  edge_impulse.ingestion_url, edge_impulse.studio_url, github.api_url: "
              << standins.base_url() << "\n"
              << "  project " << options.project_id << ", " << seeded << " seeded samples, "
              << "repositories:";
    for (const auto& r : standins.options().repositories) std::cout << " " << r;
    std::cout << "\n  control API: " << standins.base_url() << "/_standins/\n" << std::flush;
  } catch (const std::exception& e) {
    std::cerr << "driftd-standins: " << e.what() << "\n";
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  standins.stop();
  std::cout << "driftd-standins: stopped\n";
  return 0;
}
