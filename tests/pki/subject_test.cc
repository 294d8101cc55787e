#include <catch2/catch.hpp>

#include "emulator/pki/errors.h"
#include "emulator/pki/subject.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::Unwrap;

Subject FullSubject() {
  Subject subject;
  subject.country = "US";
  subject.organization = "Example Corp";
  subject.organizational_unit = "Mesh";
  subject.distinguished_name_qualifier = "dnq";
  subject.state = "Washington";
  subject.common_name = "api.example.internal";
  subject.serial_number = "0042";
  subject.locality = "Seattle";
  subject.title = "Service";
  subject.surname = "Doe";
  subject.given_name = "Jane";
  subject.initials = "JD";
  subject.pseudonym = "jd";
  subject.generation_qualifier = "III";
  subject.custom_attributes = {{"1.2.3.4.5", "custom value"}};
  return subject;
}

TEST_CASE("Every ASN1Subject field survives a trip through X509_NAME") {
  Subject subject = FullSubject();
  X509NamePtr name = Unwrap(ToX509Name(subject));
  CHECK(SubjectFromX509Name(name.get()) == subject);
  CHECK(X509_NAME_entry_count(name.get()) == 15);
}

TEST_CASE("A subject renders in RFC 2253 order with UTF-8 left as it is") {
  Subject subject;
  subject.country = "DE";
  subject.organization = "Müller GmbH";
  subject.common_name = "a.example";
  X509NamePtr name = Unwrap(ToX509Name(subject));
  CHECK(X509NameToString(name.get()) == "CN=a.example,O=Müller GmbH,C=DE");
}

TEST_CASE("Subject values OpenSSL cannot encode are InvalidArgsException naming the field") {
  struct Case {
    Subject subject;
    std::string field;
  };
  std::vector<Case> cases(3);
  cases[0].subject.country = "USA";
  cases[0].field = "Country";
  cases[1].subject.common_name = std::string(65, 'x');
  cases[1].field = "CommonName";
  cases[2].subject.custom_attributes = {{"not an oid", "v"}};
  cases[2].field = "ObjectIdentifier";
  for (const Case& c : cases) {
    INFO(c.field);
    Result<X509NamePtr> name = ToX509Name(c.subject);
    REQUIRE_FALSE(name.ok());
    CHECK(name.status().code() == kInvalidArgs);
    CHECK_THAT(name.status().message(), Catch::Contains(c.field));
  }
}

TEST_CASE("An ObjectIdentifier that is no OID is explained without OpenSSL's parser state") {
  Subject subject;
  subject.custom_attributes = {{"not.an.oid", "v"}};

  Result<X509NamePtr> name = ToX509Name(subject);

  REQUIRE_FALSE(name.ok());
  CHECK(name.status().message() ==
        "Subject CustomAttribute ObjectIdentifier \"not.an.oid\" is not a dotted OID such as "
        "2.5.4.3 (numbers joined by dots, the first 0, 1 or 2)");
}

TEST_CASE("An empty subject is empty and makes an empty X509_NAME") {
  Subject subject;
  CHECK(subject.empty());
  X509NamePtr name = Unwrap(ToX509Name(subject));
  CHECK(X509_NAME_entry_count(name.get()) == 0);
}

}  // namespace
}  // namespace crossmesh::pki
