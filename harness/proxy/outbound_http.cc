#include "harness/proxy/outbound_http.h"

#include <string>
#include <string_view>

#include "harness/proxy/http_router.h"

namespace crossmesh::proxy {
namespace {

// A proxy-port client may send the absolute form ("GET http://host/path"): route on its host
// and forward the origin form.
void NormalizeAbsoluteTarget(HttpRequest& request) {
  constexpr std::string_view kScheme = "http://";
  if (!std::string_view(request.target).starts_with(kScheme)) return;
  std::string rest = request.target.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  request.target = slash == std::string::npos ? "/" : rest.substr(slash);
  request.SetHeader("host", authority);  // the URI's host wins over Host (RFC 9112 3.2.2)
}

const VirtualService* ResolveService(const OutboundContext& context, HttpRequest& request) {
  const RouteTable& routes = *context.snapshot->routes;
  if (context.state->config.kind == OutboundKind::kBackend) {
    return routes.FindService(context.state->config.virtual_service);
  }
  NormalizeAbsoluteTarget(request);
  return routes.FindByHost(request.Header("host"));
}

}  // namespace

asio::awaitable<void> ServeOutboundHttp(const OutboundContext& context,
                                        std::shared_ptr<ByteStream> down) {
  OutboundState& state = *context.state;
  RouterContext router{.core = context.core.get(),
                       .snapshot = context.snapshot.get(),
                       .http = &state.http,
                       .no_route = &state.no_route};
  // Named, not built in the co_await: GCC 12 destroys such temporaries there twice.
  ServiceResolver resolve = [&context](HttpRequest& request) {
    return ResolveService(context, request);
  };
  co_await ServeRoutedHttp(router, std::move(resolve), std::move(down));
}

}  // namespace crossmesh::proxy
