#include "driftd/util/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace driftd::util {

namespace {

// Formats the message as a JSON string body (quotes and control characters escaped).
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char c : msg.payload) {
      switch (c) {
        case '"':
          dest.append(std::string_view("\\\""));
          break;
        case '\\':
          dest.append(std::string_view("\\\\"));
          break;
        case '\n':
          dest.append(std::string_view("\\n"));
          break;
        case '\r':
          dest.append(std::string_view("\\r"));
          break;
        case '\t':
          dest.append(std::string_view("\\t"));
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char k_hex[] = "0123456789abcdef";
            char esc[6] = {'\\', 'u', '0', '0', k_hex[(c >> 4) & 0xf], k_hex[c & 0xf]};
            dest.append(esc, esc + 6);
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

// The message for one text line: a line break or another control character (from a
// request path, say) is written escaped, so no input can forge or split a log line.
class TextEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char c : msg.payload) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        dest.append(std::string_view("\\n"));
      } else if (c == '\r') {
        dest.append(std::string_view("\\r"));
      } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
        static constexpr char k_hex[] = "0123456789abcdef";
        char esc[4] = {'\\', 'x', k_hex[u >> 4], k_hex[u & 0xf]};
        dest.append(esc, esc + 4);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextEscapedMessage>();
  }
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  try {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("driftd", sink);
    std::unique_ptr<spdlog::pattern_formatter> formatter;
    if (format == "json") {
      formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
      formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
          R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":"%t","msg":"%*"})");
    } else {
      formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
      formatter->add_flag<TextEscapedMessage>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %*");
    }
    logger->set_formatter(std::move(formatter));
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (...) {
    // Logging must never take the caller down; keep spdlog's default logger.
  }
}

}  // namespace driftd::util
