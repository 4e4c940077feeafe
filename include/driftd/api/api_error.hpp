#pragma once
// The one error shape of the HTTP API (SPEC §4):
//   {"error": {"code": "snake_case_code", "message": "human sentence", "field"?, "index"?}}
// with a 4xx/5xx status. Handlers return or throw ApiError; the server's error boundary
// turns it (and any other exception, as a 500) into this JSON.

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

#include "driftd/util/result.hpp"

namespace driftd::api {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message, std::string field = {},
           std::optional<std::size_t> index = std::nullopt)
      : std::runtime_error(message),
        m_status(status),
        m_code(std::move(code)),
        m_field(std::move(field)),
        m_index(index) {}

  // Wraps a typed error from a parser or decoder with the status it deserves.
  ApiError(int status, const Error& error)
      : ApiError(status, error.code, error.message, error.field, error.index) {}

  int status() const { return m_status; }
  const std::string& code() const { return m_code; }
  const std::string& field() const { return m_field; }
  const std::optional<std::size_t>& index() const { return m_index; }

  // Extra members merged into the "error" object (e.g. retry_after_seconds).
  nlohmann::json extra = nlohmann::json::object();

  nlohmann::json to_json() const;

 private:
  int m_status;
  std::string m_code;
  std::string m_field;
  std::optional<std::size_t> m_index;
};

}  // namespace driftd::api
