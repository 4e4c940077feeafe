#include "edge_impulse_body.hpp"

#include <algorithm>
#include <cctype>

#include "driftd/clients/remote_failure.hpp"

namespace driftd::clients::detail {

RemoteResult<nlohmann::json> success_body(const net::HttpResponse& response,
                                          std::string_view context) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return protocol_error(context, "the answer is not a JSON object");
  }
  const auto success = json.find("success");
  if (success == json.end() || !success->is_boolean()) {
    return protocol_error(context, "the answer has no \"success\" field");
  }
  if (!success->get<bool>()) {
    const std::string text = remote_error_text(response.body);
    return protocol_error(context, text.empty() ? std::string("the service answered success:false")
                                                : "the service answered success:false: " + text);
  }
  return json;
}

bool says_duplicate(std::string_view error_text) {
  std::string lower(error_text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("already exists") != std::string::npos ||
         lower.find("duplicate") != std::string::npos;
}

}  // namespace driftd::clients::detail
