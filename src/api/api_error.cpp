#include "driftd/api/api_error.hpp"

namespace driftd::api {

nlohmann::json ApiError::to_json() const {
  nlohmann::json err = {{"code", m_code}, {"message", what()}};
  if (!m_field.empty()) err["field"] = m_field;
  if (m_index) err["index"] = *m_index;
  for (const auto& [key, value] : extra.items()) err[key] = value;
  return nlohmann::json{{"error", std::move(err)}};
}

}  // namespace driftd::api
