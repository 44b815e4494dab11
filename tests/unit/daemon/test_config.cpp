// SPDX-License-Identifier: Apache-2.0
// lpad's configuration file (lpad/daemon/config.h, lpad.conf(5)): every key, the defaults, and errors that name
// the file, the line and the key ("FILE:LINE: KEY: problem").
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "lpad/daemon/config.h"
#include "unit/test_support.h"

using namespace lpad;

namespace {

daemon::Config parse(const std::string& text) { return daemon::parse_config(text, "test.conf"); }

}  // namespace

TEST_CASE("config: an empty file gives the documented defaults") {
    auto c = parse("");
    CHECK(c.log_level == log::Level::Info);
    CHECK(c.state_dir == "/var/lib/lpad");
    CHECK(c.trust.production_bundle == "/usr/share/lpad/trust/gsma-ci-production.pem");
    CHECK(c.trust.test_bundle == "/usr/share/lpad/trust/gsma-ci-test.pem");
    CHECK_FALSE(c.trust.allow_test_ci);
    CHECK(c.trust.extra_bundles.empty());
    CHECK(c.trust.resolve.empty());
    CHECK(c.cards.empty());
    // A card with only its driver gets the card defaults.
    auto card = parse("[[card]]\ndriver = \"pcsc:\"\n").cards.at(0);
    CHECK(card.driver == "pcsc:");
    CHECK(card.isdr_aids.empty());  // the SGP.22 default ISD-R AID
    CHECK(card.store_data_block == 255);
    CHECK(card.imei.empty());
    CHECK_FALSE(card.refresh);
    CHECK(card.auto_notifications);
}

TEST_CASE("config: every key is read") {
    auto c = parse(R"(
log_level = "trace"
state_dir = "/srv/lpad"

[trust]
production = ""
test = "/opt/test-ci.pem"
allow_test_ci = true
extra = ["/etc/lpad/a.pem", "/etc/lpad/b.pem"]
resolve = ["smdp.example.com:443:127.0.0.1"]

[[card]]
driver = "pcsc:?reader=Omnikey"
isdr_aids = ["A0000005591010FFFFFFFF8900000100", "A0000005591010FFFFFFFF8900050500"]
store_data_block = 120
imei = "356938035643809"
refresh = true
notifications = "manual"

[[card]]
driver = "virtual:/tmp/card.json"
)");
    CHECK(c.log_level == log::Level::Trace);
    CHECK(c.state_dir == "/srv/lpad");
    CHECK(c.trust.production_bundle.empty());
    CHECK(c.trust.test_bundle == "/opt/test-ci.pem");
    CHECK(c.trust.allow_test_ci);
    CHECK(c.trust.extra_bundles == std::vector<std::string>{"/etc/lpad/a.pem", "/etc/lpad/b.pem"});
    CHECK(c.trust.resolve == std::vector<std::string>{"smdp.example.com:443:127.0.0.1"});
    REQUIRE(c.cards.size() == 2);
    const auto& a = c.cards[0];
    CHECK(a.driver == "pcsc:?reader=Omnikey");
    CHECK(a.isdr_aids ==
          std::vector<std::string>{"A0000005591010FFFFFFFF8900000100", "A0000005591010FFFFFFFF8900050500"});
    CHECK(a.store_data_block == 120);
    CHECK(a.imei == "356938035643809");
    CHECK(a.refresh);
    CHECK_FALSE(a.auto_notifications);
    CHECK(c.cards[1].driver == "virtual:/tmp/card.json");
    CHECK(c.cards[1].auto_notifications);  // per card, not inherited
}

