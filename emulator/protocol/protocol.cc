#include "emulator/protocol/protocol.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "emulator/core/json_dump.h"

namespace crossmesh {
namespace {

constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

// Codes whose status is fixed whatever the service (authentication and transport).
int CommonStatus(std::string_view code) {
  static const std::map<std::string_view, int> kStatus = {
      {"MissingAuthenticationTokenException", 403},
      {"InvalidSignatureException", 403},
      {"UnrecognizedClientException", 403},
      {"IncompleteSignatureException", 403},
      {"RequestTimeoutException", 408},
      {"RequestEntityTooLargeException", 413},
      {"InternalFailure", 500},
      {"ServiceUnavailable", 503},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 0 : it->second;
}

// REST-JSON statuses from the App Mesh and RAM models (aws-wire-protocols.md section 0).
int RestJsonStatus(std::string_view code) {
  static const std::map<std::string_view, int> kStatus = {
      {"NotFoundException", 404},           {"ConflictException", 409},
      {"BadRequestException", 400},         {"ForbiddenException", 403},
      {"ResourceInUseException", 409},      {"TooManyRequestsException", 429},
      {"LimitExceededException", 400},      {"InternalServerErrorException", 500},
      {"ServiceUnavailableException", 503}, {"ServerInternalException", 500},
      {"ThrottlingException", 429},         {"UnknownOperationException", 404},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 400 : it->second;
}

// Query-protocol statuses from the IAM model (botocore iam service-2.json, error.httpStatusCode);
// STS's own errors are all 400.
int QueryStatus(std::string_view code) {
  static const std::map<std::string_view, int> kStatus = {
      {"NoSuchEntity", 404},
      {"EntityAlreadyExists", 409},
      {"LimitExceeded", 409},
      {"ServiceFailure", 500},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 400 : it->second;
}

}  // namespace

int HttpStatusFor(Protocol protocol, std::string_view code) {
  if (int common = CommonStatus(code)) return common;
  switch (protocol) {
    case Protocol::kJson11:
      return 400;
    case Protocol::kRestJson:
      return RestJsonStatus(code);
    case Protocol::kQuery:
      return QueryStatus(code);
  }
  return 400;
}

std::string QueryErrorCode(std::string_view code) {
  static const std::map<std::string_view, std::string_view> kNames = {
      {"MissingAuthenticationTokenException", "MissingAuthenticationToken"},
      {"IncompleteSignatureException", "IncompleteSignature"},
      {"UnrecognizedClientException", "InvalidClientTokenId"},
      {"InvalidSignatureException", "SignatureDoesNotMatch"},
      {"UnknownOperationException", "InvalidAction"},
      {"SerializationException", "MalformedInput"},
  };
  auto it = kNames.find(code);
  return std::string(it == kNames.end() ? code : it->second);
}

WireResponse RenderError(Protocol protocol, const Status& status, std::string_view request_id,
                         std::string_view xml_namespace) {
  WireResponse response;
  response.status = HttpStatusFor(protocol, status.code());
  response.SetHeader("x-amzn-RequestId", std::string(request_id));

  if (protocol == Protocol::kQuery) {
    std::string code = QueryErrorCode(status.code());
    std::string type = response.status >= 500 ? "Receiver" : "Sender";
    response.SetHeader("Content-Type", "text/xml");
    response.body = fmt::format(
        "<ErrorResponse xmlns=\"{}\">\n  <Error>\n    <Type>{}</Type>\n    <Code>{}</Code>\n"
        "    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        xml_namespace.empty() ? kStsNamespace : xml_namespace, type, XmlEscape(code),
        XmlEscape(status.message()), request_id);
    return response;
  }

  nlohmann::json body = {{"__type", status.code()}, {"message", status.message()}};
  response.SetHeader("x-amzn-ErrorType", status.code());
  response.SetHeader("Content-Type", protocol == Protocol::kJson11 ? "application/x-amz-json-1.1"
                                                                   : "application/json");
  response.body = DumpJson(body);
  return response;
}

WireResponse RenderJson(Protocol protocol, int http_status, std::string body,
                        std::string_view request_id) {
  WireResponse response;
  response.status = http_status;
  response.SetHeader("x-amzn-RequestId", std::string(request_id));
  response.SetHeader("Content-Type", protocol == Protocol::kJson11 ? "application/x-amz-json-1.1"
                                                                   : "application/json");
  response.body = std::move(body);
  return response;
}

namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        continue;
      }
      out.append(text.substr(i, length));
      i += length - 1;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out.push_back(c);
        break;
      default:
        // XML 1.0 has no way to write other control characters, escaped or not: a parser
        // refuses the whole document, so the client could not read the error it carries.
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\xEF\xBF\xBD";  // U+FFFD
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t amp = raw.find('&', start);
    std::string_view part = raw.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = PercentDecode(part.substr(0, eq), true);
      std::string value =
          eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1), true);
      out.emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace crossmesh
