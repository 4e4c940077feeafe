#pragma once
// The hostile-input corpus of the HTTP API: malformed, oversized, lying or unauthorised
// requests to every route, each with the refusal SPEC §4 promises. Every case must be
// refused (4xx) in the JSON error shape and change nothing; test_hostile_input.cpp sends
// them to the real daemon.

#include <string>
#include <utility>
#include <vector>

namespace driftd::test {

// Whose token a case sends (none: no Authorization header unless the case sets one).
enum class Caller { none, device, other_device, viewer, admin, revoked, forged };

struct HostileCase {
  std::string name;
  std::string method;
  std::string target;  // path and query, sent byte for byte
  Caller caller = Caller::none;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 400;
  std::string code;  // the expected error code; "" when only the shape is promised
  // The case frames its own body (Content-Length / Transfer-Encoding in `headers`);
  // otherwise the sender adds an honest Content-Length.
  bool own_framing = false;
  // The route belongs to a group (the drift routes) that may not be built yet: while the
  // whole route answers 404 not_found, the case is reported and checked only for that.
  bool pending_route = false;
};

// Every case, in a fixed order. The device token belongs to "nursery-04", the other
// device token to "kitchen-01".
std::vector<HostileCase> hostile_cases();

// The POST /api/v1/results group of the table (hostile_cases_results.cpp).
void add_result_cases(std::vector<HostileCase>& cases);

// The HTTP/1.1 request bytes of `c` with `authorization` as the header value ("" = none).
std::string request_bytes(const HostileCase& c, const std::string& authorization);

}  // namespace driftd::test
