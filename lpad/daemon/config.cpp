// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/config.h"

#include <fstream>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "lpad/core/device_info.h"

namespace lpad::daemon {
namespace {

class Reader {
public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void bad(const toml::node& node, const std::string& key, const std::string& why) const {
        fail(Errc::InvalidArgument,
             source_ + ":" + std::to_string(node.source().begin.line) + ": " + key + ": " + why);
    }

    std::string string(const toml::node& node, const std::string& key) const {
        if (auto v = node.value<std::string>(); v && node.is_string()) return *v;
        bad(node, key, "expected a string");
    }
    bool boolean(const toml::node& node, const std::string& key) const {
        if (!node.is_boolean()) bad(node, key, "expected true or false");
        return *node.value<bool>();
    }
    long long integer(const toml::node& node, const std::string& key, long long min, long long max) const {
        if (!node.is_integer()) bad(node, key, "expected an integer");
        long long v = *node.value<long long>();
        if (v < min || v > max)
            bad(node, key, "must be in " + std::to_string(min) + ".." + std::to_string(max));
        return v;
    }
    std::vector<std::string> strings(const toml::node& node, const std::string& key) const {
        const auto* arr = node.as_array();
        if (!arr) bad(node, key, "expected an array of strings");
        std::vector<std::string> out;
        for (const auto& item : *arr) out.push_back(string(item, key));
        return out;
    }

private:
    std::string source_;
};

CardConfig read_card(const Reader& r, const toml::table& t, const std::string& prefix) {
    CardConfig c;
    for (const auto& [k, node] : t) {
        std::string key = prefix + std::string(k.str());
        if (k == "driver") {
            c.driver = r.string(node, key);
            if (c.driver.empty()) r.bad(node, key, "must not be empty");
        } else if (k == "isdr_aids") {
            c.isdr_aids = r.strings(node, key);
            for (const auto& aid : c.isdr_aids) {
                try {
                    (void)aid_from_hex(aid);
                } catch (const Error& e) {
                    r.bad(node, key, e.what());
                }
            }
        } else if (k == "store_data_block") {
            c.store_data_block = static_cast<std::size_t>(r.integer(node, key, 6, 255));
        } else if (k == "imei") {
            c.imei = r.string(node, key);
            if (auto problem = core::imei_problem(c.imei); !problem.empty()) r.bad(node, key, problem);
        } else if (k == "refresh") {
            c.refresh = r.boolean(node, key);
        } else if (k == "notifications") {
            std::string v = r.string(node, key);
            if (v != "auto" && v != "manual") r.bad(node, key, "expected \"auto\" or \"manual\"");
            c.auto_notifications = v == "auto";
        } else {
            r.bad(node, key, "unknown key");
        }
    }
    if (c.driver.empty()) r.bad(t, prefix + "driver", "missing");  // line of the [[card]] header
    return c;
}

void read_trust(const Reader& r, const toml::table& t, core::TrustSettings& trust) {
    for (const auto& [k, node] : t) {
        std::string key = "trust." + std::string(k.str());
        if (k == "production") trust.production_bundle = r.string(node, key);
        else if (k == "test") trust.test_bundle = r.string(node, key);
        else if (k == "allow_test_ci") trust.allow_test_ci = r.boolean(node, key);
        else if (k == "extra") trust.extra_bundles = r.strings(node, key);
        else if (k == "resolve") trust.resolve = r.strings(node, key);
        else r.bad(node, key, "unknown key");
    }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& source_name) {
    toml::table root;
    try {
        root = toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
        fail(Errc::InvalidArgument, source_name + ":" + std::to_string(e.source().begin.line) + ": " +
                                        std::string(e.description()));
    }
    Reader r(source_name);
    Config config;
    for (const auto& [k, node] : root) {
        std::string key(k.str());
        if (key == "log_level") {
            try {
                config.log_level = log::parse_level(r.string(node, key));
            } catch (const Error& e) {
                r.bad(node, key, e.what());
            }
        } else if (key == "state_dir") {
            config.state_dir = r.string(node, key);
        } else if (key == "consent_timeout") {
            config.consent_timeout = std::chrono::seconds(r.integer(node, key, 1, 86400));
        } else if (key == "download_timeout") {
            config.download_timeout = std::chrono::seconds(r.integer(node, key, 1, 86400));
        } else if (key == "trust") {
            if (!node.is_table()) r.bad(node, key, "expected a table [trust]");
            read_trust(r, *node.as_table(), config.trust);
        } else if (key == "card") {
            const auto* arr = node.as_array();
            if (!arr || !arr->is_array_of_tables()) r.bad(node, key, "expected [[card]] tables");
            for (std::size_t i = 0; i < arr->size(); ++i) {
                const toml::table* card = arr->get(i) ? arr->get(i)->as_table() : nullptr;
                if (!card) r.bad(node, key, "expected [[card]] tables");
                config.cards.push_back(read_card(r, *card, "card[" + std::to_string(i) + "]."));
            }
        } else {
            r.bad(node, key, "unknown key");
        }
    }
    return config;
}

Config load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail(Errc::NotFound, path + ": cannot read the configuration file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

}  // namespace lpad::daemon
