// What Yelb's data looks like (walkthrough-and-yelb.md section D): the four restaurants, the
// database, table and credentials the yelb-db image creates, and the Redis key for page views.
#pragma once

#include <array>
#include <string_view>

namespace crossmesh::yelb {

struct Restaurant {
  std::string_view id;     // the path segment and the database row: /api/outback
  std::string_view label;  // what the UI shows
};

// In the order /api/getvotes lists them.
inline constexpr std::array<Restaurant, 4> kRestaurants = {{
    {"outback", "Outback"},
    {"bucadibeppo", "Buca di Beppo"},
    {"ihop", "IHOP"},
    {"chipotle", "Chipotle"},
}};

inline bool IsRestaurant(std::string_view id) {
  for (const auto& restaurant : kRestaurants) {
    if (restaurant.id == id) return true;
  }
  return false;
}

inline constexpr std::string_view kDatabase = "yelbdatabase";
inline constexpr std::string_view kDbUser = "postgres";
// The password Yelb's appserver hard-codes and the yelb-db image sets (not a secret).
inline constexpr std::string_view kDbPassword = "postgres_password";
inline constexpr std::string_view kPageViewsKey = "pageviews";

}  // namespace crossmesh::yelb
