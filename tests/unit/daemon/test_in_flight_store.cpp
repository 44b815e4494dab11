// SPDX-License-Identifier: Apache-2.0
// InFlightStore (lpad/daemon/in_flight_store.h): downloads in flight on disk (issue #18).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "libapdu/error.h"
#include "lpad/daemon/in_flight_store.h"
#include "unit/test_support.h"

using namespace lpad;
namespace fs = std::filesystem;

namespace {

using lpad::test::TempDir;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

daemon::InFlightRecord record(const std::string& tid, bool cc) {
    daemon::InFlightRecord r;
    r.download.smdp_address = "smdp.example.com";
    r.download.transaction_id = tid;
    r.download.matching_id = "MATCH-SECRET-" + tid;
    r.download.iccid = "8949449999999990023";
    r.download.confirmation_code_used = cc;
    r.enable = cc;
    return r;
}

}  // namespace

TEST_CASE("InFlightStore: add, reload, remove, the file is 0600 and goes with the last record") {
    TempDir dir;
    const auto path = (dir.path / "downloads-1.json").string();
    daemon::InFlightStore store(path);
    CHECK(store.load().empty());
    store.add(record("AA", false));
    store.add(record("BB", true));
    store.add(record("AA", false));  // replaced, not doubled
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto again = daemon::InFlightStore(path).load();
    REQUIRE(again.size() == 2);
    CHECK(again[0].download.transaction_id == "BB");
    CHECK(again[0].download.matching_id == "MATCH-SECRET-BB");
    CHECK(again[0].download.confirmation_code_used);
    CHECK(again[0].enable);
    CHECK(!again[0].download.smdp_oid);
    CHECK(again[1].download.iccid == "8949449999999990023");
    store.remove("CC");  // unknown: nothing happens
    CHECK(store.load().size() == 2);
    store.remove("AA");
    store.remove("BB");
    CHECK(!fs::exists(path));
    CHECK(!fs::exists(path + ".tmp"));
}

TEST_CASE("InFlightStore: a stray temp file is dropped, a damaged file is MalformedData without its content") {
    TempDir dir;
    const auto path = (dir.path / "downloads-1.json").string();
    std::ofstream(path + ".tmp") << "{\"half";
    daemon::InFlightStore store(path);
    CHECK(store.load().empty());
    CHECK(!fs::exists(path + ".tmp"));
    std::ofstream(path) << "{\"version\": 1, \"downloads\": [{\"matchingId\": \"MATCH-SECRET\"";
    try {
        store.load();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::MalformedData);
        CHECK(std::string(e.what()).find("MATCH-SECRET") == std::string::npos);
    }
    std::ofstream(path, std::ios::trunc) << R"({"version": 1, "downloads": [{"smdpAddress": "", "transactionId": "A",
        "iccid": "1", "confirmationCodeUsed": false, "enable": false}]})";
    CHECK_THROWS_AS(store.load(), Error);
    CHECK(read_text(path).find("transactionId") != std::string::npos);  // left for inspection
}

TEST_CASE("parse_in_flight / format_in_flight: the file's exact text, and a bad document is MalformedData") {
    daemon::InFlightRecord r;
    r.download = {"localhost:44321", "6F1C2A9E0B7D4E33A15C8F0D92B46E71", "MATCH-1", "2.999.10", "8949449999999990023",
                  false};
    // The same text as the seed tests/fuzz/corpus/in_flight_store/one_download.json.
    const std::string text = R"({
  "downloads": [
    {
      "confirmationCodeUsed": false,
      "enable": false,
      "iccid": "8949449999999990023",
      "matchingId": "MATCH-1",
      "smdpAddress": "localhost:44321",
      "smdpOid": "2.999.10",
      "transactionId": "6F1C2A9E0B7D4E33A15C8F0D92B46E71"
    }
  ],
  "version": 1
}
)";
    CHECK(daemon::format_in_flight({r}) == text);
    CHECK(daemon::parse_in_flight(text, "x") == std::vector<daemon::InFlightRecord>{r});
    for (const char* bad : {"", "[]", R"({"version": 1.0, "downloads": []})", R"({"version": 1, "downloads": {}})",
                            R"({"version": 1, "downloads": [null]})",
                            R"({"version": 1, "downloads": [{"smdpAddress": "a", "transactionId": "B", "iccid": 1,
                                "confirmationCodeUsed": false, "enable": false}]})"}) {
        CAPTURE(bad);
        try {
            daemon::parse_in_flight(bad, "downloads-1.json");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::MalformedData);
            CHECK(std::string(e.what()).find("downloads-1.json") != std::string::npos);
        }
    }
}
