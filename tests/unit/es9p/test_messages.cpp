// SPDX-License-Identifier: Apache-2.0
// ES9+/ES11 JSON messages: round trips, the shapes servers send, and strict decoding of bad input.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "libapdu/error.h"
#include "lpad/es9p/messages.h"

using namespace lpad;
using namespace lpad::es9p;

namespace {

Bytes b(std::initializer_list<int> v) {
    Bytes out;
    for (int x : v) out.push_back(static_cast<std::uint8_t>(x));
    return out;
}

const char* kSuccess = R"("header":{"functionExecutionStatus":{"status":"Executed-Success"}})";

Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no lpad::Error thrown");
    return Error(Errc::Internal, "none");
}

}  // namespace

TEST_CASE("es9p: requests round-trip and use the SGP.22 member names") {
    InitiateAuthenticationRequest ia{b({1, 2, 3}), b({0xBF, 0x20, 0x00}), "smdp.example.com"};
    std::string json = ia.encode();
    CHECK(json.find(R"("euiccChallenge":"AQID")") != std::string::npos);
    CHECK(json.find(R"("euiccInfo1":"vyAA")") != std::string::npos);
    CHECK(json.find(R"("smdpAddress":"smdp.example.com")") != std::string::npos);
    auto ia2 = InitiateAuthenticationRequest::decode(json);
    CHECK(ia2.euicc_challenge == ia.euicc_challenge);
    CHECK(ia2.euicc_info1 == ia.euicc_info1);
    CHECK(ia2.smdp_address == ia.smdp_address);

    AuthenticateClientRequest ac{"0123456789ABCDEF0123456789ABCDEF", b({0xBF, 0x38, 0x01, 0x00})};
    auto ac2 = AuthenticateClientRequest::decode(ac.encode());
    CHECK(ac2.transaction_id == ac.transaction_id);
    CHECK(ac2.authenticate_server_response == ac.authenticate_server_response);

    GetBoundProfilePackageRequest gb{"AB", b({0xBF, 0x21, 0x00})};
    CHECK(GetBoundProfilePackageRequest::decode(gb.encode()).prepare_download_response == gb.prepare_download_response);
    CHECK(gb.encode().find(R"("prepareDownloadResponse")") != std::string::npos);

    HandleNotificationRequest hn{b({0xBF, 0x37, 0x00})};
    CHECK(HandleNotificationRequest::decode(hn.encode()).pending_notification == hn.pending_notification);
    CHECK(hn.encode() == R"({"pendingNotification":"vzcA"})");

    CancelSessionRequest cs{"CD01", b({0xBF, 0x41, 0x00})};
    auto cs2 = CancelSessionRequest::decode(cs.encode());
    CHECK(cs2.transaction_id == "CD01");
    CHECK(cs2.cancel_session_response == cs.cancel_session_response);

    Es11InitiateAuthenticationRequest es11{b({9}), b({8}), "lpa.ds.gsma.com"};
    CHECK(es11.encode().find(R"("smdsAddress":"lpa.ds.gsma.com")") != std::string::npos);
    CHECK(es11.encode().find("smdpAddress") == std::string::npos);
    CHECK(Es11InitiateAuthenticationRequest::decode(es11.encode()).smds_address == "lpa.ds.gsma.com");
}

TEST_CASE("es9p: responses round-trip with a success header") {
    InitiateAuthenticationResponse ia{transaction_id_hex(b({0xDE, 0xAD, 0xBE, 0xEF})), b({0x30, 0x00}),
                                      b({0x5F, 0x37, 0x00}), b({0x04, 0x01, 0x81}), b({0x30, 0x01, 0x00})};
    std::string json = ia.encode();
    CHECK(json.find(R"("status":"Executed-Success")") != std::string::npos);
    CHECK(json.find(R"("transactionId":"DEADBEEF")") != std::string::npos);
    auto ia2 = InitiateAuthenticationResponse::decode(json);
    CHECK(ia2.transaction_id == "DEADBEEF");
    CHECK(ia2.server_signed1 == ia.server_signed1);
    CHECK(ia2.server_signature1 == ia.server_signature1);
    CHECK(ia2.euicc_ci_pkid_to_be_used == ia.euicc_ci_pkid_to_be_used);
    CHECK(ia2.server_certificate == ia.server_certificate);

    AuthenticateClientResponse ac{"01", b({0xBF, 0x25, 0x00}), b({0x30, 0x00}), b({0x5F, 0x37, 0x00}), b({0x30, 0x02})};
    auto ac2 = AuthenticateClientResponse::decode(ac.encode());
    CHECK(ac2.profile_metadata == ac.profile_metadata);
    CHECK(ac2.smdp_signed2 == ac.smdp_signed2);
    CHECK(ac2.smdp_signature2 == ac.smdp_signature2);
    CHECK(ac2.smdp_certificate == ac.smdp_certificate);

    GetBoundProfilePackageResponse gb{"02", Bytes(5000, 0xA5)};
    CHECK(GetBoundProfilePackageResponse::decode(gb.encode()).bound_profile_package == gb.bound_profile_package);

    Es11AuthenticateClientResponse es11{std::nullopt, {{"EVT-1", "smdp.example.com"}, {"EVT-2", "b.example"}}};
    auto es11b = Es11AuthenticateClientResponse::decode(es11.encode());
    CHECK_FALSE(es11b.transaction_id.has_value());
    REQUIRE(es11b.event_entries.size() == 2);
    CHECK(es11b.event_entries[1].event_id == "EVT-2");
    CHECK(es11b.event_entries[1].rsp_server_address == "b.example");

    CHECK(decode_status_only(encode_status_only(), "CancelSession").status == ExecutionStatus::ExecutedSuccess);
}

