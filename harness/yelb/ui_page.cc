#include "harness/yelb/ui_page.h"

#include <fmt/format.h>

#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

namespace {

constexpr const char* kHead = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Yelb</title>
<style>
body { font-family: sans-serif; margin: 2em; }
td, th { padding: 0.4em 1em; text-align: left; }
</style>
</head>
<body>
<h1>Yelb</h1>
<p>Page views: <span id="pageviews">-</span> &middot; served by <span id="hostname">-</span></p>
<table>
<tr><th>Restaurant</th><th>Votes</th><th></th></tr>
)html";

constexpr const char* kRow =
    R"html(<tr><td>{label}</td><td id="votes-{id}">-</td>)html"
    R"html(<td><button onclick="vote('{id}')">Vote for {label}</button></td></tr>
)html";

constexpr const char* kTail = R"html(</table>
<p id="status"></p>
<script>
function show(text) { document.getElementById('status').textContent = text; }
function get(path) {
  return fetch(path).then(function (r) {
    if (!r.ok) throw new Error(path + ' answered ' + r.status);
    return r.json();
  });
}
function loadVotes() {
  return get('/api/getvotes').then(function (votes) {
    votes.forEach(function (v) {
      document.getElementById('votes-' + v.name).textContent = v.value;
    });
  }).catch(function (e) { show(e.message); });
}
function loadStats() {
  return get('/api/getstats').then(function (s) {
    document.getElementById('pageviews').textContent = s.pageviews;
    document.getElementById('hostname').textContent = s.hostname;
  }).catch(function (e) { show(e.message); });
}
function vote(id) {
  fetch('/api/' + id).then(function (r) {
    if (!r.ok) throw new Error('vote for ' + id + ' answered ' + r.status);
    return loadVotes();
  }).catch(function (e) { show(e.message); });
}
loadVotes();
loadStats();
</script>
</body>
</html>
)html";

std::string BuildPage() {
  std::string page = kHead;
  for (const auto& restaurant : kRestaurants) {
    page += fmt::format(kRow, fmt::arg("id", restaurant.id), fmt::arg("label", restaurant.label));
  }
  return page + kTail;
}

}  // namespace

const std::string& YelbPageHtml() {
  static const std::string page = BuildPage();
  return page;
}

}  // namespace crossmesh::yelb
