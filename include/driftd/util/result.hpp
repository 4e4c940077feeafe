#pragma once
// A value or a typed error, for parsers, decoders and clients (the first error tier).
// Exceptions are kept for programming errors and for the one boundary per HTTP request.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace driftd {

// A failure a caller can act on: a stable snake_case code, a human sentence, and where
// it applies (a field name, a position in a batch) when that is known.
struct Error {
  std::string code;
  std::string message;
  std::string field;                 // empty when not about one field
  std::optional<std::size_t> index;  // position in a batch, when about one element
};

// Holds either a T or an Error. Checked access: value() on an error is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_data.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(m_data);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(m_data);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(m_data));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(m_data);
  }

 private:
  std::variant<T, Error> m_data;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string code, std::string message, std::string field = {}) {
  return Error{std::move(code), std::move(message), std::move(field), std::nullopt};
}

}  // namespace driftd