TEST_CASE("config: every log level and both notification policies") {
    for (auto [name, level] : {std::pair{"error", log::Level::Error}, {"warning", log::Level::Warning},
                               {"info", log::Level::Info}, {"debug", log::Level::Debug}, {"trace", log::Level::Trace}}) {
        CAPTURE(name);
        CHECK(parse(std::string("log_level = \"") + name + "\"").log_level == level);
    }
    CHECK(parse("[[card]]\ndriver = \"x:\"\nnotifications = \"auto\"").cards.at(0).auto_notifications);
    CHECK_FALSE(parse("[[card]]\ndriver = \"x:\"\nnotifications = \"manual\"").cards.at(0).auto_notifications);
    // Both ends of the STORE DATA block range.
    CHECK(parse("[[card]]\ndriver = \"x:\"\nstore_data_block = 6").cards.at(0).store_data_block == 6);
    CHECK(parse("[[card]]\ndriver = \"x:\"\nstore_data_block = 255").cards.at(0).store_data_block == 255);
    // IMEI: 15 digits with a valid check digit, or 16 (IMEISV).
    for (const char* imei : {"356938035643809", "490154203237518", "3569380356438012"})
        CHECK(parse(std::string("[[card]]\ndriver = \"x:\"\nimei = \"") + imei + "\"").cards.at(0).imei == imei);
    // The consent wait and the download deadline, in seconds.
    auto timeouts = parse("consent_timeout = 30\ndownload_timeout = 90");
    CHECK(timeouts.consent_timeout == std::chrono::seconds(30));
    CHECK(timeouts.download_timeout == std::chrono::seconds(90));
    CHECK(parse("").consent_timeout == std::chrono::seconds(300));
    CHECK(parse("").download_timeout == std::chrono::seconds(240));
}

TEST_CASE("config: unknown keys and bad values name the file, line and key") {
    struct Case {
        std::string text;
        int line;
        std::string key;
        std::string problem;  // a part of the explanation
    };
    const std::string card = "[[card]]\ndriver = \"pcsc:\"\n";  // two lines
    const Case cases[] = {
        {"bogus = 1", 1, "bogus", "unknown key"},
        {"\n\nLog_Level = \"info\"", 3, "Log_Level", "unknown key"},  // keys are case-sensitive
        {"log_level = \"loud\"", 1, "log_level", "unknown log level"},
        {"log_level = 3", 1, "log_level", "expected a string"},
        {"state_dir = true", 1, "state_dir", "expected a string"},
        {"trust = 1", 1, "trust", "expected a table"},
        {"[trust]\nproduction = 5", 2, "trust.production", "expected a string"},
        {"[trust]\ntest = false", 2, "trust.test", "expected a string"},
        {"[trust]\nallow_test_ci = \"yes\"", 2, "trust.allow_test_ci", "expected true or false"},
        {"[trust]\nextra = \"a.pem\"", 2, "trust.extra", "expected an array of strings"},
        {"[trust]\nextra = [\"a.pem\", 3]", 2, "trust.extra", "expected a string"},
        {"[trust]\nresolve = [1]", 2, "trust.resolve", "expected a string"},
        {"[trust]\n\nfoo = 1", 3, "trust.foo", "unknown key"},
        {"card = 1", 1, "card", "expected [[card]] tables"},
        {"[card]\ndriver = \"pcsc:\"", 1, "card", "expected [[card]] tables"},
        {"[[card]]\ndriver = \"\"", 2, "card[0].driver", "must not be empty"},
        {"[[card]]\ndriver = 1", 2, "card[0].driver", "expected a string"},
        {card + "isdr_aids = [\"zz\"]", 3, "card[0].isdr_aids", "not hex"},
        {card + "isdr_aids = [\"A000\"]", 3, "card[0].isdr_aids", "5 to 16 bytes"},
        {card + "isdr_aids = \"A0000005591010FFFFFFFF8900000100\"", 3, "card[0].isdr_aids", "array of strings"},
        {card + "store_data_block = 5", 3, "card[0].store_data_block", "must be in 6..255"},
        {card + "store_data_block = 256", 3, "card[0].store_data_block", "must be in 6..255"},
        {card + "store_data_block = \"255\"", 3, "card[0].store_data_block", "expected an integer"},
        {card + "store_data_block = 64.0", 3, "card[0].store_data_block", "expected an integer"},
        {card + "imei = \"1234567890123\"", 3, "card[0].imei", "15 digits"},
        {card + "imei = \"35693803564380\"", 3, "card[0].imei", "15 digits (IMEI with its check digit) or 16"},
        {card + "imei = \"356938035643808\"", 3, "card[0].imei", "wrong check digit"},
        {card + "imei = \"35693803564380a\"", 3, "card[0].imei", "decimal digits"},
        {"consent_timeout = 0", 1, "consent_timeout", "must be in 1..86400"},
        {"download_timeout = \"60\"", 1, "download_timeout", "expected an integer"},
        {"download_timeout = 86401", 1, "download_timeout", "must be in 1..86400"},
        {card + "imei = 356938035643809", 3, "card[0].imei", "expected a string"},
        {card + "refresh = 1", 3, "card[0].refresh", "expected true or false"},
        {card + "notifications = \"sometimes\"", 3, "card[0].notifications", "\"auto\" or \"manual\""},
        {card + "speed = 3", 3, "card[0].speed", "unknown key"},
        {card + card + "\nspeed = 3", 6, "card[1].speed", "unknown key"},
        {card + "[[card]]\nimei = \"356938035643809\"", 3, "card[1].driver", "missing"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        std::string message;
        try {
            parse(c.text);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::InvalidArgument);
            message = e.what();
        }
        std::string prefix = "test.conf:" + std::to_string(c.line) + ": " + c.key + ": ";
        CHECK_MESSAGE(message.rfind(prefix, 0) == 0, message);
        CHECK_MESSAGE(message.find(c.problem, prefix.size()) != std::string::npos, message);
    }
}

