#include "harness/yelb/yelb_appserver.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/yelb/http_service.h"
#include "harness/yelb/io_runner.h"

namespace crossmesh::yelb {

namespace asio = boost::asio;

namespace {

std::string MachineHostname() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "yelb-appserver";
  return name.data();
}

// What request coroutines share; they keep it alive while a query is still running.
struct Backend {
  AppserverRoutes routes;
  asio::thread_pool blocking;
  std::atomic<bool> stopping{false};

  Backend(const AppserverOptions& o, std::string hostname)
      : routes(StoreOptions{o.redis, o.postgres, o.max_idle_connections, o.backend_timeout},
               std::move(hostname)),
        blocking(static_cast<size_t>(std::max(1, o.backend_threads))) {}
};

asio::awaitable<HttpReply> Serve(std::shared_ptr<Backend> backend, HttpRequest request) {
  if (backend->stopping) co_return HttpReply{503, {}, "yelb-appserver is stopping\n"};
  // hiredis and libpq block: run the route on the backend pool and resume here when it is done.
  co_return co_await asio::co_spawn(
      backend->blocking.get_executor(),
      [&]() -> asio::awaitable<HttpReply> { co_return backend->routes.Handle(request); },
      asio::use_awaitable);
}

}  // namespace

struct YelbAppserver::Impl {
  AppserverOptions options;
  std::shared_ptr<Backend> backend;
  IoRunner io;
  HttpService http;

  Impl(AppserverOptions o, asio::io_context* external)
      : options(std::move(o)),
        backend(std::make_shared<Backend>(
            options, options.hostname.empty() ? MachineHostname() : options.hostname)),
        io(external, options.threads),
        http(
            HttpServiceOptions{"yelb-appserver", options.address, options.port},
            [b = backend](HttpRequest request) { return Serve(b, std::move(request)); },
            io.context()) {}
};

YelbAppserver::YelbAppserver(AppserverOptions options)
    : impl_(std::make_unique<Impl>(std::move(options), nullptr)) {}

YelbAppserver::YelbAppserver(AppserverOptions options, asio::io_context& io_context)
    : impl_(std::make_unique<Impl>(std::move(options), &io_context)) {}

YelbAppserver::~YelbAppserver() { Stop(); }

Result<uint16_t> YelbAppserver::Start() {
  auto port = impl_->http.Start();
  if (!port.ok()) return port.status();
  impl_->io.Start();
  spdlog::info("yelb-appserver started on {}:{} (redis {}, postgresql {}, hostname {})",
               impl_->options.address, *port, impl_->options.redis.ToString(),
               impl_->options.postgres.ToString(), impl_->backend->routes.hostname());
  return port;
}

void YelbAppserver::Stop() {
  if (impl_->backend->stopping.exchange(true)) return;
  impl_->http.Stop();
  impl_->io.Stop();
  // Queries in flight end within the backend timeout; wait for them before the store goes.
  impl_->backend->blocking.join();
}

uint16_t YelbAppserver::port() const { return impl_->http.port(); }

std::string YelbAppserver::Url() const {
  return fmt::format("http://{}:{}", impl_->options.address, port());
}

AppserverCounters YelbAppserver::counters() const { return impl_->backend->routes.counters(); }

}  // namespace crossmesh::yelb
