#pragma once
// API tokens and roles. A token is "drd_" followed by 43 URL-safe base64 characters
// (256 random bits). It is shown once, at creation; only its SHA-256 (hex) is stored.
// Authentication looks the hash up through its unique index and confirms it with a
// constant-time comparison. A revocation — also one made by `driftd token revoke` in
// another process — takes effect on the next request:
// - authenticate() always reads the database;
// - authenticate_cached() may answer from memory, and then says so (Principal::cached):
//   the caller must confirm the token inside the write transaction that acts on it
//   (confirm_token_live(), or insert_results' live_token_id), where the writer sees every
//   commit made before, and re-check with authenticate() before refusing a request for
//   any other reason, so that a revoked token is always answered as revoked.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

enum class Role { device, viewer, admin };

// "device", "viewer", "admin".
std::string_view role_name(Role role);
// The Role named `name`, or nothing.
std::optional<Role> parse_role(std::string_view name);

inline constexpr std::string_view k_token_prefix = "drd_";

// Who a request is: the token's row id (0 for the admin token given by environment), its
// role, and for a device token its device id (empty otherwise).
struct Principal {
  std::int64_t token_id = 0;
  Role role = Role::viewer;
  std::string device_id;
  // True when answered from the cache of authenticate_cached(): the token was valid when
  // cached and has not been re-read for this request (see the header comment).
  bool cached = false;
};

class WriteTxn;

// A token as listed: never its secret or hash.
struct TokenInfo {
  std::int64_t id = 0;
  Role role = Role::viewer;
  std::string device_id;  // empty unless role is device
  util::UnixMs created = 0;
  std::optional<util::UnixMs> last_used;  // to within k_last_used_resolution
  std::optional<util::UnixMs> revoked;
};

// The only time a token's text exists: hand it to the operator, then forget it.
struct CreatedToken {
  std::int64_t id = 0;
  std::string token;
};

// Creates a token. A device token needs a valid device id (ids.hpp); viewer and admin
// tokens take none (invalid_argument otherwise).
Result<CreatedToken> create_token(Store& store, Role role, std::string_view device_id,
                                  util::UnixMs now);

// Every token, revoked ones included, by id.
Result<std::vector<TokenInfo>> list_tokens(Store& store);

// Revokes token `id` from now on. not_found for an unknown id; revoking twice keeps the
// first revocation time and succeeds.
Status revoke_token(Store& store, std::int64_t id, util::UnixMs now);

// Whether an unrevoked admin token exists in the database (the environment's admin token
// does not count): serve creates one at start when not.
Result<bool> has_admin_token(Store& store);

// How finely last_used is kept: a token's use is written at most this often.
inline constexpr util::UnixMs k_last_used_resolution = 60'000;

// Inside a write job: Ok when token `token_id` exists and is not revoked, else
// token_revoked. The writer's transaction sees every revocation committed before it.
Status confirm_token_live(WriteTxn& txn, std::int64_t token_id);

class TokenAuthenticator {
 public:
  // `env_admin_token`: the secret named by auth.admin_token_env, if set; only its hash is
  // kept. It authenticates as admin without a database row.
  TokenAuthenticator(Store& store, const std::optional<std::string>& env_admin_token);

  // The principal of `token`, or nothing when it is unknown, revoked or malformed, read
  // from the database (cached = false). An error only when the database cannot be read.
  // Records last_used in the background, and remembers valid tokens for
  // authenticate_cached() (forgets revoked ones).
  Result<std::optional<Principal>> authenticate(std::string_view token, util::UnixMs now) const;

  // As authenticate(), but a token found valid before is answered from memory with
  // Principal::cached set, without reading the database: the caller must confirm it
  // (header comment). Unknown tokens are always looked up.
  Result<std::optional<Principal>> authenticate_cached(std::string_view token,
                                                       util::UnixMs now) const;

  // Tokens remembered at most; the cache starts afresh when it is full.
  static constexpr std::size_t k_cache_capacity = 65'536;

 private:
  struct CacheEntry {
    Principal principal;
    std::shared_ptr<std::atomic<util::UnixMs>> last_used;  // as last written, 0 = never
  };

  // Both authenticate functions: the token is hashed once, and looked up in memory first
  // when `may_use_cache`.
  Result<std::optional<Principal>> look_up(std::string_view token, util::UnixMs now,
                                           bool may_use_cache) const;
  void touch(std::int64_t token_id, util::UnixMs now) const;
  void remember(const std::string& hash, const Principal& principal,
                std::optional<util::UnixMs> last_used) const;
  void forget(const std::string& hash) const;

  Store& m_store;
  std::string m_env_admin_hash;  // empty when no environment admin token
  mutable std::shared_mutex m_cache_mutex;
  mutable std::unordered_map<std::string, CacheEntry> m_cache;  // by SHA-256 hex
};

}  // namespace driftd::store
