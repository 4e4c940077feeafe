#pragma once
// Private to the Edge Impulse clients: the JSON convention every Studio and ingestion
// answer follows (GenericApiResponse: {"success": bool, "error"?: string}).

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "driftd/clients/remote_error.hpp"
#include "driftd/net/http.hpp"

namespace driftd::clients::detail {

// The body of a 2xx answer as a JSON object whose "success" is true; a protocol error
// (with the remote's "error" text) otherwise.
RemoteResult<nlohmann::json> success_body(const net::HttpResponse& response,
                                          std::string_view context);

// True when an Edge Impulse error text says the content is already in the project.
bool says_duplicate(std::string_view error_text);

}  // namespace driftd::clients::detail
