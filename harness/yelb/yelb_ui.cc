#include "harness/yelb/yelb_ui.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include "harness/yelb/http_service.h"
#include "harness/yelb/io_runner.h"
#include "harness/yelb/ui_page.h"
#include "harness/yelb/upstream_pool.h"

namespace crossmesh::yelb {

namespace asio = boost::asio;

namespace {

bool IsApi(std::string_view path) { return path == "/api" || path.substr(0, 5) == "/api/"; }

HttpReply NginxNotFound() {
  return {404,
          {{"Content-Type", "text/html"}},
          "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
          "</body></html>\n"};
}

asio::awaitable<HttpReply> Serve(std::shared_ptr<UpstreamPool> upstream, HttpRequest request) {
  std::string_view path = request.Path();
  if (IsApi(path)) co_return co_await upstream->Forward(std::move(request));
  if ((path == "/" || path == "/index.html") &&
      (request.method == "GET" || request.method == "HEAD")) {
    co_return HttpReply{200, {{"Content-Type", "text/html; charset=utf-8"}}, YelbPageHtml()};
  }
  co_return NginxNotFound();
}

}  // namespace

struct YelbUi::Impl {
  UiOptions options;
  IoRunner io;
  std::shared_ptr<UpstreamPool> upstream;
  HttpService http;
  bool stopped = false;

  Impl(UiOptions o, asio::io_context* external)
      : options(std::move(o)),
        io(external, options.threads),
        upstream(std::make_shared<UpstreamPool>(
            UpstreamOptions{options.appserver, options.appserver_host, options.upstream_timeout,
                            options.max_idle_upstream},
            io.context())),
        http(
            HttpServiceOptions{"yelb-ui", options.address, options.port},
            [u = upstream](HttpRequest request) { return Serve(u, std::move(request)); },
            io.context()) {}
};

YelbUi::YelbUi(UiOptions options) : impl_(std::make_unique<Impl>(std::move(options), nullptr)) {}

YelbUi::YelbUi(UiOptions options, asio::io_context& io_context)
    : impl_(std::make_unique<Impl>(std::move(options), &io_context)) {}

YelbUi::~YelbUi() { Stop(); }

Result<uint16_t> YelbUi::Start() {
  CM_RETURN_IF_ERROR(RequireLoopback(impl_->options.appserver.host));
  auto port = impl_->http.Start();
  if (!port.ok()) return port.status();
  impl_->io.Start();
  spdlog::info("yelb-ui started on {}:{}, forwarding /api to {} (Host {})", impl_->options.address,
               *port, impl_->options.appserver.ToString(), impl_->options.appserver_host);
  return port;
}

void YelbUi::Stop() {
  if (std::exchange(impl_->stopped, true)) return;
  impl_->http.Stop();
  impl_->upstream->CloseIdle();
  impl_->io.Stop();
}

uint16_t YelbUi::port() const { return impl_->http.port(); }

std::string YelbUi::Url() const {
  return fmt::format("http://{}:{}", impl_->options.address, port());
}

UpstreamCounters YelbUi::counters() const { return impl_->upstream->counters(); }

}  // namespace crossmesh::yelb