TEST_CASE("config: TOML syntax errors name the file and line") {
    struct Case {
        std::string text;
        int line;
    };
    const Case cases[] = {
        {"log_level = \"info", 1},
        {"log_level = \"info\"\nlog_level = \"debug\"", 2},  // a key given twice
        {"\n\n[trust\n", 3},
        {"state_dir = /var/lib/lpad", 1},  // unquoted string
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        std::string message = test::message_of([&] { parse(c.text); });
        CHECK(test::code_of([&] { parse(c.text); }) == Errc::InvalidArgument);
        CHECK_MESSAGE(message.rfind("test.conf:" + std::to_string(c.line) + ": ", 0) == 0, message);
    }
}

TEST_CASE("config: load_config reads a file and names it in errors") {
    namespace fs = std::filesystem;
    std::string dir = (fs::temp_directory_path() / "lpad-config-XXXXXX").string();
    REQUIRE(::mkdtemp(dir.data()) != nullptr);
    std::string path = dir + "/lpad.conf";
    CHECK(test::code_of([&] { daemon::load_config(path); }) == Errc::NotFound);
    CHECK(test::message_of([&] { daemon::load_config(path); }).find(path) != std::string::npos);
    {
        std::ofstream(path) << "state_dir = \"/x\"\n[[card]]\ndriver = \"pcsc:\"\n";
    }
    auto c = daemon::load_config(path);
    CHECK(c.state_dir == "/x");
    CHECK(c.cards.size() == 1);
    {
        std::ofstream(path) << "state_dir = \"/x\"\nfoo = 1\n";
    }
    CHECK(test::message_of([&] { daemon::load_config(path); }).rfind(path + ":2: foo: ", 0) == 0);
    fs::remove_all(dir);
}

TEST_CASE("config: the shipped packaging/lpad.conf parses and matches the built-in defaults") {
    std::string path = std::string(LPAD_TEST_DATA) + "/../../packaging/lpad.conf";
    auto shipped = daemon::load_config(path);
    daemon::Config defaults;
    CHECK(shipped.log_level == defaults.log_level);
    CHECK(shipped.state_dir == defaults.state_dir);
    CHECK(shipped.trust.production_bundle == defaults.trust.production_bundle);
    CHECK(shipped.trust.test_bundle == defaults.trust.test_bundle);
    CHECK(shipped.trust.allow_test_ci == defaults.trust.allow_test_ci);
    REQUIRE(shipped.cards.size() == 1);
    CHECK(shipped.cards[0].driver == "pcsc:");
}
