#include "driftd/store/tokens.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "driftd/store/ids.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::store {

namespace {

// Random bytes in a token: 256 bits, 43 base64url characters.
constexpr std::size_t k_token_bytes = 32;
// Longer presented tokens are refused before hashing.
constexpr std::size_t k_max_token_length = 256;

Role role_from_column(const std::string& name) {
  return parse_role(name).value_or(Role::viewer);
}

std::optional<util::UnixMs> optional_time(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

Status check_role_device(Role role, std::string_view device_id) {
  if (role == Role::device && !is_valid_device_id(device_id)) {
    return make_error(k_error_invalid,
                      "a device token needs a device id of 1-64 characters [A-Za-z0-9._:-]",
                      "device_id");
  }
  if (role != Role::device && !device_id.empty()) {
    return make_error(k_error_invalid, "only device tokens carry a device id", "device_id");
  }
  return Ok{};
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::device:
      return "device";
    case Role::viewer:
      return "viewer";
    case Role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "device") return Role::device;
  if (name == "viewer") return Role::viewer;
  if (name == "admin") return Role::admin;
  return std::nullopt;
}

Result<CreatedToken> create_token(Store& store, Role role, std::string_view device_id,
                                  util::UnixMs now) {
  if (Status ok = check_role_device(role, device_id); !ok) return ok.error();
  std::string token = std::string(k_token_prefix) + util::random_token(k_token_bytes);
  const std::string hash = util::sha256_hex(token);
  const std::string device(device_id);
  Result<std::int64_t> id = store.writer().run([&](WriteTxn& txn) -> Result<std::int64_t> {
    SQLite::Statement& insert =
        txn.prepare("INSERT INTO tokens (role, device_id, hash, created_at) VALUES (?, ?, ?, ?)");
    insert.bind(1, std::string(role_name(role)));
    if (role == Role::device) {
      insert.bind(2, device);
    } else {
      insert.bind(2);
    }
    insert.bind(3, hash);
    insert.bind(4, static_cast<std::int64_t>(now));
    insert.exec();
    return txn.last_insert_id();
  });
  if (!id) return id.error();
  return CreatedToken{id.value(), std::move(token)};
}

Result<std::vector<TokenInfo>> list_tokens(Store& store) {
  return store.read([](Connection& c) -> Result<std::vector<TokenInfo>> {
    SQLite::Statement& query = c.prepare(
        "SELECT id, role, device_id, created_at, last_used_at, revoked_at FROM tokens "
        "ORDER BY id");
    std::vector<TokenInfo> tokens;
    while (query.executeStep()) {
      TokenInfo info;
      info.id = query.getColumn(0).getInt64();
      info.role = role_from_column(query.getColumn(1).getString());
      info.device_id = query.getColumn(2).getString();  // NULL reads as ""
      info.created = query.getColumn(3).getInt64();
      info.last_used = optional_time(query.getColumn(4));
      info.revoked = optional_time(query.getColumn(5));
      tokens.push_back(std::move(info));
    }
    return tokens;
  });
}

Status revoke_token(Store& store, std::int64_t id, util::UnixMs now) {
  return store.writer().run([&](WriteTxn& txn) -> Status {
    SQLite::Statement& revoke =
        txn.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    revoke.bind(1, static_cast<std::int64_t>(now));
    revoke.bind(2, static_cast<std::int64_t>(id));
    revoke.exec();
    if (txn.changes() > 0) return Ok{};
    SQLite::Statement& exists = txn.prepare("SELECT 1 FROM tokens WHERE id = ?");
    exists.bind(1, static_cast<std::int64_t>(id));
    if (exists.executeStep()) return Ok{};  // already revoked
    return make_error(k_error_not_found, "no token with id " + std::to_string(id));
  });
}

Result<bool> has_admin_token(Store& store) {
  return store.read([](Connection& c) -> Result<bool> {
    SQLite::Statement& query = c.prepare(
        "SELECT EXISTS (SELECT 1 FROM tokens WHERE role = 'admin' AND revoked_at IS NULL)");
    query.executeStep();
    return query.getColumn(0).getInt() != 0;
  });
}

TokenAuthenticator::TokenAuthenticator(Store& store,
                                       const std::optional<std::string>& env_admin_token)
    : m_store(store) {
  if (env_admin_token && !env_admin_token->empty()) {
    m_env_admin_hash = util::sha256_hex(*env_admin_token);
  }
}

Status confirm_token_live(WriteTxn& txn, std::int64_t token_id) {
  SQLite::Statement& live = txn.prepare("SELECT 1 FROM tokens WHERE id = ? AND revoked_at IS NULL");
  live.bind(1, static_cast<std::int64_t>(token_id));
  const bool found = live.executeStep();
  live.reset();
  if (found) return Ok{};
  return make_error(k_error_token_revoked, "the token is unknown or revoked");
}

void TokenAuthenticator::touch(std::int64_t token_id, util::UnixMs now) const {
  // Fire and forget: the request does not wait for this commit.
  (void)m_store.writer().submit([token_id, now](WriteTxn& txn) -> Status {
    SQLite::Statement& touch = txn.prepare(
        "UPDATE tokens SET last_used_at = ? WHERE id = ? "
        "AND (last_used_at IS NULL OR last_used_at <= ?)");
    touch.bind(1, static_cast<std::int64_t>(now));
    touch.bind(2, static_cast<std::int64_t>(token_id));
    touch.bind(3, static_cast<std::int64_t>(now - k_last_used_resolution));
    touch.exec();
    return Ok{};
  });
}

void TokenAuthenticator::remember(const std::string& hash, const Principal& principal,
                                  std::optional<util::UnixMs> last_used) const {
  CacheEntry entry{principal, std::make_shared<std::atomic<util::UnixMs>>(last_used.value_or(0))};
  entry.principal.cached = true;
  std::unique_lock lock(m_cache_mutex);
  if (m_cache.size() >= k_cache_capacity && !m_cache.contains(hash)) m_cache.clear();
  m_cache.insert_or_assign(hash, std::move(entry));
}

void TokenAuthenticator::forget(const std::string& hash) const {
  std::unique_lock lock(m_cache_mutex);
  m_cache.erase(hash);
}

Result<std::optional<Principal>> TokenAuthenticator::authenticate(std::string_view token,
                                                                  util::UnixMs now) const {
  return look_up(token, now, false);
}

Result<std::optional<Principal>> TokenAuthenticator::authenticate_cached(std::string_view token,
                                                                         util::UnixMs now) const {
  return look_up(token, now, true);
}

Result<std::optional<Principal>> TokenAuthenticator::look_up(std::string_view token,
                                                             util::UnixMs now,
                                                             bool may_use_cache) const {
  if (token.empty() || token.size() > k_max_token_length) return std::optional<Principal>();
  const std::string hash = util::sha256_hex(token);
  if (!m_env_admin_hash.empty() && util::constant_time_equal(hash, m_env_admin_hash)) {
    return std::optional<Principal>(Principal{0, Role::admin, {}, false});
  }
  if (may_use_cache) {
    std::shared_lock lock(m_cache_mutex);
    if (auto it = m_cache.find(hash);
        it != m_cache.end() && util::constant_time_equal(it->first, hash)) {
      const CacheEntry& entry = it->second;
      util::UnixMs seen = entry.last_used->load(std::memory_order_relaxed);
      if ((seen == 0 || now - seen >= k_last_used_resolution) &&
          entry.last_used->compare_exchange_strong(seen, now, std::memory_order_relaxed)) {
        touch(entry.principal.token_id, now);
      }
      return std::optional<Principal>(entry.principal);
    }
  }

  struct Found {
    Principal principal;
    std::optional<util::UnixMs> last_used;
  };
  Result<std::optional<Found>> found =
      m_store.read([&](Connection& c) -> Result<std::optional<Found>> {
        SQLite::Statement& query = c.prepare(
            "SELECT id, role, device_id, hash, last_used_at FROM tokens "
            "WHERE hash = ? AND revoked_at IS NULL");
        query.bind(1, hash);
        if (!query.executeStep()) return std::optional<Found>();
        if (!util::constant_time_equal(query.getColumn(3).getString(), hash)) {
          return std::optional<Found>();
        }
        Found f;
        f.principal.token_id = query.getColumn(0).getInt64();
        f.principal.role = role_from_column(query.getColumn(1).getString());
        f.principal.device_id = query.getColumn(2).getString();
        f.last_used = optional_time(query.getColumn(4));
        return std::optional<Found>(std::move(f));
      });
  if (!found) return found.error();
  if (!found.value()) {
    forget(hash);
    return std::optional<Principal>();
  }

  const Found& f = *found.value();
  std::optional<util::UnixMs> last_used = f.last_used;
  if (!last_used || now - *last_used >= k_last_used_resolution) {
    touch(f.principal.token_id, now);
    last_used = now;
  }
  remember(hash, f.principal, last_used);
  return std::optional<Principal>(f.principal);
}

}  // namespace driftd::store
