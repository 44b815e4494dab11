// SPDX-License-Identifier: Apache-2.0
// The one D-Bus error table (lpad/daemon/dbus_errors.h): every Errc has a well-formed name, and the SGP.22 codes
// travel in the message in the stable " [key=value]" form that lpactl parses back.
#include <doctest/doctest.h>

#include <fstream>
#include <new>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "lpad/daemon/dbus_errors.h"

using namespace lpad;

namespace {

// Every Errc, InvalidArgument (first) .. Internal (last): the enum is contiguous (libapdu/error.h).
std::vector<Errc> all_errcs() {
    std::vector<Errc> out;
    for (int i = static_cast<int>(Errc::InvalidArgument); i <= static_cast<int>(Errc::Internal); ++i)
        out.push_back(static_cast<Errc>(i));
    return out;
}

// D-Bus specification, "Error names": like interface names, elements [A-Za-z0-9_], not starting with a digit,
// at least two elements, at most 255 bytes.
bool valid_dbus_error_name(const std::string& name) {
    if (name.empty() || name.size() > 255) return false;
    std::size_t elements = 0;
    std::istringstream in(name);
    for (std::string part; std::getline(in, part, '.');) {
        if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0]))) return false;
        for (char c : part)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
        ++elements;
    }
    return elements >= 2 && name.back() != '.';
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("dbus errors: every Errc maps to its own well-formed org.lpad.Lpad1.Error name") {
    std::set<std::string> names;
    for (Errc code : all_errcs()) {
        auto d = daemon::to_dbus_error(Error(code, "something went wrong"));
        CAPTURE(d.name);
        CHECK(d.name == std::string(daemon::kErrorPrefix) + std::string(errc_name(code)));
        CHECK(valid_dbus_error_name(d.name));
        CHECK(d.message == "something went wrong");  // no detail fields: the message is just the sentence
        names.insert(d.name);
    }
    CHECK(names.size() == all_errcs().size());  // no two codes share a name
}

TEST_CASE("dbus errors: every name is documented in docs/dbus-api.md") {
    std::string doc = read_text(std::string(LPAD_TEST_DATA) + "/../../docs/dbus-api.md");
    for (Errc code : all_errcs()) {
        CAPTURE(errc_name(code));
        CHECK(doc.find(std::string(errc_name(code))) != std::string::npos);
    }
}

TEST_CASE("dbus errors: exceptions that are not lpad::Error are Internal") {
    auto d = daemon::to_dbus_error(std::runtime_error("boom"));
    CHECK(d.name == "org.lpad.Lpad1.Error.Internal");
    CHECK(d.message == "boom");
    CHECK(daemon::to_dbus_error(std::bad_alloc()).name == "org.lpad.Lpad1.Error.Internal");
}

TEST_CASE("dbus errors: SGP.22 codes and status words appear in the stable parseable form") {
    struct Case {
        const char* what;
        Error error;
        std::string name;
        std::map<std::string, std::string> details;
    };
    Error http(Errc::HttpError, "ES9+ initiateAuthentication");
    http.http_status = 503;
    Error transport(Errc::TransportError, "reader gone");
    transport.status_word = 0x6f00;  // hex letters come out upper case
    Error small_sw = Error::card(0x0090, "odd card");  // leading zeros kept
    const Case cases[] = {
        {"card status word", Error::card(0x6A88, "SELECT ISD-R"), "CardError", {{"sw", "6A88"}}},
        {"status word padded", small_sw, "CardError", {{"sw", "0090"}}},
        {"status word on a transport error", transport, "TransportError", {{"sw", "6F00"}}},
        {"ES10 result", Error::euicc("EnableProfile", 2, "catBusy"), "EuiccError",
         {{"function", "EnableProfile"}, {"result", "2"}}},
        {"ES10 result 127", Error::euicc("AuthenticateServer", 127, "undefinedError"), "EuiccError",
         {{"function", "AuthenticateServer"}, {"result", "127"}}},
        {"ES9+ statusCodeData", Error::server("8.2.6", "3.8", "Refused"), "ServerError",
         {{"subject", "8.2.6"}, {"reason", "3.8"}}},
        {"HTTP status", http, "HttpError", {{"http", "503"}}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        auto d = daemon::to_dbus_error(c.error);
        CHECK(d.name == "org.lpad.Lpad1.Error." + c.name);
        // The sentence comes first, unchanged; the codes follow it.
        CHECK(d.message.rfind(c.error.what(), 0) == 0);
        for (const auto& [key, value] : c.details)
            CHECK(d.message.find(" [" + key + "=" + value + "]") != std::string::npos);
        CHECK(daemon::error_details(d.message) == c.details);
        CHECK(daemon::format_error_message(c.error) == d.message);
    }
}

TEST_CASE("dbus errors: every detail field at once, in a fixed order") {
    Error e(Errc::ServerError, "all of them");
    e.status_word = 0x9000;
    e.euicc_function = "PrepareDownload";
    e.euicc_result = 5;
    e.subject_code = "8.1";
    e.reason_code = "4.2";
    e.http_status = 200;
    std::string m = daemon::format_error_message(e);
    CHECK(m == "all of them [sw=9000] [function=PrepareDownload] [result=5] [subject=8.1] [reason=4.2] [http=200]");
    CHECK(daemon::error_details(m).size() == 6);
}

TEST_CASE("dbus errors: brackets in the sentence are not taken for codes") {
    struct Case {
        std::string message;
        std::map<std::string, std::string> details;
    };
    const Case cases[] = {
        {"unexpected tag [at offset 3]", {}},
        {"unexpected tag [at offset 3] [sw=6A80]", {{"sw", "6A80"}}},
        {"list [1, 2] and [a=b", {}},
        {"no brackets at all", {}},
        {"[sw=1234] at the start is not a field", {}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.message);
        CHECK(daemon::error_details(c.message) == c.details);
    }
}
