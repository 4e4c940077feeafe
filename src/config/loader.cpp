// Loading is a short list of steps: read the text, parse the YAML, walk it with the key
// table, apply the cross-key rules, check what the config points at outside the file,
// then scrub and order the problems. Only a file that cannot be read or parsed, or that is
// not a mapping of sections, ends the load early; otherwise every step runs and reports.

#include "driftd/config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "driftd/util/secrets.hpp"
#include "rules.hpp"
#include "source_lines.hpp"
#include "yaml_reader.hpp"

namespace driftd::config {

namespace {

Outside real_outside() {
  return Outside{
      .secret_present = [](const std::string& name) { return util::read_secret(name).has_value(); },
      .file_readable =
          [](const std::string& path) {
            std::error_code ec;
            if (std::filesystem::is_directory(path, ec)) return false;
            std::ifstream in(path, std::ios::binary);
            return in.good();
          },
  };
}

int problem_line(const YAML::Mark& mark) {
  return std::max(1, mark.line + 1);
}

// Notes where each document starts and nothing else.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark last;
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7's LoadAll never returns (and grows without bound) on text where a document
// starts with a stray ',': its parser reports an empty document at the same place forever.
// Walks the documents with the parser first and refuses a document that starts where the
// previous one did. Throws YAML::Exception for syntax errors, as LoadAll would.
std::optional<Problem> parser_stalls(std::string_view yaml, const std::string& file) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  int previous = -1;
  while (parser.HandleNextDocument(starts)) {
    if (starts.last.pos <= previous) {
      return Problem{file, problem_line(starts.last),
                     "YAML syntax error: unexpected character where a document should start"};
    }
    previous = starts.last.pos;
  }
  return std::nullopt;
}

// Parses the text into at most one document; a syntax error or a second document is a
// problem and leaves `root` null.
YAML::Node parse(std::string_view yaml, const std::string& file, std::vector<Problem>& problems) {
  try {
    if (auto stalled = parser_stalls(yaml, file)) {
      problems.push_back(std::move(*stalled));
      return YAML::Node();
    }
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.empty()) return YAML::Node();
    if (documents.size() > 1) {
      problems.push_back(Problem{file, problem_line(documents[1].Mark()),
                                 "the file must hold one YAML document, found " +
                                     std::to_string(documents.size()) +
                                     " (remove the extra '---')"});
      return YAML::Node();
    }
    return documents.front();
  } catch (const YAML::Exception& e) {
    problems.push_back(Problem{file, problem_line(e.mark), "YAML syntax error: " + e.msg});
    return YAML::Node();
  }
}

LoadOutcome load_text(std::string_view yaml, const std::string& file, const Outside* outside) {
  LoadOutcome out;
  out.config.source_path = file;
  SourceLines lines;
  const YAML::Node root = parse(yaml, file, out.problems);
  bool structured = out.problems.empty();
  if (structured) {
    try {
      structured = read_document(root, file, out.config, lines, out.problems);
    } catch (const YAML::Exception& e) {
      out.problems.push_back(Problem{file, problem_line(e.mark), "cannot read the YAML: " + e.msg});
      structured = false;
    }
  }
  if (structured) {
    check_cross_key_rules(out.config, lines, file, out.problems);
    if (outside != nullptr) check_outside(out.config, lines, *outside, file, out.problems);
  }
  for (Problem& p : out.problems) p.message = util::redact(std::move(p.message));
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  return out;
}

}  // namespace

LoadOutcome load_string(std::string_view yaml, const std::string& display_name) {
  const Outside outside = real_outside();
  return load_text(yaml, display_name, &outside);
}

LoadOutcome load_file(const std::string& path, Checks checks) {
  std::error_code ec;
  std::string why;
  std::string text;
  if (std::filesystem::is_directory(path, ec)) {
    why = "it is a directory";
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      why = std::strerror(errno);
    } else {
      std::ostringstream buffer;
      buffer << in.rdbuf();
      if (in.bad()) why = std::strerror(errno);
      text = buffer.str();
    }
  }
  if (!why.empty()) {
    LoadOutcome out;
    out.config.source_path = path;
    out.problems.push_back(Problem{path, 0, "cannot read: " + why});
    return out;
  }
  const Outside outside = real_outside();
  return load_text(text, path, checks == Checks::all ? &outside : nullptr);
}

std::string resolve_config_path(const std::optional<std::string>& cli_flag, const char* env_value) {
  if (cli_flag) return *cli_flag;
  if (env_value != nullptr && *env_value != '\0') return env_value;
  return std::string(k_default_config_path);
}

std::string resolve_config_path(const std::optional<std::string>& cli_flag) {
  const std::string env_name(k_config_path_env);
  return resolve_config_path(cli_flag, std::getenv(env_name.c_str()));
}

}  // namespace driftd::config
