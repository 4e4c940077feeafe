#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>

#include "driftd/cli/commands.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/store_config.hpp"
#include "driftd/store/tokens.hpp"

namespace driftd::cli {

namespace {

std::unique_ptr<store::Store> open_store_for_cli(const config::Config& config) {
  auto opened =
      store::Store::open(store::store_options_from_config(config.storage), util::now_ms());
  if (!opened) {
    std::cerr << "driftd: cannot open the database " << config.storage.database << ": "
              << opened.error().message << "\n";
    return nullptr;
  }
  return std::move(opened).value();
}

std::string time_or_dash(const std::optional<util::UnixMs>& t) {
  return t ? util::format_rfc3339(*t) : "-";
}

}  // namespace

void add_token_commands(CLI::App& app, Options& options, int& exit_code) {
  auto* token = app.add_subcommand("token", "Create, list and revoke API tokens");
  token->require_subcommand(1);

  struct CreateArgs {
    std::string role;
    std::string device;
  };
  auto create_args = std::make_shared<CreateArgs>();
  auto* create = token->add_subcommand(
      "create", "Create a token; the token alone is the last line on stdout (shown only once)");
  create->add_option("--role", create_args->role, "device | viewer | admin")
      ->required()
      ->check(CLI::IsMember({"device", "viewer", "admin"}));
  create->add_option("--device", create_args->device,
                     "The device id a device token may send data for (1-64 of A-Za-z0-9._:-)");
  create->callback([&options, &exit_code, create_args] {
    const auto role = store::parse_role(create_args->role);
    if (*role == store::Role::device && create_args->device.empty()) {
      std::cerr << "driftd token create: --role device needs --device ID\n";
      exit_code = k_exit_usage;
      return;
    }
    if (*role != store::Role::device && !create_args->device.empty()) {
      std::cerr << "driftd token create: --device applies only to --role device\n";
      exit_code = k_exit_usage;
      return;
    }
    auto config = load_config(options);
    if (!config) {
      exit_code = k_exit_usage;
      return;
    }
    auto store = open_store_for_cli(*config);
    if (!store) {
      exit_code = k_exit_failure;
      return;
    }
    auto created = store::create_token(*store, *role, create_args->device, util::now_ms());
    if (!created) {
      std::cerr << "driftd token create: " << created.error().message << "\n";
      exit_code = created.error().code == "invalid_argument" ? k_exit_usage : k_exit_failure;
      return;
    }
    std::cout << "token " << created->id << " (" << create_args->role
              << (create_args->device.empty() ? "" : " for device " + create_args->device)
              << "); only its hash is stored, so keep it now:\n"
              << created->token << "\n";
    exit_code = k_exit_ok;
  });

  auto json_list = std::make_shared<bool>(false);
  auto* list = token->add_subcommand("list", "List tokens (never their secrets)");
  list->add_flag("--json", *json_list, "One JSON object per token");
  list->callback([&options, &exit_code, json_list] {
    auto config = load_config(options);
    if (!config) {
      exit_code = k_exit_usage;
      return;
    }
    auto store = open_store_for_cli(*config);
    if (!store) {
      exit_code = k_exit_failure;
      return;
    }
    auto tokens = store::list_tokens(*store);
    if (!tokens) {
      std::cerr << "driftd token list: " << tokens.error().message << "\n";
      exit_code = k_exit_failure;
      return;
    }
    if (!*json_list) {
      std::cout << std::left << std::setw(6) << "ID" << std::setw(8) << "ROLE" << std::setw(24)
                << "DEVICE" << std::setw(26) << "CREATED" << std::setw(26) << "LAST_USED"
                << "REVOKED\n";
    }
    for (const auto& t : *tokens) {
      if (*json_list) {
        std::cout
            << nlohmann::json{{"id", t.id},
                              {"role", store::role_name(t.role)},
                              {"device_id", t.device_id.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(t.device_id)},
                              {"created", util::format_rfc3339(t.created)},
                              {"last_used", t.last_used
                                                ? nlohmann::json(util::format_rfc3339(*t.last_used))
                                                : nlohmann::json(nullptr)},
                              {"revoked", t.revoked
                                              ? nlohmann::json(util::format_rfc3339(*t.revoked))
                                              : nlohmann::json(nullptr)}}
                   .dump()
            << "\n";
      } else {
        std::cout << std::left << std::setw(6) << t.id << std::setw(8) << store::role_name(t.role)
                  << std::setw(24) << (t.device_id.empty() ? "-" : t.device_id) << std::setw(26)
                  << util::format_rfc3339(t.created) << std::setw(26) << time_or_dash(t.last_used)
                  << time_or_dash(t.revoked) << "\n";
      }
    }
    exit_code = k_exit_ok;
  });

  auto revoke_id = std::make_shared<std::int64_t>(0);
  auto* revoke = token->add_subcommand("revoke", "Revoke a token by id; effective immediately");
  revoke->add_option("ID", *revoke_id, "The token id (driftd token list)")->required();
  revoke->callback([&options, &exit_code, revoke_id] {
    auto config = load_config(options);
    if (!config) {
      exit_code = k_exit_usage;
      return;
    }
    auto store = open_store_for_cli(*config);
    if (!store) {
      exit_code = k_exit_failure;
      return;
    }
    auto revoked = store::revoke_token(*store, *revoke_id, util::now_ms());
    if (!revoked) {
      std::cerr << "driftd token revoke: " << revoked.error().message << "\n";
      exit_code = k_exit_failure;
      return;
    }
    std::cout << "token " << *revoke_id << " revoked\n";
    exit_code = k_exit_ok;
  });
}

}  // namespace driftd::cli