TEST_CASE("es9p: decoding a server-shaped response (wrapped base64, escaped slashes, extra members)") {
    // As some SM-DP+ servers send it: members in another order, '\/' escapes, CR/LF inside base64, members we do
    // not know, lower-case transactionId.
    std::string json = std::string("{") + kSuccess +
                       R"(,"transactionId":"a1b2c3d4e5f60718","boundProfilePackage":"vzYD\r\ngAEB","extra":{"x":[1,2]},
                           "serverUrl":"https:\/\/smdp.example.com"})";
    auto r = GetBoundProfilePackageResponse::decode(json);
    CHECK(r.transaction_id == "a1b2c3d4e5f60718");  // kept as sent, echoed back unchanged
    CHECK(r.bound_profile_package == b({0xBF, 0x36, 0x03, 0x80, 0x01, 0x01}));
}

TEST_CASE("es9p: Failed and Expired headers become ServerError with the codes") {
    struct Case {
        const char* name;
        std::string json;
        const char* subject;
        const char* reason;
        const char* message_part;
    };
    const Case cases[] = {
        {"matching ID refused",
         R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.2.6",)"
         R"("reasonCode":"3.8","subjectIdentifier":"8.2.6","message":"Refused"}}}})",
         "8.2.6", "3.8", "Refused"},
        {"unknown transaction, no message",
         R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.10.1",)"
         R"("reasonCode":"3.9"}}}})",
         "8.10.1", "3.9", "Failed"},
        {"download order expired", encode_failure(subject::kDownloadOrder, reason::kTimeToLiveExpired, "too late",
                                                  ExecutionStatus::Expired),
         "8.8.5", "4.10", "too late"},
        {"Failed without statusCodeData", R"({"header":{"functionExecutionStatus":{"status":"Failed"}}})", "", "",
         "Failed"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Error e = error_of([&] { InitiateAuthenticationResponse::decode(c.json); });
        CHECK(e.code() == Errc::ServerError);
        CHECK(e.subject_code == c.subject);
        CHECK(e.reason_code == c.reason);
        CHECK(std::string(e.what()).find(c.message_part) != std::string::npos);
        // A header-only decode reports the same.
        CHECK(error_of([&] { decode_status_only(c.json, "CancelSession"); }).code() == Errc::ServerError);
    }
}

TEST_CASE("es9p: Executed-WithWarning is a success") {
    std::string json =
        R"({"header":{"functionExecutionStatus":{"status":"Executed-WithWarning","statusCodeData":)"
        R"({"subjectCode":"8.1","reasonCode":"4.8"}}},"transactionId":"01","boundProfilePackage":"vzYA"})";
    CHECK(GetBoundProfilePackageResponse::decode(json).bound_profile_package == b({0xBF, 0x36, 0x00}));
}

TEST_CASE("es9p: malformed responses are MalformedData naming the field") {
    const std::string ok_rest = R"("transactionId":"01","boundProfilePackage":"vzYA")";
    struct Case {
        const char* name;
        std::string json;
        const char* field;
    };
    const Case cases[] = {
        {"not JSON", "<html>502 Bad Gateway</html>", "not valid JSON"},
        {"JSON array", "[1,2]", "JSON object"},
        {"no header", "{" + ok_rest + "}", "'header'"},
        {"header not an object", R"({"header":"ok",)" + ok_rest + "}", "'header'"},
        {"no functionExecutionStatus", R"({"header":{},)" + ok_rest + "}", "'functionExecutionStatus'"},
        {"no status", R"({"header":{"functionExecutionStatus":{}},)" + ok_rest + "}", "'status'"},
        {"status is a number", R"({"header":{"functionExecutionStatus":{"status":0}},)" + ok_rest + "}", "'status'"},
        {"unknown status", R"({"header":{"functionExecutionStatus":{"status":"Executed-OK"}},)" + ok_rest + "}",
         "Executed-OK"},
        {"statusCodeData without subjectCode",
         R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"reasonCode":"3.8"}}}})",
         "'subjectCode'"},
        {"reasonCode is a number",
         R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.1",)"
         R"("reasonCode":3.8}}}})",
         "'reasonCode'"},
        {"missing boundProfilePackage", std::string("{") + kSuccess + R"(,"transactionId":"01"})",
         "'boundProfilePackage'"},
        {"null boundProfilePackage",
         std::string("{") + kSuccess + R"(,"transactionId":"01","boundProfilePackage":null})", "'boundProfilePackage'"},
        {"boundProfilePackage is an object",
         std::string("{") + kSuccess + R"(,"transactionId":"01","boundProfilePackage":{}})", "'boundProfilePackage'"},
        {"bad base64 character",
         std::string("{") + kSuccess + R"(,"transactionId":"01","boundProfilePackage":"vz*A"})", "'boundProfilePackage'"},
        {"bad base64 padding",
         std::string("{") + kSuccess + R"(,"transactionId":"01","boundProfilePackage":"vzY"})", "'boundProfilePackage'"},
        {"transactionId a number", std::string("{") + kSuccess + R"(,"transactionId":1,"boundProfilePackage":"vzYA"})",
         "'transactionId'"},
        {"transactionId odd length",
         std::string("{") + kSuccess + R"(,"transactionId":"ABC","boundProfilePackage":"vzYA"})", "'transactionId'"},
        {"transactionId too long",
         std::string("{") + kSuccess + R"(,"transactionId":")" + std::string(34, 'A') + R"(","boundProfilePackage":"vzYA"})",
         "'transactionId'"},
        {"transactionId not hex",
         std::string("{") + kSuccess + R"(,"transactionId":"XY","boundProfilePackage":"vzYA"})", "'transactionId'"},
        {"transactionId empty", std::string("{") + kSuccess + R"(,"transactionId":"","boundProfilePackage":"vzYA"})",
         "'transactionId'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Error e = error_of([&] { GetBoundProfilePackageResponse::decode(c.json); });
        CHECK(e.code() == Errc::MalformedData);
        CHECK(std::string(e.what()).find(c.field) != std::string::npos);
    }
}

