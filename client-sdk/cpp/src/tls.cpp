#include "tls.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <filesystem>
#include <stdexcept>

namespace balint::sdk::tls {

namespace net = boost::asio;
namespace ssl = net::ssl;

std::shared_ptr<ssl::context> make_client_context(const std::string& ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->set_default_verify_paths(ec);
  if (ec) throw std::runtime_error("cannot load the system's trusted certificates: " + ec.message());
  if (!ca_file.empty()) {
    std::error_code fs_ec;
    if (!std::filesystem::is_regular_file(ca_file, fs_ec))
      throw std::runtime_error("CA file " + ca_file + " does not exist or is not a file");
    context->load_verify_file(ca_file, ec);
    if (ec) throw std::runtime_error("cannot read certificates from CA file " + ca_file + ": " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

bool expect_peer(SSL* ssl, const std::string& host) {
  boost::system::error_code not_an_address;
  net::ip::make_address(host, not_an_address);
  if (!not_an_address) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  // A wildcard may stand for a whole label only ("*.example.org").
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(ssl, host.c_str()) == 1 && SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}

std::string handshake_failure(SSL* ssl, const boost::system::error_code& ec, const std::string& where) {
  std::string reason;
  if (ec.category() == net::error::get_ssl_category()) {
    const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    reason = text ? text : ec.message();
    const long verdict = SSL_get_verify_result(ssl);
    if (verdict != X509_V_OK) reason += std::string(" (") + X509_verify_cert_error_string(verdict) + ")";
    // What a TLS client reads when the answer is plain HTTP.
    if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER)
      reason += "; the server does not seem to speak TLS on this port";
  } else if (ec == ssl::error::stream_truncated || ec == net::error::eof || ec == net::error::connection_reset) {
    reason = "the server closed the connection (does it speak TLS on this port?)";
  } else {
    reason = ec.message();
  }
  return "TLS handshake with " + where + " failed: " + reason;
}

std::string plain_connection_hint(const boost::system::error_code& ec, const std::string& tls_scheme) {
  if (ec != boost::beast::http::error::end_of_stream && ec != net::error::eof && ec != net::error::connection_reset)
    return {};
  return " (the server closed the connection without an answer; if it speaks TLS, use " + tls_scheme + ")";
}

}  // namespace balint::sdk::tls
