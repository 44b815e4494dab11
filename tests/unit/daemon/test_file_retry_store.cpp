// SPDX-License-Identifier: Apache-2.0
// FileRetryStore (lpad/daemon/file_retry_store.h): the notification retry schedule on disk.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lpad/daemon/file_retry_store.h"
#include "unit/test_support.h"

using namespace lpad;
namespace fs = std::filesystem;

namespace {

using lpad::test::TempDir;

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::vector<core::RetryRecord> sample_records() {
    core::RetryRecord a;
    a.seq_number = 7;
    a.address = "smdp.example.com";
    a.failures = 2;
    a.next_attempt = 1700000123;
    a.last_error = "HttpError: connection refused [http=503]";
    core::RetryRecord b;
    b.seq_number = 9223372036854775807LL;  // the largest seqNumber a card could report
    b.address = "rsp.example.org:8443";
    b.failures = 0;
    b.next_attempt = 0;
    return {a, b};
}

}  // namespace

TEST_CASE("retry store: save then load returns the same schedule") {
    TempDir dir;
    std::string path = (dir.path / "notifications-89049032000000000000000000000001.json").string();
    daemon::FileRetryStore store(path);
    auto records = sample_records();
    store.save(records);
    CHECK(daemon::FileRetryStore(path).load() == records);
    // Saving again replaces, it does not append.
    records.pop_back();
    store.save(records);
    CHECK(store.load() == records);
    store.save({});
    CHECK(store.load().empty());
}

TEST_CASE("retry store: a missing file is an empty schedule") {
    TempDir dir;
    daemon::FileRetryStore store((dir.path / "absent.json").string());
    CHECK(store.load().empty());
    CHECK(dir.entries().empty());  // loading creates nothing
}

TEST_CASE("retry store: a corrupt file is MalformedData naming the path") {
    struct Case {
        const char* what;
        std::string text;
    };
    const Case cases[] = {
        {"empty file", ""},
        {"truncated JSON", "{\"version\": 1, \"retries\": [{\"seqNumber\": 1,"},
        {"not an object", "[1, 2, 3]"},
        {"no retries", "{\"version\": 1}"},
        {"retries not an array", "{\"version\": 1, \"retries\": {\"seqNumber\": 1}}"},
        {"record without address",
         "{\"version\": 1, \"retries\": [{\"seqNumber\": 1, \"failures\": 0, \"nextAttempt\": 0}]}"},
        {"seqNumber is a string",
         "{\"version\": 1, \"retries\": [{\"seqNumber\": \"1\", \"address\": \"a\", \"failures\": 0, "
         "\"nextAttempt\": 0}]}"},
        {"negative failures",
         "{\"version\": 1, \"retries\": [{\"seqNumber\": 1, \"address\": \"a\", \"failures\": -1, "
         "\"nextAttempt\": 0}]}"},
        {"unknown version", "{\"version\": 2, \"retries\": []}"},
        {"binary garbage", std::string("\x00\xff\x10 not json", 12)},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        TempDir dir;
        fs::path path = dir.path / "notifications-x.json";
        write_text(path, c.text);
        std::string message = test::malformed_message_of([&] { daemon::FileRetryStore(path.string()).load(); });
        CHECK(message.find(path.string()) != std::string::npos);
    }
}

TEST_CASE("retry store: a directory in place of the file is an error, not an empty schedule") {
    TempDir dir;
    fs::create_directory(dir.path / "notifications-x.json");
    daemon::FileRetryStore store((dir.path / "notifications-x.json").string());
    std::string message = test::message_of([&] { store.load(); });
    CHECK(message.find("notifications-x.json") != std::string::npos);
}

TEST_CASE("retry store: the atomic write leaves only the target file") {
    TempDir dir;
    std::string path = (dir.path / "notifications-x.json").string();
    daemon::FileRetryStore store(path);
    for (int i = 0; i < 3; ++i) store.save(sample_records());
    CHECK(dir.entries() == std::vector<std::string>{"notifications-x.json"});
    CHECK((fs::status(path).permissions() & fs::perms::others_read) == fs::perms::none);  // 0600: may hold addresses
}

TEST_CASE("retry store: a crash between write and rename leaves the old schedule, and the temp file is cleaned") {
    TempDir dir;
    std::string path = (dir.path / "notifications-x.json").string();
    daemon::FileRetryStore store(path);
    auto records = sample_records();
    store.save(records);
    // What a crash after the temp file was (partly) written and before rename() leaves behind.
    std::string stray = daemon::temp_path_for(path);
    CHECK(fs::path(stray).parent_path() == dir.path);  // same directory: rename() stays atomic
    write_text(stray, "{\"version\": 1, \"retries\": [{\"seqNum");

    daemon::FileRetryStore restarted(path);
    CHECK(restarted.load() == records);
    CHECK(dir.entries() == std::vector<std::string>{"notifications-x.json"});

    // A crash before the first rename ever happened: only the stray temp file exists.
    fs::remove(path);
    write_text(stray, "{\"version\": 1, \"retries\": []}");
    CHECK(restarted.load().empty());
    CHECK(dir.entries().empty());
    // And the next save works over it.
    write_text(stray, "garbage");
    restarted.save(records);
    CHECK(restarted.load() == records);
    CHECK(dir.entries() == std::vector<std::string>{"notifications-x.json"});
}

TEST_CASE("retry store: a failed write names the path and leaves no temp file") {
    TempDir dir;
    std::string path = (dir.path / "missing-subdir" / "notifications-x.json").string();
    daemon::FileRetryStore store(path);
    Errc code = test::code_of([&] { store.save(sample_records()); });
    CHECK(code == Errc::Unavailable);
    CHECK(test::message_of([&] { store.save({}); }).find("missing-subdir") != std::string::npos);
    CHECK(dir.entries().empty());

    // rename() fails when the target is a non-empty directory: the temp file must not stay behind.
    fs::path blocked = dir.path / "blocked.json";
    fs::create_directories(blocked / "inside");
    CHECK(test::code_of([&] { daemon::write_file_atomically(blocked.string(), "{}"); }) == Errc::Unavailable);
    CHECK(dir.entries() == std::vector<std::string>{"blocked.json"});
}
