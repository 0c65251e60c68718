#include "net/transport.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace balint::net {
namespace {

tcp::socket move_socket(tcp::socket socket, asio::io_context& target) {
  const auto protocol = socket.local_endpoint().protocol();
  const auto handle = socket.release();
  return tcp::socket(target, protocol, handle);
}

}  // namespace

Transport move_transport(Transport transport, asio::io_context& target) {
  auto& current = static_cast<asio::io_context&>(transport.tcp().get_executor().context());
  if (&current == &target) return transport;
  if (auto* plain = std::get_if<PlainStream>(&transport.stream))
    return {PlainStream(move_socket(plain->release_socket(), target)), std::move(transport.slot)};

  // Asio has no way to move a TLS stream to another io_context, but it can
  // build one around an existing OpenSSL session: the new stream takes a
  // reference to the session (and gives it fresh buffers, which is why
  // nothing may be buffered), and the old stream drops its own.
  auto& tls = std::get<TlsStream>(transport.stream);
  SSL* session = tls.native_handle();
  SSL_up_ref(session);
  Transport moved{TlsStream(PlainStream(move_socket(tls.next_layer().release_socket(), target)), session),
                  std::move(transport.slot)};
  return moved;
}

std::shared_ptr<asio::ssl::context> make_tls_context(const std::string& certificate_file,
                                                     const std::string& private_key_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  error_code ec;
  context->use_certificate_chain_file(certificate_file, ec);
  if (ec) throw std::runtime_error("cannot use TLS certificate " + certificate_file + ": " + ec.message());
  context->use_private_key_file(private_key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use TLS private key " + private_key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    throw std::runtime_error("TLS private key " + private_key_file + " does not match certificate " + certificate_file);
  return context;
}

void answer_and_close(Transport transport, Response response, std::chrono::seconds timeout) {
  auto shared = std::make_shared<std::pair<Transport, Response>>(std::move(transport), std::move(response));
  shared->second.keep_alive(false);
  shared->first.tcp().expires_after(timeout);
  std::visit(
      [shared](auto& stream) {
        http::async_write(stream, shared->second, [shared, &stream](error_code ec, std::size_t) {
          auto hang_up = [shared] {
            error_code ignored;
            auto& socket = shared->first.tcp().socket();
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
          };
          if constexpr (std::is_same_v<std::decay_t<decltype(stream)>, TlsStream>) {
            if (!ec) return stream.async_shutdown([hang_up](error_code) { hang_up(); });
          }
          hang_up();
        });
      },
      shared->first.stream);
}

}  // namespace balint::net