TEST_CASE("es9p: ES11 eventEntries are checked entry by entry") {
    const std::string head = std::string("{") + kSuccess + ",";
    struct Case {
        const char* name;
        std::string json;
        const char* field;
    };
    const Case cases[] = {
        {"missing eventEntries", head + R"("transactionId":"01"})", "'eventEntries'"},
        {"eventEntries an object", head + R"("eventEntries":{}})", "'eventEntries'"},
        {"entry not an object", head + R"("eventEntries":["x"]})", "eventEntries[0]"},
        {"entry without eventId", head + R"("eventEntries":[{"rspServerAddress":"a"}]})", "'eventId'"},
        {"rspServerAddress a number", head + R"("eventEntries":[{"eventId":"E","rspServerAddress":1}]})",
         "'rspServerAddress'"},
        {"bad transactionId", head + R"("transactionId":"zz","eventEntries":[]})", "'transactionId'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Error e = error_of([&] { Es11AuthenticateClientResponse::decode(c.json); });
        CHECK(e.code() == Errc::MalformedData);
        CHECK(std::string(e.what()).find(c.field) != std::string::npos);
    }
    CHECK(Es11AuthenticateClientResponse::decode(head + R"("eventEntries":[]})").event_entries.empty());
}

TEST_CASE("es9p: malformed requests are MalformedData (server side)") {
    CHECK(error_of([] { InitiateAuthenticationRequest::decode(R"({"euiccChallenge":"AQID","euiccInfo1":"vyAA"})"); })
              .code() == Errc::MalformedData);
    CHECK(error_of([] { AuthenticateClientRequest::decode(R"({"transactionId":"01","authenticateServerResponse":5})"); })
              .code() == Errc::MalformedData);
    CHECK(error_of([] { HandleNotificationRequest::decode(R"({"pendingNotification":"@@"})"); }).code() ==
          Errc::MalformedData);
    CHECK(error_of([] { CancelSessionRequest::decode("{}"); }).code() == Errc::MalformedData);
}

TEST_CASE("es9p: server-side failure body carries the codes") {
    std::string json = encode_failure(subject::kConfirmationCode, reason::kMandatoryElementMissing,
                                      "Confirmation Code is missing", ExecutionStatus::Failed, "8.2.7");
    CHECK(json.find(R"("subjectCode":"8.2.7")") != std::string::npos);
    CHECK(json.find(R"("reasonCode":"2.2")") != std::string::npos);
    CHECK(json.find(R"("subjectIdentifier":"8.2.7")") != std::string::npos);
    CHECK(json.find(R"("status":"Failed")") != std::string::npos);
    Error e = error_of([&] { AuthenticateClientResponse::decode(json); });
    CHECK(e.subject_code == "8.2.7");
    CHECK(e.reason_code == "2.2");
}
