#include "emulator/pki/general_names.h"

#include <arpa/inet.h>

#include <array>

#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

bool IsNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

Status ValidateDnsName(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    return Error(kInvalidArgs,
                 "DNS name \"" + std::string(name) + "\" is not valid: " + std::string(why));
  };
  if (name.empty()) return invalid("it is empty");
  if (name.size() > 253) return invalid("it is longer than 253 characters");

  std::string_view rest = name;
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  for (char c : rest) {
    if (c == '*') return invalid("'*' is allowed only as the whole leftmost label, as *.example");
    if (!IsNameCharacter(c)) return invalid("use letters, digits, '-', '_' and '.' only");
  }
  if (rest.empty() || rest.front() == '.' || rest.back() == '.' ||
      rest.find("..") != std::string_view::npos) {
    return invalid("it has an empty label");
  }
  return Status::Ok();
}

Result<GeneralNamesPtr> MakeDnsGeneralNames(const std::vector<std::string>& dns_names) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (names == nullptr) return OpenSslFailure(kRequestFailed, "cannot allocate GENERAL_NAMES");

  for (const std::string& dns_name : dns_names) {
    CM_RETURN_IF_ERROR(ValidateDnsName(dns_name));
    GeneralNamePtr entry(GENERAL_NAME_new());
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (entry == nullptr || text == nullptr ||
        ASN1_STRING_set(text, dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
      ASN1_IA5STRING_free(text);
      return OpenSslFailure(kRequestFailed, "cannot encode DNS name " + dns_name);
    }
    GENERAL_NAME_set0_value(entry.get(), GEN_DNS, text);  // entry now owns text
    if (sk_GENERAL_NAME_push(names.get(), entry.get()) <= 0) {
      return OpenSslFailure(kRequestFailed, "cannot add DNS name " + dns_name);
    }
    static_cast<void>(entry.release());  // names owns it now
  }
  return names;
}

std::vector<std::string> DnsNamesOf(const GENERAL_NAMES* names) {
  std::vector<std::string> dns_names;
  if (names == nullptr) return dns_names;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(entry, &type));
    if (type != GEN_DNS || value == nullptr) continue;
    const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(value));
    dns_names.emplace_back(data, static_cast<size_t>(ASN1_STRING_length(value)));
  }
  return dns_names;
}

std::vector<AltName> AltNamesOf(const GENERAL_NAMES* names) {
  std::vector<AltName> out;
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(entry, &type));
    if (value == nullptr) continue;
    const auto* data = ASN1_STRING_get0_data(value);
    const auto size = static_cast<size_t>(ASN1_STRING_length(value));
    if (type == GEN_DNS || type == GEN_URI || type == GEN_EMAIL) {
      out.push_back({type == GEN_DNS   ? "dns"
                     : type == GEN_URI ? "uri"
                                       : "email",
                     std::string(reinterpret_cast<const char*>(data), size)});
      continue;
    }
    if (type != GEN_IPADD || (size != 4 && size != 16)) continue;
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (inet_ntop(size == 4 ? AF_INET : AF_INET6, data, text.data(), text.size()) == nullptr) {
      continue;
    }
    out.push_back({"ip_address", text.data()});
  }
  return out;
}

}  // namespace crossmesh::pki
