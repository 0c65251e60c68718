// The server behind TLS, driven by the SDK and balint-cli over https:// and
// wss://: each test makes a fresh self-signed certificate, and clients that
// trust it work while the others are refused with a clear reason.

#include "harness.hpp"
#include "raw_tcp.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <thread>

#ifndef BALINT_CLI_PATH
#error "BALINT_CLI_PATH must name the balint-cli binary"
#endif

namespace balint::test {
namespace {

struct CertificateFiles {
  std::string certificate;  // PEM
  std::string private_key;  // PEM
};

template <class T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;

void free_bio(BIO* bio) { BIO_free(bio); }  // Also flushes and closes a file.
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, free_bio>>;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making the test certificate: ") + what + " failed");
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  require(extension != nullptr, "an extension");
  require(X509_add_ext(cert, extension.get(), -1) == 1, "adding an extension");
}

// A new P-256 key and a self-signed certificate for `subject_alt_names`
// (e.g. "IP:127.0.0.1,DNS:localhost"), valid from a minute ago for a day,
// written as PEM files `<name>.crt` and `<name>.key` into `dir`.
CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir, const std::string& name,
                                              const char* subject_alt_names) {
  KeyPtr key(EVP_EC_gen("P-256"));
  require(key != nullptr, "generating the key");

  X509Ptr cert(X509_new());
  require(cert != nullptr, "X509_new");
  require(X509_set_version(cert.get(), 2) == 1, "setting the version");  // X.509 v3
  unsigned char serial[16];
  require(RAND_bytes(serial, sizeof serial) == 1, "a random serial");
  serial[0] &= 0x7f;  // Positive.
  BIGNUM* serial_number = BN_bin2bn(serial, sizeof serial, nullptr);
  require(serial_number && BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(cert.get())),
          "setting the serial");
  BN_free(serial_number);
  require(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr, "not before");
  require(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "not after");
  require(X509_set_pubkey(cert.get(), key.get()) == 1, "setting the public key");

  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string common_name = "Balint Room test " + name;
  require(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1,
          "the common name");
  require(X509_set_issuer_name(cert.get(), subject) == 1, "the issuer");  // Self-signed.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_alt_name, subject_alt_names);
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

  CertificateFiles files{(dir / (name + ".crt")).string(), (dir / (name + ".key")).string()};
  BioPtr cert_out(BIO_new_file(files.certificate.c_str(), "w"));
  require(cert_out && PEM_write_bio_X509(cert_out.get(), cert.get()) == 1, "writing the certificate");
  BioPtr key_out(BIO_new_file(files.private_key.c_str(), "w"));
  require(key_out && PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing the key");
  return files;
}

std::function<void(app::Config&)> with_tls(const CertificateFiles& files) {
  return [files](app::Config& config) {
    config.tls_certificate_file = files.certificate;
    config.tls_private_key_file = files.private_key;
  };
}

sdk::ClientOptions trusting(const std::string& ca_file) {
  sdk::ClientOptions options;
  options.ca_file = ca_file;
  return options;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

sdk::CreatedSession two_person_session(sdk::AdminClient& admin) {
  sdk::SessionRequest request;
  request.name = "TLS group";
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("bo", "Bo", "participant"),
                      invitee("cy", "Cy", "participant")};
  return admin.create_session(request);
}

}  // namespace

