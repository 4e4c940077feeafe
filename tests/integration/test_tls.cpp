// The real daemon serving HTTPS (server.tls_cert / server.tls_key) with a self-signed
// certificate made by openssl for the test: a verifying client gets its answers, a plain
// HTTP client gets none, and a certificate that cannot be loaded stops the start.
#include <doctest/doctest.h>

#include <fstream>

#include "support/daemon_process.hpp"
#include "support/source_tree.hpp"

using namespace driftd::test;

namespace {

// Writes cert.pem and key.pem for 127.0.0.1 into `dir`; false when openssl is missing.
bool make_certificate(const std::filesystem::path& dir) {
  if (!have_program("openssl")) return false;
  const auto r = run_command("cd '" + dir.string() +
                             "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem "
                             "-out cert.pem -days 1 -subj /CN=127.0.0.1 "
                             "-addext subjectAltName=IP:127.0.0.1");
  return r.exit_code == 0;
}

}  // namespace

TEST_CASE("with a certificate and key the daemon serves HTTPS and refuses plain HTTP") {
  TempDir dir;
  if (!make_certificate(dir.path())) {
    MESSAGE("openssl is not installed: skipped");
    return;
  }
  DaemonProcess daemon(
      dir.path(), basic_config({{"server.tls_cert", "cert.pem"}, {"server.tls_key", "key.pem"}}));
  const std::string device = create_token(dir.path(), "device", "nursery-04");
  daemon.start();
  CHECK(daemon.log().find("(HTTPS)") != std::string::npos);

  httplib::SSLClient tls("127.0.0.1", daemon.port());
  tls.set_ca_cert_path((dir.path() / "cert.pem").c_str());
  tls.enable_server_certificate_verification(true);
  tls.set_connection_timeout(std::chrono::seconds(5));
  tls.set_read_timeout(std::chrono::seconds(30));
  auto health = tls.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);

  tls.set_bearer_token_auth(device);
  auto posted = tls.Post("/api/v1/results",
                         R"({"device_id": "nursery-04", "model_version": "12", )"
                         R"("label": "crying", "confidence": 0.9})",
                         "application/json");
  REQUIRE(posted);
  CHECK(posted->status == 202);

  // Plain HTTP on the TLS port gets no HTTP answer.
  auto plain = daemon.client().Get("/healthz");
  CHECK((!plain || plain->status != 200));
  CHECK(daemon.stop() == 0);
}

TEST_CASE("a certificate that cannot be loaded stops the daemon at start") {
  TempDir dir;
  if (!have_program("openssl")) {
    MESSAGE("openssl is not installed: skipped");
    return;
  }
  std::ofstream(dir.path() / "cert.pem") << "not a certificate\n";
  std::ofstream(dir.path() / "key.pem") << "not a key\n";
  std::ofstream(dir.path() / "driftd.yaml")
      << basic_config({{"server.tls_cert", "cert.pem"}, {"server.tls_key", "key.pem"}});
  const auto r = run_driftd({"serve", "--config", "driftd.yaml"}, dir.path());
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("HTTPS") != std::string::npos);
}
