// TLS pieces shared by Client (wss://) and AdminClient (https://): the client
// context, the per-connection peer check, and failures put into words.
// Private to the SDK.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace balint::sdk::tls {

// A client context: TLS 1.2 or newer, the peer's certificate checked against
// the system trust store and, when `ca_file` is not empty, the certificates
// in that PEM file too (a private CA, or a self-signed server certificate).
// Throws std::runtime_error naming the file when it cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_client_context(const std::string& ca_file);

// Prepares one connection to `host` before its handshake: sends the name as
// SNI (not for IP literals, which SNI does not carry) and has OpenSSL check
// that the certificate is for that name or address. False when OpenSSL
// refused the settings.
bool expect_peer(SSL* ssl, const std::string& host);

// "TLS handshake with <where> failed: certificate verify failed (self-signed
// certificate)": the OpenSSL reason, the certificate check's verdict when it
// was the certificate, and a hint when the server does not speak TLS at all.
std::string handshake_failure(SSL* ssl, const boost::system::error_code& ec, const std::string& where);

// A TLS server drops a plain HTTP request without an answer. For such an
// error on a plain connection this says so and names `tls_scheme` ("wss://",
// "https://") as the likely cure; for any other error it is empty.
std::string plain_connection_hint(const boost::system::error_code& ec, const std::string& tls_scheme);

}  // namespace balint::sdk::tls