TEST_CASE("a session over https and wss with a self-signed certificate", "[tls]") {
  TempDir certs;
  const auto files = make_self_signed_certificate(certs.path(), "server", "IP:127.0.0.1,DNS:localhost");
  TestServer server(with_tls(files));
  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  REQUIRE(server.http_url() == "https://" + where);

  sdk::AdminClient admin(server.http_url(), server.admin_secret(), sdk::AdminOptions{kWait, files.certificate});
  REQUIRE(admin.healthy());
  const auto created = two_person_session(admin);
  const auto& ada_invite = created.invite("Dr Ada");
  REQUIRE(ada_invite.link.rfind("https://" + where + "/join#", 0) == 0);
  CHECK(sdk::parse_join_link(ada_invite.link).ws_url == "wss://" + where + "/ws");

  Member ada("ada", trusting(files.certificate));
  Member bo("bo", trusting(files.certificate));
  ada.join(ada_invite);
  bo.join(created.invite("Bo"));
  // By host name rather than address: the name is checked (and sent as SNI).
  Member cy("cy", trusting(files.certificate));
  const auto by_name = cy.client().connect("wss://localhost:" + std::to_string(server.port()) + "/ws",
                                           created.invite("Cy").token);
  INFO(by_name.describe());
  REQUIRE(by_name.ok());

  const auto started = must(ada, sdk::cmd::next_phase());
  wait_all({&ada, &bo, &cy}, started);
  CHECK(ada.client().state().phase_index() == 0);
  CHECK(bo.client().state().phase_index() == 0);
  CHECK(cy.client().state().phase_index() == 0);
  CHECK(admin.get_session(created.session_id).phase_index() == 0);

  SECTION("a client that does not trust the certificate is refused as tls") {
    Member stranger("stranger");  // The system's trust store alone.
    const auto status = stranger.try_join(created.invite("Bo"));
    INFO(status.describe());
    CHECK(status.code == "tls");
    CHECK(contains(status.message, where));
    CHECK(contains(status.message, "certificate verify failed"));
    CHECK(contains(status.message, "self-signed certificate"));

    sdk::AdminClient untrusting(server.http_url(), server.admin_secret());
    try {
      untrusting.list_sessions();
      FAIL("the admin API answered a client that does not trust its certificate");
    } catch (const sdk::ApiError& e) {
      INFO(e.what());
      CHECK(e.code() == "tls");
      CHECK(contains(e.status().message, where));
      CHECK(contains(e.status().message, "certificate verify failed"));
    }
  }

  SECTION("plain ws:// and http:// to the TLS port are refused") {
    sdk::Client plain;
    const auto status = plain.connect("ws://" + where + "/ws", ada_invite.token);
    INFO(status.describe());
    CHECK(status.code == "network");
    CHECK(contains(status.message, where));
    CHECK(contains(status.message, "use wss://"));
    CHECK_FALSE(plain.connected());

    sdk::AdminClient plain_admin("http://" + where, server.admin_secret());
    try {
      plain_admin.list_sessions();
      FAIL("the TLS port answered plain HTTP");
    } catch (const sdk::ApiError& e) {
      INFO(e.what());
      CHECK(e.code() == "network");
      CHECK(contains(e.status().message, "use https://"));
    }
  }

  SECTION("a certificate for another name is refused even when trusted") {
    const auto other = make_self_signed_certificate(certs.path(), "other", "DNS:balint.invalid");
    TestServer misnamed(with_tls(other));
    Member careful("careful", trusting(other.certificate));
    const auto status = careful.client().connect("wss://127.0.0.1:" + std::to_string(misnamed.port()) + "/ws",
                                                 ada_invite.token);
    INFO(status.describe());
    CHECK(status.code == "tls");
    CHECK(contains(status.message, "IP address mismatch"));
  }

  // Whatever was refused, the members' session goes on.
  const auto moved = must(ada, sdk::cmd::next_phase());
  wait_all({&ada, &bo}, moved);
  CHECK(bo.client().state().phase_index() == 1);
}

TEST_CASE("balint-cli over TLS with --ca-file and BALINT_CA_FILE", "[tls][cli]") {
  const std::string cli = BALINT_CLI_PATH;
  TempDir certs;
  const auto files = make_self_signed_certificate(certs.path(), "server", "IP:127.0.0.1,DNS:localhost");
  TestServer server(with_tls(files));

  const auto create = run_process({cli, "create", "--server", server.http_url(), "--admin-secret",
                                   server.admin_secret(), "--ca-file", files.certificate, "--name", "CLI over TLS",
                                   "--format", "balint", "--invite", "Dr Ada:facilitator:fac"});
  INFO("create stdout:\n" << create.out << "\nstderr:\n" << create.err);
  REQUIRE(create.exit_code == 0);
  const auto tab = create.out.rfind('\t');
  REQUIRE(tab != std::string::npos);
  std::string link = create.out.substr(tab + 1);
  while (!link.empty() && (link.back() == '\n' || link.back() == '\r')) link.pop_back();
  REQUIRE(link.rfind("https://", 0) == 0);

  const auto untrusted = run_process({cli, "sessions", "--server", server.http_url(), "--admin-secret",
                                      server.admin_secret()});
  INFO("sessions without a CA file:\n" << untrusted.err);
  CHECK(untrusted.exit_code == 1);
  CHECK(contains(untrusted.err, "tls"));
  CHECK(contains(untrusted.err, "certificate verify failed"));

  const auto listed = run_process({cli, "sessions", "--server", server.http_url(), "--admin-secret",
                                   server.admin_secret()},
                                  "", {{"BALINT_CA_FILE", files.certificate}});
  INFO("sessions with BALINT_CA_FILE:\n" << listed.out << listed.err);
  CHECK(listed.exit_code == 0);
  CHECK(contains(listed.out, "CLI over TLS"));

  const auto joined = run_process({cli, "join", link, "--no-screen"}, "next\n",
                                  {{"BALINT_CA_FILE", files.certificate}});
  INFO("join stdout:\n" << joined.out << "\nstderr:\n" << joined.err);
  CHECK(joined.exit_code == 0);
  CHECK(contains(joined.out, "joined session"));
  CHECK(contains(joined.out, "result next: ok"));

  const auto refused = run_process({cli, "join", link, "--no-screen"}, "next\n");
  INFO("join without a CA file:\n" << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "cannot join: tls"));
}

}  // namespace balint::test

namespace balint::test {

TEST_CASE("TLS: a connection over a cap is closed at once, before any handshake holds its descriptor", "[tls][hostile]") {
  TempDir certs;
  const auto files = make_self_signed_certificate(certs.path(), "server", "IP:127.0.0.1");
  TestServer server([&](app::Config& config) {
    with_tls(files)(config);
    config.max_connections_per_ip = 1;
  });
  RawTcp first(server.port());  // Holds the address's one place, saying nothing.
  REQUIRE(first.connected());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // The second sends no ClientHello either: before, it was held for the
  // whole handshake timeout (10 s) outside the count.
  RawTcp second(server.port());
  REQUIRE(second.connected());
  const auto started = std::chrono::steady_clock::now();
  CHECK(second.wait_closed(std::chrono::seconds(3)));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
}

}  // namespace balint::test
